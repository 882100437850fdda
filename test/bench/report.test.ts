/** bench/report.ts: the Markdown the lead pastes into the README — exact rows from a hand-made report. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GraphBusy } from '../../bench/floor.js';
import type { PolicyRun } from '../../bench/mixedTraffic.js';
import { formatReport, type BenchReport, type ContenderRun } from '../../bench/report.js';

const BUSY: GraphBusy = { vision_encoder: 2500, embed_tokens: 0, encoder_model: 3300, decoder_model_merged: 3200 }; // floor 9 s

function run(
  contender: ContenderRun['contender'],
  wallMs: number,
  graphBusyMs: GraphBusy | null = null,
  extra: Partial<ContenderRun> = {},
): ContenderRun {
  const ortBusyMs = graphBusyMs ? Object.values(graphBusyMs).reduce((sum, ms) => sum + ms, 0) : null;
  return { contender, wallMs, tasks: 10, ortBusyMs, graphBusyMs, peakRssBytes: 2048 * 1024 ** 2, firstText: '', ...extra };
}

const BASE: BenchReport = {
  date: '2026-12-05T00:00:00.000Z',
  machine: { cpus: 2, cpuModel: 'Test CPU', memoryGiB: 24, node: 'v20.20.2' },
  model: { size: 'base', dtype: 'fp32', dir: '/models/base', tokensPerTask: 45 },
  loadMs: {},
  peakRssBytes: { gateway: 2500 * 1024 ** 2 },
  workloads: [
    {
      workload: 'cascade',
      title: '1. cascade',
      round: 0,
      runs: [
        run('gateway', 10_800, BUSY, {
          health: { periodMs: 100, latency: { count: 108, p50Ms: 1.2, p95Ms: 3, p99Ms: 4.5, maxMs: 12.3 }, failures: 0 },
          eventLoop: { samples: 1000, resolutionMs: 10, p50Ms: 0.1, p99Ms: 2.5, maxMs: 8, meanMs: 0.3 },
        }),
        run('naive', 39_200),
        run('transformers.js', 40_500),
      ],
    },
  ],
  goals: [],
};

function linesOf(report: BenchReport): string[] {
  return formatReport(report).split('\n');
}

describe('formatReport', () => {
  test('workloads 1–5: our floor beside our time, and the speed-up at the floor (tjs ÷ floor)', () => {
    const lines = linesOf(BASE);
    assert.ok(
      lines.includes(
        '| workload | ours (s) | floor (s) | naive (s) | transformers.js (s) | speed-up vs tjs | at the floor | vs naive | target | ' +
          'ORT busy ÷ wall (ours) | peak RSS MB ours / naive / tjs |',
      ),
    );
    assert.ok(
      lines.includes('| 1. cascade | 10.80 | 9.00 | 39.20 | 40.50 | 3.75× | 4.50× | 3.63× | ≥ 4.3× tjs | 0.83 | 2048 / 2048 / 2048 |'),
      lines.join('\n'),
    );
  });

  test('the floor by stage, and what the wall time adds to it', () => {
    assert.ok(linesOf(BASE).includes('| 1. cascade | 2.50 | 3.30 | 3.20 | 9.00 | 10.80 | 1.80 |'));
  });

  test('responsiveness during the cold cascade: /healthz and event-loop delay', () => {
    assert.ok(linesOf(BASE).includes('| 1. cold cascade, continuous | 1.2 / 4.5 / 12.3 | 108 (0) | 0.1 / 2.5 / 8.0 | met |'));
  });

  test('a contender skipped prints dashes, not zeros', () => {
    const skipped: BenchReport = { ...BASE, workloads: [{ ...BASE.workloads[0]!, runs: [run('gateway', 10_800, BUSY)] }] };
    assert.ok(linesOf(skipped).includes('| 1. cascade | 10.80 | 9.00 | – | – | – | – | – | ≥ 4.3× tjs | 0.83 | 2048 / – / – |'));
  });

  test('goals: met and missed, with their figures', () => {
    const report: BenchReport = {
      ...BASE,
      goals: [
        { goal: 'goal one', measured: '1 vs 2', met: true },
        { goal: 'goal two', measured: '3 vs 2', met: false },
      ],
    };
    const lines = linesOf(report);
    assert.ok(lines.includes('- met: goal one (1 vs 2)'));
    assert.ok(lines.includes('- **missed**: goal two (3 vs 2)'));
  });

  test('workload 6: per class and policy, percentiles in seconds and answers in and after the window', () => {
    const policy = (name: 'continuous' | 'batch', p99Ms: number, after: number): PolicyRun => {
      const latency = { count: 10, p50Ms: 500, p95Ms: 900, p99Ms, maxMs: p99Ms };
      const outcome = { sent: 10, completedInWindow: 10 - after, completedAfter: after, failed: 0, latency };
      return {
        contender: name === 'continuous' ? 'gateway' : 'gateway-batch',
        policy: name,
        windowMs: 120_000,
        classes: [
          { className: 'short', ...outcome },
          { className: 'caption', ...outcome },
          { className: 'detailed', ...outcome },
        ],
        all: { className: 'all', ...outcome, sent: 30, completedInWindow: 30 - 3 * after, completedAfter: 3 * after },
        tasksPerSecond: 0.25,
        tokensPerSecond: 12.5,
        drainMs: 125_000,
        maxSendLagMs: 2,
        ortBusyMs: 100_000,
        graphBusyMs: BUSY,
        graphCalls: { vision_encoder: 1, embed_tokens: 10, encoder_model: 10, decoder_model_merged: 200 },
        health: { periodMs: 100, latency: { count: 1250, p50Ms: 1, p95Ms: 2, p99Ms: 60, maxMs: 90 }, failures: 0 },
        eventLoop: { samples: 12_500, resolutionMs: 10, p50Ms: 0, p99Ms: 1, maxMs: 3, meanMs: 0.1 },
        requests: [],
      };
    };
    const report: BenchReport = {
      ...BASE,
      workloads: [],
      mixed: {
        seed: 6,
        loadFactor: 0.7,
        windowMs: 120_000,
        unloaded: {
          samplesMs: { short: [500], caption: [3000], detailed: [4000] },
          medianMs: { short: 500, caption: 3000, detailed: 4000 },
        },
        capacity: { meanServiceMs: 1350, tasksPerSecond: 1000 / 1350 },
        ratePerSecond: 0.7 * (1000 / 1350),
        arrivals: { short: 10, caption: 10, detailed: 10 },
        runs: [policy('continuous', 1200, 0), policy('batch', 8000, 2)],
      },
    };
    const lines = linesOf(report);
    assert.ok(
      lines.includes(
        '| short (20 tokens, cached features) | 0.50 | 0.50 / 0.90 / 1.20 | 0.50 / 0.90 / 8.00 | 10 + 0 of 10 | 8 + 2 of 10 |',
      ),
      lines.join('\n'),
    );
    assert.ok(lines.includes('| all | E[S] 1.35 | 0.50 / 0.90 / 1.20 | 0.50 / 0.90 / 8.00 | 30 + 0 of 30 | 24 + 6 of 30 |'));
    assert.ok(
      lines.includes('| continuous | 0.250 | 12.5 | 125.00 | 0.80 | 9.00: 2.50 / 3.30 / 3.20 | 200 (16.0) | 2 |'),
      lines.join('\n'),
    );
    assert.ok(lines.includes('| 6. mixed traffic, batch | 1.0 / 60.0 / 90.0 | 1250 (0) | 0.0 / 1.0 / 3.0 | **missed** |'));
    assert.ok(
      lines.some((line) => line.startsWith('6. open-loop mixed traffic: Poisson arrivals at 0.519/s (0.7 × a capacity of 0.741/s')),
    );
  });
});
