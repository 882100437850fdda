/** regionToLocTokens (INTERFACE.md §7.4, floor quantiser, clamp 0…999) and parseRegionLocTokens, as tables. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRegionLocTokens, regionToLocTokens, type PixelBox } from '../../src/vision/regionInput.js';
import type { ImageSize } from '../../src/vision/postprocess/index.js';

const VGA: ImageSize = { width: 640, height: 480 };

describe('regionToLocTokens', () => {
  const cases: readonly (readonly [string, PixelBox, ImageSize, string])[] = [
    ['INTERFACE.md example', { x1: 34.24, y1: 160.08, x2: 597.44, y2: 371.76 }, VGA, '<loc_53><loc_333><loc_933><loc_774>'],
    ['whole image: the far edge clamps to 999', { x1: 0, y1: 0, x2: 640, y2: 480 }, VGA, '<loc_0><loc_0><loc_999><loc_999>'],
    ['outside the image clamps', { x1: -3, y1: -0.1, x2: 10_000, y2: 481 }, VGA, '<loc_0><loc_0><loc_999><loc_999>'],
    ['bin edges floor', { x1: 0.639, y1: 0.48, x2: 1.28, y2: 0.959 }, VGA, '<loc_0><loc_1><loc_2><loc_1>'],
    ['a degenerate box is allowed', { x1: 5, y1: 5, x2: 5, y2: 5 }, { width: 1000, height: 1000 }, '<loc_5><loc_5><loc_5><loc_5>'],
    ['fractional image size', { x1: 1, y1: 1, x2: 2, y2: 2 }, { width: 2.5, height: 2.5 }, '<loc_400><loc_400><loc_800><loc_800>'],
    ['the round trip of a dequantised HF box', { x1: 33.6, y1: 160.56, x2: 596.8, y2: 371.76 }, VGA, '<loc_52><loc_334><loc_932><loc_774>'],
  ];
  for (const [name, box, size, expected] of cases) {
    test(name, () => assert.equal(regionToLocTokens(box, size), expected));
  }

  const errors: readonly (readonly [string, unknown, unknown, string])[] = [
    ['NaN coordinate', { x1: Number.NaN, y1: 0, x2: 1, y2: 1 }, VGA, 'region x1 must be a finite number of pixels; got NaN'],
    ['infinite coordinate', { x1: 0, y1: 0, x2: Infinity, y2: 1 }, VGA, 'region x2 must be a finite number of pixels; got Infinity'],
    ['missing coordinate', { x1: 0, y1: 0, x2: 1 }, VGA, 'region y2 must be a finite number of pixels; got undefined'],
    ['string coordinate', { x1: '0', y1: 0, x2: 1, y2: 1 }, VGA, 'region x1 must be a finite number of pixels; got string'],
    [
      'inverted x',
      { x1: 10, y1: 0, x2: 5, y2: 1 },
      VGA,
      'region is inverted: expected x1 ≤ x2 and y1 ≤ y2 (pixel coordinates); got x1=10, y1=0, x2=5, y2=1',
    ],
    [
      'inverted y',
      { x1: 0, y1: 9, x2: 5, y2: 1 },
      VGA,
      'region is inverted: expected x1 ≤ x2 and y1 ≤ y2 (pixel coordinates); got x1=0, y1=9, x2=5, y2=1',
    ],
    ['no box', null, VGA, 'region must be an object {x1, y1, x2, y2} of pixel coordinates; got null'],
    [
      'zero width',
      { x1: 0, y1: 0, x2: 1, y2: 1 },
      { width: 0, height: 480 },
      'image width must be a positive finite number of pixels; got 0',
    ],
    [
      'NaN height',
      { x1: 0, y1: 0, x2: 1, y2: 1 },
      { width: 640, height: Number.NaN },
      'image height must be a positive finite number of pixels; got NaN',
    ],
  ];
  for (const [name, box, size, message] of errors) {
    test(`refuses: ${name}`, () => {
      const call = regionToLocTokens as (box: unknown, size: unknown) => string;
      assert.throws(() => call(box, size), { name: 'TaskInputError', message });
    });
  }
});

describe('parseRegionLocTokens', () => {
  test('reads the four bins', () => {
    assert.deepEqual(parseRegionLocTokens('<loc_52><loc_332><loc_932><loc_774>'), { x1: 52, y1: 332, x2: 932, y2: 774 });
    assert.deepEqual(parseRegionLocTokens('<loc_0><loc_0><loc_999><loc_999>'), { x1: 0, y1: 0, x2: 999, y2: 999 });
  });

  const shape = 'a region must be exactly four location tokens <loc_x1><loc_y1><loc_x2><loc_y2> with bins 0…999; got ';
  const errors: readonly (readonly [string, string])[] = [
    ['<loc_1><loc_2><loc_3>', `${shape}"<loc_1><loc_2><loc_3>"`],
    ['<loc_1><loc_2><loc_3><loc_4><loc_5>', `${shape}"<loc_1><loc_2><loc_3><loc_4><loc_5>"`],
    [' <loc_1><loc_2><loc_3><loc_4>', `${shape}" <loc_1><loc_2><loc_3><loc_4>"`],
    ['<loc_1000><loc_2><loc_3><loc_4>', `${shape}"<loc_1000><loc_2><loc_3><loc_4>"`],
    ['a green car', `${shape}"a green car"`],
    ['<loc_5><loc_2><loc_3><loc_4>', 'region is inverted: expected x1 ≤ x2 and y1 ≤ y2 (bin coordinates); got x1=5, y1=2, x2=3, y2=4'],
  ];
  for (const [region, message] of errors) {
    test(`refuses ${JSON.stringify(region)}`, () => assert.throws(() => parseRegionLocTokens(region), { name: 'TaskInputError', message }));
  }

  test('round trip with regionToLocTokens', () => {
    const tokens = regionToLocTokens({ x1: 34.24, y1: 160.08, x2: 597.44, y2: 371.76 }, VGA);
    assert.deepEqual(parseRegionLocTokens(tokens), { x1: 53, y1: 333, x2: 933, y2: 774 });
  });
});
