/** Image decoding and preprocessing (src/vision/image.ts): normalisation, orientation, colour, formats, damage, limits. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { ImageDecodeError, ImageTooLargeError } from '../../src/vision/errors.js';
import { decodeRgb, prepareImage, readImageInfo } from '../../src/vision/image.js';
import { patternPng, solidImage } from '../helpers/images.js';

const PLANE = 768 * 768;

// Value-for-value parity with Pillow is test/runtime/pillowParity.test.ts.
describe('normalisation', () => {
  test('a white pixel normalises to (1 − mean) / std per channel', async () => {
    const white = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const { pixelValues } = await prepareImage(white);
    assert.ok(Math.abs(pixelValues[0]! - 2.248908281) < 1e-5);
    assert.ok(Math.abs(pixelValues[PLANE]! - (1 - 0.456) / 0.224) < 1e-5);
    assert.ok(Math.abs(pixelValues[2 * PLANE]! - (1 - 0.406) / 0.225) < 1e-5);
  });
});

describe('decoding', () => {
  test('EXIF orientation is applied: sizes are as a browser shows them', async () => {
    const rotated = await sharp(await patternPng(64, 32))
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
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
    const rgba = await sharp({ create: { width: 4, height: 4, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 0.2 } } })
      .png()
      .toBuffer();
    const { pixelValues } = await prepareImage(rgba);
    assert.ok(Math.abs(pixelValues[0]! - (10 / 255 - 0.485) / 0.229) < 1e-4);
    const grey = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } })
      .greyscale()
      .png()
      .toBuffer();
    const g = await prepareImage(grey);
    const raw = [0, 1, 2].map((c) => g.pixelValues[c * PLANE]! * [0.229, 0.224, 0.225][c]! + [0.485, 0.456, 0.406][c]!);
    assert.ok(Math.abs(raw[0]! - raw[1]!) < 1e-4 && Math.abs(raw[1]! - raw[2]!) < 1e-4);
  });

  test('an embedded colour profile is ignored, as Pillow ignores it: the stored values are the pixels', async () => {
    const tagged = await sharp(await patternPng(64, 48))
      .jpeg()
      .withIccProfile('p3')
      .toBuffer();
    const untagged = withoutIccProfile(tagged);
    assert.ok(untagged.length < tagged.length, 'the profile was there to strip');
    const stored = await decodeRgb(untagged);
    assert.deepEqual(await decodeRgb(tagged), stored);
    const managed = await sharp(tagged).raw().toBuffer();
    assert.notDeepEqual(new Uint8Array(managed), new Uint8Array(stored.data), 'sharp would have transformed these pixels');
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

  test('zero bytes and garbage are BAD_IMAGE', async () => {
    await assert.rejects(readImageInfo(new Uint8Array()), { code: 'BAD_IMAGE', message: /empty \(0 bytes\)/ });
    await assert.rejects(readImageInfo(Buffer.from('this is not an image at all')), { code: 'BAD_IMAGE', message: /not a readable image/ });
  });

  for (const [format, reason] of [
    ['jpeg', /premature end of JPEG image/],
    ['png', /libpng read error/],
  ] as const) {
    test(`a ${format} cut at 60 % is refused, as Pillow refuses it; the whole file works`, async () => {
      const whole = await sharp(await patternPng(256, 256))
        .toFormat(format)
        .toBuffer();
      const cut = whole.subarray(0, Math.floor(whole.length * 0.6));
      await assert.rejects(prepareImage(cut), (error: unknown) => {
        assert.ok(error instanceof ImageDecodeError);
        assert.match(
          error.message,
          /^the image's pixels could not be decoded \(.+\); the file may be truncated or corrupt: send the complete image$/,
        );
        assert.match(error.message, reason);
        return true;
      });
      const prepared = await prepareImage(whole);
      assert.deepEqual([prepared.width, prepared.height], [256, 256]);
    });
  }

  test('damage Pillow decodes through is decoded too: a PNG whose pixel chunk has a bad CRC', async () => {
    const png = await patternPng(64, 48);
    const damaged = Buffer.from(png);
    const idat = damaged.indexOf('IDAT');
    const crcAt = idat + 4 + damaged.readUInt32BE(idat - 4);
    damaged[crcAt] = damaged[crcAt]! ^ 0xff;
    assert.deepEqual(await decodeRgb(damaged), await decodeRgb(png));
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

/** The JPEG without its APP2 (ICC profile) segments. */
function withoutIccProfile(jpeg: Buffer): Buffer {
  const kept: Buffer[] = [jpeg.subarray(0, 2)];
  let at = 2;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff && jpeg[at + 1] !== 0xda) {
    const end = at + 2 + jpeg.readUInt16BE(at + 2);
    if (jpeg[at + 1] !== 0xe2) kept.push(jpeg.subarray(at, end));
    at = end;
  }
  kept.push(jpeg.subarray(at));
  return Buffer.concat(kept);
}
