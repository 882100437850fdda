/** Misuse of the Pillow resampler and converter: exact messages that echo what arrived. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cmykToRgb } from '../../src/vision/pillowConvert.js';
import { resizeBicubic } from '../../src/vision/pillowResize.js';

const image = { data: new Uint8Array(3 * 2 * 3), width: 3, height: 2 };

test('pixel data of the wrong length', () => {
  assert.throws(() => resizeBicubic({ ...image, data: new Uint8Array(17) }, 4, 4), {
    name: 'RangeError',
    message: 'a 3×2 RGB image has 18 bytes; got 17',
  });
});

test('an image size that is not whole positive pixels', () => {
  for (const [width, height] of [
    [0, 2],
    [3, -2],
    [1.5, 2],
    [Number.NaN, 2],
  ]) {
    assert.throws(() => resizeBicubic({ data: new Uint8Array(18), width: width!, height: height! }, 4, 4), {
      name: 'RangeError',
      message: `the image size must be whole positive pixels; got ${width}×${height}`,
    });
  }
});

test('a target size that is not whole positive pixels', () => {
  for (const [width, height] of [
    [0, 768],
    [768, -1],
    [767.5, 768],
    [Number.POSITIVE_INFINITY, 1],
  ]) {
    assert.throws(() => resizeBicubic(image, width!, height!), {
      name: 'RangeError',
      message: `the target size must be whole positive pixels; got ${width}×${height}`,
    });
  }
});

test('CMYK data that is not whole 4-byte pixels', () => {
  assert.throws(() => cmykToRgb(new Uint8Array(7)), { name: 'RangeError', message: 'CMYK data comes in 4-byte pixels; got 7 bytes' });
});
