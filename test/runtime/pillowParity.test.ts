/**
 * Preprocessing against the Python reference, value for value: Pillow 9.4 decodes, orients,
 * converts to RGB and resizes with BICUBIC; transformers rescales and normalises in float32. The
 * fixtures (test/fixtures/pillow/, made by scripts/fixtures/make-pillow-fixtures.py) hold Pillow's
 * 768² result per case and Python's normalisation of every byte value; every one of the 1 769 472
 * values per case must agree within 1e-5.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { prepareImage } from '../../src/vision/image.js';
import { resizeBicubic } from '../../src/vision/pillowResize.js';
import { centreNoisePng } from '../helpers/noise.js';
import { repoRoot } from '../helpers/paths.js';

const SIZE = 768;
const PLANE = SIZE * SIZE;
const TOLERANCE = 1e-5;
const FIXTURES = join(repoRoot, 'test', 'fixtures', 'pillow');

interface PipelineCase {
  readonly note: string;
  /** Width and height after EXIF orientation: what the model's coordinates refer to. */
  readonly size: [number, number];
  /** The input file, or the generated noise that stands for it. */
  readonly input?: string;
  readonly noise?: { readonly width: number; readonly height: number; readonly seed: number };
}

interface ResizeCase {
  readonly size: [number, number];
  readonly resized: [number, number];
  /** Interleaved RGB bytes, hex. */
  readonly input: string;
  readonly output: string;
}

interface Manifest {
  readonly pillow: string;
  /** normalised[channel][byte]: Python's float32 (byte/255 − mean) / std. */
  readonly normalised: number[][];
  readonly cases: Record<string, PipelineCase>;
  readonly small: ResizeCase[];
}

const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as Manifest;

async function inputOf(fixture: PipelineCase): Promise<Uint8Array> {
  if (fixture.input) return readFileSync(join(FIXTURES, fixture.input));
  if (fixture.noise) return centreNoisePng(fixture.noise.width, fixture.noise.height, fixture.noise.seed);
  throw new Error('a fixture case names an input file or its noise');
}

async function pillowResult(name: string): Promise<Buffer> {
  const { data, info } = await sharp(join(FIXTURES, `${name}.pillow-768.png`))
    .raw()
    .toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height, info.channels], [SIZE, SIZE, 3], `${name}: the fixture is Pillow's 768² RGB`);
  return data;
}

describe(`prepareImage gives Pillow ${manifest.pillow}'s pixels, normalised as transformers does`, () => {
  for (const [name, fixture] of Object.entries(manifest.cases)) {
    test(`${name} (${fixture.note}): every value within ${TOLERANCE}`, async () => {
      const prepared = await prepareImage(await inputOf(fixture));
      assert.deepEqual([prepared.width, prepared.height], fixture.size);
      assert.equal(prepared.pixelValues.length, 3 * PLANE);
      const pillow = await pillowResult(name);
      let mismatches = 0;
      let first = '';
      for (let pixel = 0; pixel < PLANE; pixel++) {
        for (let channel = 0; channel < 3; channel++) {
          const byte = pillow[pixel * 3 + channel]!;
          const expected = manifest.normalised[channel]![byte]!;
          const actual = prepared.pixelValues[channel * PLANE + pixel]!;
          if (Math.abs(actual - expected) <= TOLERANCE) continue;
          if (mismatches++ === 0) {
            first =
              `first at x=${pixel % SIZE} y=${Math.floor(pixel / SIZE)} channel ${channel}: ${actual} where Pillow's byte ${byte} ` +
              `gives ${expected}`;
          }
        }
      }
      assert.equal(mismatches, 0, `${mismatches} of ${3 * PLANE} values differ; ${first}`);
    });
  }
});

describe('resizeBicubic equals Pillow resize(…, BICUBIC) between small sizes', () => {
  for (const { size, resized, input, output } of manifest.small) {
    test(`${size.join('×')} → ${resized.join('×')}`, () => {
      const result = resizeBicubic({ data: Buffer.from(input, 'hex'), width: size[0], height: size[1] }, resized[0], resized[1]);
      assert.deepEqual([result.width, result.height], resized);
      assert.equal(Buffer.from(result.data).toString('hex'), output);
    });
  }
});
