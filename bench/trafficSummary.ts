/**
 * Workload 6's traffic: its classes, the capacity its arrival rate derives from, and the summary of
 * what one policy did with it (latency per class, completions, throughput). Pure functions over
 * recorded requests, so the numbers the report prints can be checked by hand.
 */
import type { ClassShare } from './arrivals.js';
import { summarize, type LatencySummary } from './stats.js';

export type TrafficClass = 'short' | 'caption' | 'detailed';

export interface TrafficClassSpec {
  readonly name: TrafficClass;
  /** The GraphQL `Task` it runs. */
  readonly task: string;
  /** Tokens generated, exactly (minNewTokens = maxNewTokens). */
  readonly tokens: number;
  /** `cached`: on an image whose features are cached (and whose result is not); `new`: on an image the gateway has not seen. */
  readonly image: 'cached' | 'new';
  readonly share: number;
  readonly title: string;
}

/** The mix: 70 % short tasks, 20 % captions of new images, 10 % detailed captions of 300 tokens. */
export const TRAFFIC_CLASSES: readonly TrafficClassSpec[] = [
  // A region task with a box of its own each time: a results-cache miss on cached features.
  { name: 'short', task: 'REGION_TO_CATEGORY', tokens: 20, image: 'cached', share: 0.7, title: 'short (20 tokens, cached features)' },
  // 45 tokens, as workloads 1–5.
  { name: 'caption', task: 'CAPTION', tokens: 45, image: 'new', share: 0.2, title: 'caption of a new image (45 tokens)' },
  {
    name: 'detailed',
    task: 'DETAILED_CAPTION',
    tokens: 300,
    image: 'cached',
    share: 0.1,
    title: 'detailed caption (300 tokens, cached features)',
  },
];

export const TRAFFIC_MIX: readonly ClassShare<TrafficClass>[] = TRAFFIC_CLASSES.map(({ name, share }) => ({ name, share }));

export function trafficClass(name: TrafficClass): TrafficClassSpec {
  const spec = TRAFFIC_CLASSES.find((candidate) => candidate.name === name);
  if (!spec) throw new Error(`unknown traffic class ${name}`);
  return spec;
}

/** Service capacity of a single server taking the mix one task at a time: 1 / E[S]. */
export interface Capacity {
  /** E[S]: the mix-weighted unloaded latency, ms. */
  readonly meanServiceMs: number;
  readonly tasksPerSecond: number;
}

export function capacityOf(
  unloadedMs: Readonly<Record<TrafficClass, number>>,
  mix: readonly ClassShare<TrafficClass>[] = TRAFFIC_MIX,
): Capacity {
  let meanServiceMs = 0;
  for (const { name, share } of mix) {
    const ms = unloadedMs[name];
    if (!(Number.isFinite(ms) && ms > 0))
      throw new RangeError(`the unloaded latency of ${name} must be a positive number of ms; got ${ms}`);
    meanServiceMs += share * ms;
  }
  return { meanServiceMs, tasksPerSecond: 1000 / meanServiceMs };
}

/** One request of the run, as the orchestrator saw it. */
export interface RequestRecord {
  readonly index: number;
  readonly className: TrafficClass;
  /** Scheduled send time, ms from the start. */
  readonly atMs: number;
  /** How late the orchestrator actually sent it. */
  readonly sendLagMs: number;
  /** From the scheduled send time to the answer (open loop: the client's wait, whatever delayed it). */
  readonly latencyMs: number;
  /** When the answer came, ms from the start. */
  readonly finishedAtMs: number;
  /** Why it failed; absent when it succeeded. */
  readonly error?: string;
}

export interface ClassOutcome {
  readonly className: TrafficClass | 'all';
  readonly sent: number;
  /** Answered by the end of the arrival window. */
  readonly completedInWindow: number;
  /** Answered after it (stragglers). */
  readonly completedAfter: number;
  readonly failed: number;
  /** Over the successful requests. */
  readonly latency: LatencySummary | undefined;
}

export interface TrafficSummary {
  readonly classes: readonly ClassOutcome[];
  readonly all: ClassOutcome;
  /** Tasks answered within the window, per second of window. */
  readonly tasksPerSecond: number;
  /** Tokens of those tasks, per second of window. */
  readonly tokensPerSecond: number;
  /** From the start until the last answer (or failure). */
  readonly drainMs: number;
  readonly maxSendLagMs: number;
}

export function summarizeTraffic(records: readonly RequestRecord[], windowMs: number): TrafficSummary {
  const outcome = (className: TrafficClass | 'all', subset: readonly RequestRecord[]): ClassOutcome => {
    const ok = subset.filter((record) => record.error === undefined);
    return {
      className,
      sent: subset.length,
      completedInWindow: ok.filter((record) => record.finishedAtMs <= windowMs).length,
      completedAfter: ok.filter((record) => record.finishedAtMs > windowMs).length,
      failed: subset.length - ok.length,
      latency: summarize(ok.map((record) => record.latencyMs)),
    };
  };
  const inWindow = records.filter((record) => record.error === undefined && record.finishedAtMs <= windowMs);
  const tokens = inWindow.reduce((sum, record) => sum + trafficClass(record.className).tokens, 0);
  return {
    classes: TRAFFIC_CLASSES.map(({ name }) =>
      outcome(
        name,
        records.filter((record) => record.className === name),
      ),
    ),
    all: outcome('all', records),
    tasksPerSecond: inWindow.length / (windowMs / 1000),
    tokensPerSecond: tokens / (windowMs / 1000),
    drainMs: records.reduce((latest, record) => Math.max(latest, record.finishedAtMs), 0),
    maxSendLagMs: records.reduce((worst, record) => Math.max(worst, record.sendLagMs), 0),
  };
}
