/** Image decoding and preprocessing (src/vision/image.ts): PIL parity, orientation, formats, limits. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { ImageDecodeError, ImageTooLargeError } from '../../src/vision/errors.js';
import { prepareImage, readImageInfo } from '../../src/vision/image.js';
import { patternPng, solidImage } from '../helpers/images.js';
import { repoRoot } from '../helpers/paths.js';

const PLANE = 768 * 768;

interface PilReference {
  readonly size: [number, number];
  readonly samples: [number, number, number, number, number][];
}

describe('preprocessing matches Pillow bicubic (the Python processor)', () => {
  const fixtures = join(repoRoot, 'test', 'fixtures');
  const reference = JSON.parse(readFileSync(join(fixtures, 'pil-bicubic-768.json'), 'utf8')) as Record<string, PilReference>;
  for (const [name, { size, samples }] of Object.entries(reference)) {
    test(`${name}: every sampled value within 0.08, mean within 0.02`, async () => {
      const prepared = await prepareImage(join(fixtures, `${name}.png`));
      assert.deepEqual([prepared.width, prepared.height], size);
      assert.equal(prepared.pixelValues.length, 3 * PLANE);
      let worst = 0;
      let total = 0;
      for (const [y, x, ...rgb] of samples) {
        for (let c = 0; c < 3; c++) {
          const difference = Math.abs(prepared.pixelValues[c * PLANE + y * 768 + x]! - rgb[c]!);
          worst = Math.max(worst, difference);
          total += difference;
        }
      }
      assert.ok(worst <= 0.08, `max difference ${worst}`);
      assert.ok(total / (samples.length * 3) <= 0.02, `mean difference ${total / (samples.length * 3)}`);
    });
  }

  test('a white pixel normalises to (1 − mean) / std per channel', async () => {
    const white = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const { pixelValues } = await prepareImage(white);
    assert.ok(Math.abs(pixelValues[0]! - 2.248908281) < 1e-5);
    assert.ok(Math.abs(pixelValues[PLANE]! - (1 - 0.456) / 0.224) < 1e-5);
    assert.ok(Math.abs(pixelValues[2 * PLANE]! - (1 - 0.406) / 0.225) < 1e-5);
  });
});

describe('decoding', () => {
  test('EXIF orientation is applied: sizes are as a browser shows them', async () => {
    const rotated = await sharp(await patternPng(64, 32)).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const info = await readImageInfo(rotated);
    assert.deepEqual([info.width, info.height], [32, 64]);
    const upright = await sharp(rotated).rotate().jpeg().toBuffer();
    const a = await prepareImage(rotated);
    const b = await prepareImage(upright);
    let worst = 0;
    for (let i = 0; i < a.pixelValues.length; i += 97) worst = Math.max(worst, Math.abs(a.pixelValues[i]! - b.pixelValues[i]!));
    assert.ok(worst < 0.3, `oriented pixels differ by ${worst}`);
  });

  test('alpha is dropped and grey becomes three equal channels', async () => {
    const rgba = await sharp({ create: { width: 4, height: 4, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 0.2 } } }).png().toBuffer();
    const { pixelValues } = await prepareImage(rgba);
    assert.ok(Math.abs(pixelValues[0]! - (10 / 255 - 0.485) / 0.229) < 1e-4);
    const grey = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } }).greyscale().png().toBuffer();
    const g = await prepareImage(grey);
    const raw = [0, 1, 2].map((c) => g.pixelValues[c * PLANE]! * [0.229, 0.224, 0.225][c]! + [0.485, 0.456, 0.406][c]!);
    assert.ok(Math.abs(raw[0]! - raw[1]!) < 1e-4 && Math.abs(raw[1]! - raw[2]!) < 1e-4);
  });

  for (const format of ['png', 'jpeg', 'webp', 'gif', 'tiff', 'avif'] as const) {
    test(`${format} is accepted`, async () => {
      const info = await readImageInfo(await solidImage(40, 30, format));
      assert.deepEqual([info.width, info.height], [40, 30]);
    });
  }

  test('SVG is refused, naming the format and what is accepted', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    await assert.rejects(readImageInfo(svg), (error: unknown) => {
      assert.ok(error instanceof ImageDecodeError);
      assert.match(error.message, /SVG format are not accepted; expected JPEG, PNG, WebP, GIF, TIFF or AVIF/);
      return true;
    });
  });

  test('zero bytes, garbage and truncated images are BAD_IMAGE', async () => {
    await assert.rejects(readImageInfo(new Uint8Array()), { code: 'BAD_IMAGE', message: /empty \(0 bytes\)/ });
    await assert.rejects(readImageInfo(Buffer.from('this is not an image at all')), { code: 'BAD_IMAGE', message: /not a readable image/ });
    const jpeg = await sharp(await patternPng(300, 200)).jpeg().toBuffer();
    await assert.rejects(prepareImage(jpeg.subarray(0, Math.floor(jpeg.length / 2))), { code: 'BAD_IMAGE' });
  });

  test('an image over the pixel limit is refused before decoding', async () => {
    const image = await solidImage(400, 300);
    await assert.rejects(readImageInfo(image, { maxPixels: 100_000 }), (error: unknown) => {
      assert.ok(error instanceof ImageTooLargeError);
      assert.match(error.message, /400×300 pixels \(0\.12 megapixels\); the limit is 0\.10 megapixels/);
      return true;
    });
  });

  test('a missing file names the path', async () => {
    await assert.rejects(prepareImage('/nonexistent/photo.jpg'), { code: 'BAD_IMAGE', message: /\/nonexistent\/photo\.jpg: ENOENT/ });
  });
});
