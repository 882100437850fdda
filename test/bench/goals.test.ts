/** bench/goals.ts: each goal met and missed at its boundary, and left out when its figures were not measured. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateGoals, healthMet } from '../../bench/goals.js';
import type { HealthProbeResult } from '../../bench/healthProbe.js';
import type { ProbeResults } from '../../bench/latencyProbes.js';
import type { PolicyRun, UnloadedLatencies } from '../../bench/mixedTraffic.js';

function health(p99Ms: number, maxMs: number, failures = 0): HealthProbeResult {
  return { periodMs: 100, latency: { count: 100, p50Ms: 1, p95Ms: 2, p99Ms, maxMs }, failures };
}

const UNLOADED: UnloadedLatencies = {
  samplesMs: { short: [500], caption: [3000], detailed: [4000] },
  medianMs: { short: 500, caption: 3000, detailed: 4000 },
};

function policyRun(policy: 'continuous' | 'batch', shortP99Ms: number, tasksPerSecond: number): PolicyRun {
  const latency = { count: 10, p50Ms: 400, p95Ms: shortP99Ms, p99Ms: shortP99Ms, maxMs: shortP99Ms };
  const outcome = { sent: 10, completedInWindow: 10, completedAfter: 0, failed: 0, latency };
  return {
    contender: policy === 'continuous' ? 'gateway' : 'gateway-batch',
    policy,
    windowMs: 120_000,
    classes: [{ className: 'short', ...outcome }],
    all: { className: 'all', ...outcome },
    tasksPerSecond,
    tokensPerSecond: 10 * tasksPerSecond,
    drainMs: 121_000,
    maxSendLagMs: 1,
    ortBusyMs: null,
    graphBusyMs: null,
    graphCalls: null,
    health: health(5, 20),
    eventLoop: { samples: 100, resolutionMs: 10, p50Ms: 0, p99Ms: 1, maxMs: 2, meanMs: 0.1 },
    requests: [],
  };
}

function probes(aloneMs: number, duringMs: number, oneTokenMs: number, firstEventMs: number): ProbeResults {
  return {
    shortDuringLong: {
      aloneMs: [aloneMs],
      aloneMedianMs: aloneMs,
      duringMs,
      longFirstEventMs: 300,
      longMs: 5000,
      longTokens: 400,
      shortFinishedFirst: true,
    },
    streaming: { oneTokenMs: [oneTokenMs], oneTokenMedianMs: oneTokenMs, firstEventMs: [firstEventMs], firstEventMedianMs: firstEventMs },
  };
}

describe('evaluateGoals', () => {
  test('nothing measured: no goals (never "met" by default)', () => {
    assert.deepEqual(evaluateGoals({ cascadeHealth: [] }), []);
  });

  test('every goal at its boundary is met', () => {
    const goals = evaluateGoals({
      cascadeHealth: [health(50, 200)],
      unloaded: UNLOADED,
      continuous: policyRun('continuous', 1500, 0.5),
      batch: policyRun('batch', 9000, 0.5),
      probes: probes(500, 1000, 300, 400),
    });
    assert.deepEqual(goals, [
      { goal: 'workload 6: short-task p99 ≤ 3× its unloaded latency', measured: '1.50 s vs 3 × 0.50 s = 1.50 s', met: true },
      { goal: 'workload 6: throughput not below batch-at-a-time', measured: '0.500 vs 0.500 tasks/s answered in the window', met: true },
      { goal: 'a short task during a 400-token caption ≤ 2× its unloaded latency', measured: '1.00 s vs 2 × 0.50 s = 1.00 s', met: true },
      { goal: 'first streamed event ≤ a one-token task + 100 ms', measured: '400 ms vs 300 ms + 100 = 400 ms', met: true },
      {
        goal: '/healthz during the cold cascade: p99 ≤ 50 ms, max ≤ 200 ms, none failed',
        measured: 'p99 50 ms, max 200 ms, 0 failed of 100',
        met: true,
      },
      {
        goal: '/healthz during workload 6: p99 ≤ 50 ms, max ≤ 200 ms, none failed',
        measured: 'p99 5 ms, max 20 ms, 0 failed of 100',
        met: true,
      },
    ]);
  });

  test('just past each boundary, each goal is missed', () => {
    const goals = evaluateGoals({
      cascadeHealth: [health(50.5, 200)],
      unloaded: UNLOADED,
      continuous: policyRun('continuous', 1501, 0.49),
      batch: policyRun('batch', 9000, 0.5),
      probes: probes(500, 1001, 300, 401),
    });
    assert.deepEqual(
      goals.map((goal) => goal.met),
      [false, false, false, false, false, true],
    );
  });

  test('without the batch contender there is no throughput comparison; rounds are named', () => {
    const goals = evaluateGoals({
      cascadeHealth: [health(1, 2), health(3, 4)],
      unloaded: UNLOADED,
      continuous: policyRun('continuous', 100, 1),
    });
    assert.deepEqual(
      goals.map((goal) => goal.goal),
      [
        'workload 6: short-task p99 ≤ 3× its unloaded latency',
        '/healthz during the cold cascade (round 1): p99 ≤ 50 ms, max ≤ 200 ms, none failed',
        '/healthz during the cold cascade (round 2): p99 ≤ 50 ms, max ≤ 200 ms, none failed',
        '/healthz during workload 6: p99 ≤ 50 ms, max ≤ 200 ms, none failed',
      ],
    );
  });
});

describe('healthMet', () => {
  test('a failed probe misses the goal whatever the latencies', () => assert.equal(healthMet(health(1, 2, 1)), false));
  test('a maximum past 200 ms misses it', () => assert.equal(healthMet(health(10, 201)), false));
  test('no answered probe misses it', () => assert.equal(healthMet({ periodMs: 100, latency: undefined, failures: 0 }), false));
});
