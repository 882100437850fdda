/** bench/stats.ts: nearest-rank percentiles and medians, against values worked out by hand. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { median, percentile, summarize } from '../../bench/stats.js';

const ONE_TO_HUNDRED = Array.from({ length: 100 }, (_, i) => 100 - i); // unsorted on purpose

describe('percentile (nearest rank)', () => {
  const cases: [string, number[], number, number | undefined][] = [
    ['p50 of 1…100', ONE_TO_HUNDRED, 50, 50],
    ['p95 of 1…100', ONE_TO_HUNDRED, 95, 95],
    ['p99 of 1…100', ONE_TO_HUNDRED, 99, 99],
    ['p100 is the maximum', ONE_TO_HUNDRED, 100, 100],
    ['p99 of fewer than 100 samples is their maximum', [3, 1, 2], 99, 3],
    ['p50 of an even count is the lower middle (no interpolation)', [4, 1, 3, 2], 50, 2],
    ['p1 of 1…100 is the minimum', ONE_TO_HUNDRED, 1, 1],
    ['a single sample is every percentile', [7], 50, 7],
    ['no samples', [], 99, undefined],
  ];
  for (const [name, values, p, expected] of cases) {
    test(name, () => assert.equal(percentile(values, p), expected));
  }

  test('a percentile outside (0, 100] is refused, naming what arrived', () => {
    assert.throws(() => percentile([1], 0), { message: 'percentile must be in (0, 100]; got 0' });
    assert.throws(() => percentile([1], 101), { message: 'percentile must be in (0, 100]; got 101' });
    assert.throws(() => percentile([1], Number.NaN), { message: 'percentile must be in (0, 100]; got NaN' });
  });

  test('the input is left as it was', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    assert.deepEqual(values, [3, 1, 2]);
  });
});

describe('median', () => {
  test('odd count: the middle value', () => assert.equal(median([5, 1, 3]), 3));
  test('even count: the mean of the two middle values', () => assert.equal(median([4, 1, 3, 2]), 2.5));
  test('no samples', () => assert.equal(median([]), undefined));
});

describe('summarize', () => {
  test('count, p50, p95, p99 and maximum', () => {
    assert.deepEqual(summarize(ONE_TO_HUNDRED), { count: 100, p50Ms: 50, p95Ms: 95, p99Ms: 99, maxMs: 100 });
  });
  test('a long tail shows in p99 and max, not p50', () => {
    const values = [...Array.from({ length: 98 }, () => 10), 500, 900];
    assert.deepEqual(summarize(values), { count: 100, p50Ms: 10, p95Ms: 10, p99Ms: 500, maxMs: 900 });
  });
  test('no samples: undefined', () => assert.equal(summarize([]), undefined));
});
