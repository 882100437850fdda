/** bench/trafficSummary.ts: workload 6's capacity and the per-class summary of a run, worked out by hand. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { capacityOf, summarizeTraffic, TRAFFIC_MIX, type RequestRecord } from '../../bench/trafficSummary.js';

describe('the mix', () => {
  test('70 % short, 20 % captions of new images, 10 % detailed captions', () => {
    assert.deepEqual(TRAFFIC_MIX, [
      { name: 'short', share: 0.7 },
      { name: 'caption', share: 0.2 },
      { name: 'detailed', share: 0.1 },
    ]);
  });
});

describe('capacityOf', () => {
  test('1 / E[S], E[S] weighted by the mix', () => {
    // 0.7 × 500 + 0.2 × 3000 + 0.1 × 4000 = 1350 ms
    const capacity = capacityOf({ short: 500, caption: 3000, detailed: 4000 });
    assert.equal(capacity.meanServiceMs, 1350);
    assert.equal(capacity.tasksPerSecond, 1000 / 1350);
  });

  test('a missing or non-positive latency is refused, naming the class', () => {
    assert.throws(() => capacityOf({ short: 500, caption: Number.NaN, detailed: 4000 }), {
      message: 'the unloaded latency of caption must be a positive number of ms; got NaN',
    });
  });
});

function record(
  index: number,
  className: RequestRecord['className'],
  atMs: number,
  finishedAtMs: number,
  extra: Partial<RequestRecord> = {},
): RequestRecord {
  return { index, className, atMs, sendLagMs: 0, latencyMs: finishedAtMs - atMs, finishedAtMs, ...extra };
}

describe('summarizeTraffic', () => {
  const WINDOW_MS = 10_000;
  const records: RequestRecord[] = [
    record(0, 'short', 0, 400),
    record(1, 'short', 1000, 1600),
    record(2, 'short', 2000, 2200, { sendLagMs: 3 }),
    record(3, 'caption', 3000, 6000),
    record(4, 'detailed', 5000, 9000),
    record(5, 'detailed', 9000, 13_000), // answered after the window
    record(6, 'short', 9500, 9900, { error: 'BUSY' }),
  ];
  const summary = summarizeTraffic(records, WINDOW_MS);

  test('per class: sent, answered in the window and after, failed, latency of the successes', () => {
    assert.deepEqual(summary.classes, [
      {
        className: 'short',
        sent: 4,
        completedInWindow: 3,
        completedAfter: 0,
        failed: 1,
        latency: { count: 3, p50Ms: 400, p95Ms: 600, p99Ms: 600, maxMs: 600 },
      },
      {
        className: 'caption',
        sent: 1,
        completedInWindow: 1,
        completedAfter: 0,
        failed: 0,
        latency: { count: 1, p50Ms: 3000, p95Ms: 3000, p99Ms: 3000, maxMs: 3000 },
      },
      {
        className: 'detailed',
        sent: 2,
        completedInWindow: 1,
        completedAfter: 1,
        failed: 0,
        latency: { count: 2, p50Ms: 4000, p95Ms: 4000, p99Ms: 4000, maxMs: 4000 },
      },
    ]);
    assert.deepEqual(summary.all, {
      className: 'all',
      sent: 7,
      completedInWindow: 5,
      completedAfter: 1,
      failed: 1,
      latency: { count: 6, p50Ms: 600, p95Ms: 4000, p99Ms: 4000, maxMs: 4000 },
    });
  });

  test('throughput counts what was answered in the window: 5 tasks and 3×20 + 45 + 300 tokens in 10 s', () => {
    assert.equal(summary.tasksPerSecond, 0.5);
    assert.equal(summary.tokensPerSecond, (3 * 20 + 45 + 300) / 10);
  });

  test('drain time is the last answer, failures included; the worst send lag is kept', () => {
    assert.equal(summary.drainMs, 13_000);
    assert.equal(summary.maxSendLagMs, 3);
  });

  test('a class with no requests has no latency summary', () => {
    const onlyShort = summarizeTraffic([record(0, 'short', 0, 100)], WINDOW_MS);
    assert.deepEqual(onlyShort.classes[2], {
      className: 'detailed',
      sent: 0,
      completedInWindow: 0,
      completedAfter: 0,
      failed: 0,
      latency: undefined,
    });
  });
});
