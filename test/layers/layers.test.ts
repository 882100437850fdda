/**
 * The layer rules (.dependency-cruiser.cjs) as `npm run lint:deps` runs them: the real src/ passes,
 * a copy of src/ with back-edges fails on exactly those edges, and README.md's architecture table lists
 * every folder of src/ with the same "may import" lists as the rules.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';

const CONFIG = '.dependency-cruiser.cjs';
const DEPCRUISE = join(repoRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  readonly rule: string;
  readonly from: string;
  readonly to: string;
}

/** Runs `npm run lint:deps`'s command in `cwd`: its exit status, and the violations its report names. */
function lintDeps(cwd: string): { readonly status: number | null; readonly violations: readonly Violation[] } {
  const run = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', CONFIG], { cwd, encoding: 'utf8' });
  assert.equal(run.error, undefined);
  // "  error rule: from → to"; a cycle continues on the next lines, so `to` is the first module after the arrow.
  const violations = [...run.stdout.matchAll(/^\s*error ([\w-]+): (\S+) →\s*(\S+)/gm)].map(([, rule, from, to]) => ({
    rule: rule!,
    from: from!,
    to: to!,
  }));
  assert.ok(run.status === 0 || violations.length > 0, `depcruise failed without naming a violation: ${run.stdout}${run.stderr}`);
  return { status: run.status, violations };
}

interface Rule {
  readonly name: string;
  readonly from: { readonly path?: string };
  readonly to: { readonly pathNot?: string };
}

/** `layer-<folder>` rules as folder → the folders it may import (read back from the `^src/(a|b)/` pattern). */
function layerRules(): Map<string, readonly string[]> {
  const config = createRequire(import.meta.url)(join(repoRoot, CONFIG)) as { forbidden: readonly Rule[] };
  const layers = new Map<string, readonly string[]>();
  for (const rule of config.forbidden) {
    const layer = /^layer-(.+)$/.exec(rule.name)?.[1];
    if (layer === undefined || layer === 'unknown') continue;
    const allowed = /^\^src\/\(([^)]*)\)\/$/.exec(rule.to.pathNot ?? '')?.[1];
    assert.ok(allowed !== undefined, `${rule.name} lists its folders as ^src/(a|b)/, got ${rule.to.pathNot}`);
    const folders = allowed.split('|');
    layers.set(layer, layer === 'index' ? folders : folders.filter((folder) => folder !== layer));
  }
  return layers;
}

describe('layer rules (npm run lint:deps)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'layers-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('are what npm test runs', () => {
    const { scripts } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(scripts['lint:deps'], `depcruise src --config ${CONFIG}`);
    assert.match(scripts['test'] ?? '', /^npm run build && npm run lint:deps && /);
  });

  it('pass on src/ as it is', () => {
    const { status, violations } = lintDeps(repoRoot);
    assert.deepEqual(violations, []);
    assert.equal(status, 0);
  });

  it('reject back-edges, sideways edges, a new folder with no layer, load-time cycles and imports of test/', () => {
    const copy = join(scratch, 'repo');
    cpSync(join(repoRoot, 'src'), join(copy, 'src'), { recursive: true });
    for (const file of [CONFIG, 'tsconfig.json']) cpSync(join(repoRoot, file), join(copy, file));
    symlinkSync(join(repoRoot, 'node_modules'), join(copy, 'node_modules'), 'dir');
    mkdirSync(join(copy, 'test'));
    writeFileSync(join(copy, 'test', 'helper.ts'), 'export const fixture = 1;\n');
    const add = (path: string, source: string): void => writeFileSync(join(copy, path), source);
    // vision below graphql: a value import and a type-only one both count.
    add(
      'src/vision/__backedge.ts',
      "import { createErrorFormatter } from '../graphql/errors.js';\nexport const formatter = createErrorFormatter;\n",
    );
    add(
      'src/vision/__typeBackedge.ts',
      "import type { GatewayContext } from '../graphql/context.js';\nexport type Context = GatewayContext;\n",
    );
    // engine and images are side by side: neither imports the other.
    add('src/engine/__sideways.ts', "import { parseImageId } from '../images/imageId.js';\nexport const parse = parseImageId;\n");
    // the cache is below the server.
    add(
      'src/cache/__upwards.ts',
      "import { DeadlineExceededError } from '../server/pipeline/deadline.js';\nexport const error = DeadlineExceededError;\n",
    );
    add('src/shared/__cycleA.ts', "import { b } from './__cycleB.js';\nexport const a = (): number => b() + 1;\n");
    add('src/shared/__cycleB.ts', "import { a } from './__cycleA.js';\nexport const b = (): number => a() - 1;\n");
    // A cycle only of type-only imports cannot leave a module half-initialised: allowed, as the CLI's lazy commands are.
    add('src/shared/__typeCycleA.ts', "import type { B } from './__typeCycleB.js';\nexport interface A { readonly b?: B }\n");
    add('src/shared/__typeCycleB.ts', "import type { A } from './__typeCycleA.js';\nexport interface B { readonly a?: A }\n");
    add('src/graphql/__fixture.ts', "import { fixture } from '../../test/helper.js';\nexport const value = fixture;\n");
    mkdirSync(join(copy, 'src', 'plugins'));
    add('src/plugins/newThing.ts', "import { reasonOf } from '../shared/abort.js';\nexport const why = reasonOf;\n");

    const { status, violations } = lintDeps(copy);
    assert.notEqual(status, 0, 'depcruise exits non-zero, so npm test stops');
    const seen = violations.map((v) => `${v.rule}: ${v.from} → ${v.to}`).sort();
    assert.deepEqual(seen, [
      'layer-cache: src/cache/__upwards.ts → src/server/pipeline/deadline.ts',
      'layer-engine: src/engine/__sideways.ts → src/images/imageId.ts',
      'layer-unknown: src/plugins/newThing.ts → src/shared/abort.ts',
      'layer-vision: src/vision/__backedge.ts → src/graphql/errors.ts',
      'layer-vision: src/vision/__typeBackedge.ts → src/graphql/context.ts',
      // One report per cycle, from the module the checker met first.
      'no-circular: src/shared/__cycleA.ts → src/shared/__cycleB.ts',
      'not-to-test-or-bench: src/graphql/__fixture.ts → test/helper.ts',
    ]);
  });

  it('place every folder of src/ in a layer', () => {
    const rules = layerRules();
    const folders = readdirSync(join(repoRoot, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    assert.deepEqual(folders.filter((folder) => !rules.has(folder)).sort(), []);
    assert.ok(rules.has('index'), 'src/index.ts has its rule');
  });
});

describe("README.md's architecture table", () => {
  /** Rows of the table under "## Architecture": first cell → last cell. */
  function architectureRows(): Map<string, string> {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Architecture\n'));
    const lines = section.slice(0, section.indexOf('\n## ', 1)).split('\n');
    const header = lines.findIndex((line) => line.startsWith('| folder | holds | may import |'));
    assert.ok(header >= 0, 'the section has a "| folder | holds | may import |" table');
    const rows = new Map<string, string>();
    for (const line of lines.slice(header + 2)) {
      if (!line.startsWith('|')) break;
      const cells = line.split(' | ');
      rows.set(cells[0]!.replace(/^\| `(.*)`$/, '$1'), cells.at(-1)!.replace(/ \|$/, ''));
    }
    return rows;
  }

  const mayImport = (cell: string): string[] => [...cell.matchAll(/`([a-z]+)`/g)].map((match) => match[1]!).sort();

  it('has a row for every folder under src/, and src/server/pipeline/', () => {
    const rows = architectureRows();
    const folders = readdirSync(join(repoRoot, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `src/${entry.name}/`);
    const missing = [...folders, 'src/server/pipeline/', 'src/index.ts'].filter((folder) => !rows.has(folder));
    assert.deepEqual(missing, []);
  });

  it('says what each folder may import exactly as the rules do', () => {
    const rows = architectureRows();
    for (const [layer, allowed] of layerRules()) {
      const row = layer === 'index' ? 'src/index.ts' : `src/${layer}/`;
      assert.deepEqual(mayImport(rows.get(row) ?? ''), [...allowed].sort(), `${row}'s "may import"`);
    }
    // The pipeline is part of the server: the same rule, the same list.
    assert.deepEqual(mayImport(rows.get('src/server/pipeline/') ?? ''), mayImport(rows.get('src/server/') ?? ''));
  });
});
