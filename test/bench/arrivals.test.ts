/** bench/arrivals.ts: a seeded Poisson schedule — reproducible, in range, with the right rate, gaps and mix. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { poissonSchedule, type ClassShare } from '../../bench/arrivals.js';

type Kind = 'a' | 'b' | 'c';
const MIX: ClassShare<Kind>[] = [
  { name: 'a', share: 0.7 },
  { name: 'b', share: 0.2 },
  { name: 'c', share: 0.1 },
];
/** 10 arrivals/s for 1000 s: 10 000 expected, a standard deviation of 100. */
const LONG = { ratePerSecond: 10, durationMs: 1_000_000, mix: MIX, seed: 6 };

describe('poissonSchedule', () => {
  test('the same seed gives the same schedule; another seed another one', () => {
    const options = { ratePerSecond: 2, durationMs: 30_000, mix: MIX, seed: 6 };
    assert.deepEqual(poissonSchedule(options), poissonSchedule(options));
    assert.notDeepEqual(
      poissonSchedule(options).map((arrival) => arrival.atMs),
      poissonSchedule({ ...options, seed: 7 }).map((arrival) => arrival.atMs),
    );
  });

  test('arrivals are numbered in order, strictly increasing, within [0, duration)', () => {
    const schedule = poissonSchedule({ ratePerSecond: 5, durationMs: 60_000, mix: MIX, seed: 1 });
    assert.ok(schedule.length > 0);
    schedule.forEach((arrival, i) => {
      assert.equal(arrival.index, i);
      assert.ok(arrival.atMs >= 0 && arrival.atMs < 60_000, `arrival ${i} at ${arrival.atMs}`);
      if (i > 0) assert.ok(arrival.atMs > schedule[i - 1]!.atMs, `arrival ${i} not after ${i - 1}`);
    });
  });

  test('the count is λ·T within three standard deviations', () => {
    const count = poissonSchedule(LONG).length;
    assert.ok(Math.abs(count - 10_000) <= 300, `count ${count}`);
  });

  test('gaps are exponential: mean 1/λ and coefficient of variation 1 (evenly spaced or bunched arrivals fail)', () => {
    const times = poissonSchedule(LONG).map((arrival) => arrival.atMs);
    const gaps = times.slice(1).map((at, i) => at - times[i]!);
    const mean = gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((sum, gap) => sum + (gap - mean) ** 2, 0) / gaps.length);
    assert.ok(Math.abs(mean - 100) < 3, `mean gap ${mean} ms`);
    assert.ok(Math.abs(sd / mean - 1) < 0.05, `coefficient of variation ${sd / mean}`);
    // Exponential: P(gap > mean) = 1/e.
    const longer = gaps.filter((gap) => gap > 100).length / gaps.length;
    assert.ok(Math.abs(longer - Math.exp(-1)) < 0.02, `share of gaps above the mean ${longer}`);
  });

  test('classes follow the mix', () => {
    const schedule = poissonSchedule(LONG);
    for (const { name, share } of MIX) {
      const observed = schedule.filter((arrival) => arrival.className === name).length / schedule.length;
      assert.ok(Math.abs(observed - share) < 0.015, `${name}: ${observed} for ${share}`);
    }
  });

  test('changing the mix keeps the arrival times (separate streams)', () => {
    const other: ClassShare<Kind>[] = [
      { name: 'a', share: 0.5 },
      { name: 'b', share: 0.5 },
    ];
    const options = { ratePerSecond: 3, durationMs: 20_000, mix: MIX, seed: 9 };
    assert.deepEqual(
      poissonSchedule(options).map((arrival) => arrival.atMs),
      poissonSchedule({ ...options, mix: other }).map((arrival) => arrival.atMs),
    );
  });

  test('bad options are refused, naming what arrived', () => {
    const base = { ratePerSecond: 1, durationMs: 1000, mix: MIX, seed: 1 };
    assert.throws(() => poissonSchedule({ ...base, ratePerSecond: 0 }), { message: 'ratePerSecond must be a positive number; got 0' });
    assert.throws(() => poissonSchedule({ ...base, durationMs: Number.POSITIVE_INFINITY }), {
      message: 'durationMs must be a positive number; got Infinity',
    });
    assert.throws(() => poissonSchedule({ ...base, mix: [] }), {
      message: 'mix must name at least one class, each with a positive share; got []',
    });
    assert.throws(
      () =>
        poissonSchedule({
          ...base,
          mix: [
            { name: 'a', share: 0.7 },
            { name: 'b', share: 0.2 },
          ],
        }),
      {
        message: 'the shares of mix must add up to 1; they add up to 0.8999999999999999',
      },
    );
  });
});
