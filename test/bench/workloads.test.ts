/** bench/workloads.ts: the unique region prompts of workload 6's short tasks. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueRegion } from '../../bench/workloads.js';

const REGION = /^<loc_(\d+)><loc_(\d+)><loc_(\d+)><loc_(\d+)>$/;

describe('uniqueRegion', () => {
  test('exact prompts at the edges of its range', () => {
    assert.equal(uniqueRegion(0), '<loc_0><loc_0><loc_499><loc_499>');
    assert.equal(uniqueRegion(501), '<loc_1><loc_1><loc_500><loc_500>');
    assert.equal(uniqueRegion(249_999), '<loc_499><loc_499><loc_998><loc_998>');
  });

  test('distinct, valid boxes (bins 0…999, corners ordered) across its range', () => {
    const seen = new Set<string>();
    for (let n = 0; n < 250_000; n += 7) {
      const prompt = uniqueRegion(n);
      const bins = REGION.exec(prompt)?.slice(1).map(Number);
      assert.ok(bins, prompt);
      const [x1, y1, x2, y2] = bins as [number, number, number, number];
      assert.ok(x2 > x1 && y2 > y1 && x2 <= 999 && y2 <= 999, prompt);
      assert.ok(!seen.has(prompt), `${prompt} twice`);
      seen.add(prompt);
    }
  });

  test('outside its range it refuses, naming what arrived', () => {
    assert.throws(() => uniqueRegion(250_000), { message: 'uniqueRegion takes a whole number from 0 to 249999; got 250000' });
    assert.throws(() => uniqueRegion(-1), { message: 'uniqueRegion takes a whole number from 0 to 249999; got -1' });
    assert.throws(() => uniqueRegion(1.5), { message: 'uniqueRegion takes a whole number from 0 to 249999; got 1.5' });
  });
});
