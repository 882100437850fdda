/**
 * GraphQL Code Generator: the committed examples/gql/ must be exactly what codegen.yml produces
 * from today's schema.graphql and documents (the "codegen check"), and the example client's typed
 * cascade must run against a real gateway.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { CascadeDocument, formatCascade, imageVariables, runCascade, streamCaption, type CaptionEvent } from '../../examples/client.js';
import type { CascadeQuery, CascadeQueryVariables } from '../../examples/gql/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { patternPng } from '../helpers/images.js';
import { repoRoot } from '../helpers/paths.js';

const GENERATED = 'examples/gql/';

// Compile-time check: the generated document carries the result and variable types.
const typedDocument: TypedDocumentNode<CascadeQuery, CascadeQueryVariables> = CascadeDocument;

describe('GraphQL Code Generator', () => {
  let workdir: string;
  before(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'florence-codegen-'));
  });
  after(async () => {
    if (workdir) await rm(workdir, { recursive: true, force: true });
  });

  it('examples/gql/ is up to date with schema.graphql and the documents (run `npm run codegen`)', async () => {
    const { config } = await loadCodegenConfig({ configFilePath: join(repoRoot, 'codegen.yml') });
    const generates = config.generates as Record<string, unknown>;
    assert.ok(generates[GENERATED], `codegen.yml generates ${GENERATED}`);
    const target = join(workdir, 'gql') + '/';
    // The same configuration with its one output redirected to the temp folder.
    await generate(
      { ...config, cwd: repoRoot, silent: true, generates: { [target]: generates[GENERATED] } } as Parameters<typeof generate>[0],
      true,
    );

    const expected = await readTree(target);
    const committed = await readTree(join(repoRoot, GENERATED));
    assert.deepEqual(Object.keys(committed).sort(), Object.keys(expected).sort(), 'the generated file names differ');
    for (const [file, content] of Object.entries(expected)) {
      assert.equal(committed[file], content, `${GENERATED}${file} differs from what codegen generates now: run npm run codegen`);
    }
  });

  it('sends an http(s) image as a URL and a file inline', async () => {
    assert.deepEqual(await imageVariables('https://example.com/a.png'), { url: 'https://example.com/a.png' });
    const file = join(workdir, 'tiny.png');
    await writeFile(file, Buffer.from([1, 2, 3]));
    assert.deepEqual(await imageVariables(file), { base64: 'AQID' });
  });

  describe('the example client against a gateway', () => {
    let gateway: TestGateway;
    let imageFile: string;
    before(async () => {
      gateway = await startTestGateway();
      imageFile = join(workdir, 'pattern.png');
      await writeFile(imageFile, await patternPng(96, 64, 3));
    });
    after(async () => {
      await gateway?.stop();
    });

    it('runs the typed cascade and returns typed data', async () => {
      assert.equal(typedDocument, CascadeDocument);
      const result: CascadeQuery = await runCascade(gateway.url, imageFile);
      const image = result.image;
      assert.ok(image);
      assert.match(image.id, /^sha256:[0-9a-f]{64}$/);
      assert.equal(image.width, 96);
      assert.equal(image.height, 64);
      assert.equal(typeof image.caption?.text, 'string');
      const phrases = image.caption?.phrases ?? [];
      // The default test model (tiny, seed 1, structured bias: test/helpers/models.ts) grounds phrases with
      // outlined regions on this image; without any, the checks below would hold vacuously.
      const regions = phrases.flatMap((phrase) => phrase.regions);
      assert.ok(regions.length > 0 && regions.every((region) => region.segment), JSON.stringify(phrases).slice(0, 400));
      for (const { phrase, regions: phraseRegions } of phrases) {
        assert.equal(typeof phrase, 'string');
        for (const { box, segment } of phraseRegions) {
          const inside = box.x1 >= 0 && box.x1 <= box.x2 && box.x2 <= 96 && box.y1 >= 0 && box.y1 <= box.y2 && box.y2 <= 64;
          assert.ok(inside, `a box inside the 96×64 image: ${JSON.stringify(box)}`);
          if (!segment) continue;
          // The area is the shoelace area of the outline the path draws (its points are rounded to 0.01 px).
          const { area, perimeter } = outlineOf(segment.svgPath);
          assert.ok(Math.abs(area - segment.area) <= 0.02 * perimeter, `area ${segment.area} vs ${area} from ${segment.svgPath}`);
        }
      }
      const text = formatCascade(result);
      assert.match(text, /^sha256:\w+ \(96×64\)\ncaption: /);
      assert.equal(text.split('\n').filter((line) => /^ {2}"/.test(line)).length, phrases.length);
    });

    it('streams a typed detailed caption over the subscription; the text grows to the last event', async () => {
      const events: CaptionEvent[] = [];
      const last = await streamCaption(gateway.url, imageFile, (event) => events.push(event));
      assert.equal(last.done, true);
      assert.equal(typeof last.score, 'number');
      assert.equal(events.at(-1), last);
      assert.ok(events.slice(0, -1).every((event) => !event.done && last.text.startsWith(event.text)));
    });

    it('runs from the command line: node dist/examples/client.js URL FILE', async () => {
      const script = join(repoRoot, 'dist', 'examples', 'client.js');
      const { stdout } = await promisify(execFile)(process.execPath, [script, gateway.url, imageFile], { timeout: 60_000 });
      assert.match(stdout, /^sha256:[0-9a-f]{64} \(96×64\)\ncaption: /);
      const streamed = await promisify(execFile)(process.execPath, [script, gateway.url, imageFile, '--stream'], { timeout: 60_000 });
      assert.match(streamed.stdout, /\n\(\d+ tokens, score -?\d+\.\d{3}\)\n$/);
    });
  });
});

/** Every file under a folder: relative path → content. */
async function readTree(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: Record<string, string> = {};
  for (const entry of entries.filter((e) => e.isFile())) {
    const path = join(entry.parentPath, entry.name);
    files[relative(dir, path)] = await readFile(path, 'utf8');
  }
  return files;
}

/** Area (shoelace, summed over subpaths) and perimeter of an SVG path of `M x y L x y … Z` polygons. */
function outlineOf(svgPath: string): { area: number; perimeter: number } {
  let area = 0;
  let perimeter = 0;
  for (const subpath of svgPath
    .split('Z')
    .map((part) => part.trim())
    .filter((part) => part !== '')) {
    assert.match(subpath, /^M-?[\d.]+ -?[\d.]+( L-?[\d.]+ -?[\d.]+)*$/, svgPath);
    const points = subpath
      .slice(1)
      .split(' L')
      .map((pair) => pair.trim().split(' ').map(Number));
    let twiceArea = 0;
    points.forEach(([x = 0, y = 0], i) => {
      const [nx = 0, ny = 0] = points[(i + 1) % points.length] ?? [];
      twiceArea += x * ny - nx * y;
      perimeter += Math.hypot(nx - x, ny - y);
    });
    area += Math.abs(twiceArea) / 2;
  }
  return { area, perimeter };
}
