/**
 * Pillow's bicubic resampler (src/vision/pillowResize.ts) on cases small enough to work by hand.
 * Exact parity with Pillow itself, at every size the pipeline uses and more, is
 * test/runtime/pillowParity.test.ts; Pillow's CMYK conversion is checked here too.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cmykToRgb } from '../../src/vision/pillowConvert.js';
import { resizeBicubic, type RgbImage } from '../../src/vision/pillowResize.js';

function flat(width: number, height: number, value: number): RgbImage {
  return { data: new Uint8Array(width * height * 3).fill(value), width, height };
}

describe('resizeBicubic', () => {
  test('a 0→255 pair of pixels doubled is [0, 53, 202, 255]: the outer taps overshoot and clip', () => {
    // Output pixel 1 centres at 0.75: weights bicubic(−0.25) = 0.8671875 and bicubic(0.75) = 0.2265625,
    // normalised by their sum to 0.7929 and 0.2071 (fixed point 868830 / 2²²): 255 × 0.2071 = 52.8 → 53.
    // Pixel 0 centres at 0.25 and weighs the 255 with bicubic(1.25) < 0: below zero, clipped to 0.
    const pair = { data: Uint8Array.from([0, 0, 0, 255, 255, 255]), width: 2, height: 1 };
    const doubled = resizeBicubic(pair, 4, 1);
    assert.deepEqual([...doubled.data], [0, 0, 0, 53, 53, 53, 202, 202, 202, 255, 255, 255]);
  });

  for (const [[width, height], [toWidth, toHeight]] of [
    [
      [1, 1],
      [768, 768],
    ],
    [
      [1000, 3],
      [7, 768],
    ],
    [
      [37, 37],
      [1, 1],
    ],
    [
      [5, 1200],
      [768, 2],
    ],
  ] as const) {
    test(`a flat colour stays flat: ${width}×${height} → ${toWidth}×${toHeight}`, () => {
      for (const value of [0, 1, 128, 254, 255]) {
        const resized = resizeBicubic(flat(width, height, value), toWidth, toHeight);
        assert.deepEqual([resized.width, resized.height], [toWidth, toHeight]);
        assert.equal(resized.data.length, toWidth * toHeight * 3);
        assert.ok(
          resized.data.every((byte) => byte === value),
          `value ${value}`,
        );
      }
    });
  }

  test('channels stay apart: an R, G, B image resized keeps each channel its own', () => {
    const rgb = { data: new Uint8Array(6 * 4 * 3).map((_, i) => [200, 100, 0][i % 3]!), width: 6, height: 4 };
    const resized = resizeBicubic(rgb, 17, 3);
    assert.ok(resized.data.every((byte, i) => byte === [200, 100, 0][i % 3]));
  });

  test('an image already that size is copied, not shared', () => {
    const image = { data: Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => i * 13), width: 2, height: 3 };
    const same = resizeBicubic(image, 2, 3);
    assert.deepEqual(same, image);
    assert.notEqual(same.data, image.data);
  });
});

describe('cmykToRgb (Pillow 9.4 cmyk2rgb)', () => {
  test('no ink is white, full black is black, and ink darkens by (255 − K)·X/255, rounded', () => {
    // 128·255/255 = 128, so (255 − 0) − 128 = 127; with K = 51, 204 − round(128·204/255 = 102.4) = 102.
    const rgb = cmykToRgb(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 255, 128, 0, 255, 0, 128, 0, 255, 51]));
    assert.deepEqual([...rgb], [255, 255, 255, 0, 0, 0, 127, 255, 0, 102, 204, 0]);
  });
});
