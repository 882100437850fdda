/**
 * The issue's goals for the continuous-batching engine, checked against what the bench measured.
 * A goal whose figures were not measured in this run (a skipped contender or section) is left out,
 * never reported as met.
 */
import type { ProbeResults } from './latencyProbes.js';
import type { PolicyRun, UnloadedLatencies } from './mixedTraffic.js';
import type { HealthProbeResult } from './healthProbe.js';

/** Short-task p99 under workload 6 may be at most this many times its unloaded latency. */
export const SHORT_P99_FACTOR = 3;
/** A short task during a long one may take at most this many times its latency alone. */
export const SHORT_DURING_LONG_FACTOR = 2;
/** `/healthz` under load: p99 and maximum latency, ms. */
export const HEALTH_P99_MS = 50;
export const HEALTH_MAX_MS = 200;
/** The first streamed event may come at most this much after a one-token task's answer, ms. */
export const STREAM_MARGIN_MS = 100;

export interface Goal {
  readonly goal: string;
  /** The figures compared, in words. */
  readonly measured: string;
  readonly met: boolean;
}

export interface GoalInputs {
  /** `/healthz` during each gateway run of the cold cascade (workload 1). */
  readonly cascadeHealth: readonly HealthProbeResult[];
  readonly unloaded?: UnloadedLatencies | undefined;
  readonly continuous?: PolicyRun | undefined;
  readonly batch?: PolicyRun | undefined;
  readonly probes?: ProbeResults | undefined;
}

export function evaluateGoals(inputs: GoalInputs): Goal[] {
  const goals: Goal[] = [];
  const { unloaded, continuous, batch, probes } = inputs;
  const shortP99 = continuous?.classes.find((outcome) => outcome.className === 'short')?.latency?.p99Ms;
  if (unloaded && shortP99 !== undefined) {
    const limit = SHORT_P99_FACTOR * unloaded.medianMs.short;
    goals.push({
      goal: `workload 6: short-task p99 ≤ ${SHORT_P99_FACTOR}× its unloaded latency`,
      measured: `${seconds(shortP99)} vs ${SHORT_P99_FACTOR} × ${seconds(unloaded.medianMs.short)} = ${seconds(limit)}`,
      met: shortP99 <= limit,
    });
  }
  if (continuous && batch) {
    goals.push({
      goal: 'workload 6: throughput not below batch-at-a-time',
      measured: `${continuous.tasksPerSecond.toFixed(3)} vs ${batch.tasksPerSecond.toFixed(3)} tasks/s answered in the window`,
      met: continuous.tasksPerSecond >= batch.tasksPerSecond,
    });
  }
  if (probes) {
    const { shortDuringLong, streaming } = probes;
    const limit = SHORT_DURING_LONG_FACTOR * shortDuringLong.aloneMedianMs;
    goals.push({
      goal: `a short task during a 400-token caption ≤ ${SHORT_DURING_LONG_FACTOR}× its unloaded latency`,
      measured:
        `${seconds(shortDuringLong.duringMs)} vs ` +
        `${SHORT_DURING_LONG_FACTOR} × ${seconds(shortDuringLong.aloneMedianMs)} = ${seconds(limit)}`,
      met: shortDuringLong.duringMs <= limit,
    });
    const streamLimit = streaming.oneTokenMedianMs + STREAM_MARGIN_MS;
    goals.push({
      goal: `first streamed event ≤ a one-token task + ${STREAM_MARGIN_MS} ms`,
      measured:
        `${millis(streaming.firstEventMedianMs)} vs ` +
        `${millis(streaming.oneTokenMedianMs)} + ${STREAM_MARGIN_MS} = ${millis(streamLimit)}`,
      met: streaming.firstEventMedianMs <= streamLimit,
    });
  }
  const windows: [string, HealthProbeResult][] = [
    ...inputs.cascadeHealth.map(
      (health, round) =>
        [`the cold cascade${inputs.cascadeHealth.length > 1 ? ` (round ${round + 1})` : ''}`, health] as [string, HealthProbeResult],
    ),
    ...(continuous ? [['workload 6', continuous.health] as [string, HealthProbeResult]] : []),
  ];
  for (const [window, health] of windows) {
    const latency = health.latency;
    goals.push({
      goal: `/healthz during ${window}: p99 ≤ ${HEALTH_P99_MS} ms, max ≤ ${HEALTH_MAX_MS} ms, none failed`,
      measured: latency
        ? `p99 ${millis(latency.p99Ms)}, max ${millis(latency.maxMs)}, ${health.failures} failed of ${latency.count + health.failures}`
        : `no probe answered (${health.failures} failed)`,
      met: healthMet(health),
    });
  }
  return goals;
}

/** The `/healthz` goal over one window: every probe answered, p99 and maximum within their limits. */
export function healthMet(health: HealthProbeResult): boolean {
  const latency = health.latency;
  return latency !== undefined && latency.p99Ms <= HEALTH_P99_MS && latency.maxMs <= HEALTH_MAX_MS && health.failures === 0;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function millis(ms: number): string {
  return `${ms.toFixed(0)} ms`;
}
