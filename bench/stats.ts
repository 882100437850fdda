/**
 * Summaries of latency samples: the median of a few repeats, and nearest-rank percentiles of many.
 *
 * Nearest rank (the smallest sample with at least p % of the samples at or below it) never invents
 * a value between two samples, so a p99 of fewer than 100 samples is their maximum: with few
 * samples the tail is reported as it was, not smoothed away.
 */

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** The nearest-rank `p`-th percentile (0 < p ≤ 100) of `values`; undefined when there are none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100]; got ${p}`);
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** The middle value (the mean of the two middle ones for an even count); undefined when there are none. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Count, p50, p95, p99 and maximum of `values`; undefined when there are none. */
export function summarize(values: readonly number[]): LatencySummary | undefined {
  if (values.length === 0) return undefined;
  const at = (p: number) => percentile(values, p) ?? Number.NaN;
  return { count: values.length, p50Ms: at(50), p95Ms: at(95), p99Ms: at(99), maxMs: Math.max(...values) };
}
