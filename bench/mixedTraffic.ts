/**
 * Workload 6: open-loop mixed traffic on one gateway contender.
 *
 *   1. Unloaded latencies (continuous gateway, before any policy runs): each class alone, a few
 *      times, medians; their mix-weighted mean E[S] gives the capacity 1 / E[S], and the arrival
 *      rate is a fraction of it (`--w6-load`, 0.7).
 *   2. Per policy, on images of its own: the short tasks' pool and one image per detailed caption
 *      get their features cached by a cheap task; the captions' images are uploaded but never seen
 *      by the model. Nothing is shared with the other policy's gateway or with step 1.
 *   3. The schedule (one for both policies) is replayed open loop: each request is sent at its
 *      time whatever is outstanding, and its latency runs from that time. After the window the
 *      stragglers are awaited. `/healthz` is probed and the event-loop delay recorded throughout.
 */
import type { Arrival } from './arrivals.js';
import type { ContenderProcess, UsageReading } from './contenderProcess.js';
import { usageBetween, type GraphBusy } from './floor.js';
import { sleep, type GatewayClient, type TaskRequest } from './gatewayClient.js';
import { startHealthProbe, type HealthProbeResult } from './healthProbe.js';
import type { EventLoopDelay } from './protocol.js';
import { median } from './stats.js';
import {
  summarizeTraffic,
  trafficClass,
  TRAFFIC_CLASSES,
  type RequestRecord,
  type TrafficClass,
  type TrafficSummary,
} from './trafficSummary.js';

/** Fresh images the gateway has never seen (JPEG, for upload), `count` of them. */
export type ImageSource = (count: number) => Promise<Buffer[]>;

/** A region prompt never used before in this run (see workloads.uniqueRegion). */
export type RegionSource = () => string;

/** How features get cached before a measurement: the cheapest task there is (one token after `<s>`). */
export const PREWARM: Omit<TaskRequest, 'imageId'> = { task: 'CAPTION', tokens: 2 };

/**
 * Images the short tasks spread over. Any count works (each request has a box of its own); a few
 * stand for a handful of users each working on their own picture.
 */
const SHORT_POOL_IMAGES = 4;

/** Uploads the images and returns their ids, in order. */
export async function uploadAll(client: GatewayClient, images: readonly Buffer[]): Promise<string[]> {
  const ids: string[] = [];
  for (const image of images) ids.push(await client.upload(image));
  return ids;
}

/** Caches the features of every image (one cheap task each, all at once). */
export async function prewarm(client: GatewayClient, imageIds: readonly string[]): Promise<void> {
  await Promise.all(imageIds.map((imageId) => client.task({ imageId, ...PREWARM })));
}

/** The request of one task of a class on an image (a fresh box for short tasks). */
export function classRequest(className: TrafficClass, imageId: string, nextRegion: RegionSource): TaskRequest {
  const spec = trafficClass(className);
  return { imageId, task: spec.task, tokens: spec.tokens, ...(className === 'short' ? { input: nextRegion() } : {}) };
}

export async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

export interface UnloadedLatencies {
  /** Every sample per class, ms. */
  readonly samplesMs: Readonly<Record<TrafficClass, readonly number[]>>;
  /** Their medians. */
  readonly medianMs: Readonly<Record<TrafficClass, number>>;
}

/** Each class alone, `samples` times (the classes interleaved, so machine drift hits all alike). */
export async function measureUnloaded(
  client: GatewayClient,
  images: ImageSource,
  nextRegion: RegionSource,
  samples: number,
): Promise<UnloadedLatencies> {
  const [shortImage, ...rest] = await uploadAll(client, await images(1 + 2 * samples));
  const detailedImages = rest.slice(0, samples);
  const captionImages = rest.slice(samples);
  await prewarm(client, [shortImage!, ...detailedImages]);
  const samplesMs: Record<TrafficClass, number[]> = { short: [], caption: [], detailed: [] };
  for (let sample = 0; sample < samples; sample++) {
    samplesMs.short.push(await timed(() => client.task(classRequest('short', shortImage!, nextRegion))));
    samplesMs.caption.push(await timed(() => client.task(classRequest('caption', captionImages[sample]!, nextRegion))));
    samplesMs.detailed.push(await timed(() => client.task(classRequest('detailed', detailedImages[sample]!, nextRegion))));
  }
  const medianOf = (name: TrafficClass) => median(samplesMs[name]) ?? Number.NaN;
  return { samplesMs, medianMs: { short: medianOf('short'), caption: medianOf('caption'), detailed: medianOf('detailed') } };
}

export interface PolicyRun extends TrafficSummary {
  readonly contender: string;
  readonly policy: 'continuous' | 'batch';
  readonly windowMs: number;
  /** ORT busy time during the run (from the first send to the last answer), total and per graph; null where unknown. */
  readonly ortBusyMs: number | null;
  readonly graphBusyMs: GraphBusy | null;
  /** Calls per graph during the run: decoder calls ÷ tokens shows how often rows shared a step. */
  readonly graphCalls: GraphBusy | null;
  readonly health: HealthProbeResult;
  readonly eventLoop: EventLoopDelay;
  readonly requests: readonly RequestRecord[];
}

export interface PolicyRunOptions {
  readonly contender: ContenderProcess;
  readonly policy: 'continuous' | 'batch';
  readonly client: GatewayClient;
  readonly schedule: readonly Arrival<TrafficClass>[];
  readonly windowMs: number;
  readonly images: ImageSource;
  readonly nextRegion: RegionSource;
  readonly log: (message: string) => void;
}

/** Prepares the policy's images, replays the schedule open loop, and summarizes. */
export async function runPolicy(options: PolicyRunOptions): Promise<PolicyRun> {
  const { contender, client, schedule, windowMs, nextRegion } = options;
  const count = (name: TrafficClass) => schedule.filter((arrival) => arrival.className === name).length;
  const shortPool = await uploadAll(client, await options.images(SHORT_POOL_IMAGES));
  const detailedImages = await uploadAll(client, await options.images(count('detailed')));
  const captionImages = await uploadAll(client, await options.images(count('caption')));
  await prewarm(client, [...shortPool, ...detailedImages]);

  // Every request is built before the clock starts, so sending one is a fetch call and nothing more.
  // Short tasks take turns on the pool; every detailed caption and every caption has an image of its own.
  const imagesOf: Record<TrafficClass, readonly string[]> = { short: shortPool, detailed: detailedImages, caption: captionImages };
  const used: Record<TrafficClass, number> = { short: 0, detailed: 0, caption: 0 };
  const requests = schedule.map((arrival) => {
    const images = imagesOf[arrival.className];
    const imageId = images[used[arrival.className]++ % images.length]!;
    return { arrival, request: classRequest(arrival.className, imageId, nextRegion) };
  });
  options.log(
    `6. mixed traffic, ${options.policy}: ${schedule.length} requests over ${(windowMs / 1000).toFixed(0)} s ` +
      `(${TRAFFIC_CLASSES.map(({ name }) => `${count(name)} ${name}`).join(', ')})`,
  );

  const before = await contender.usage();
  await contender.eventLoop(true);
  const health = startHealthProbe(client.url);
  const started = performance.now();
  const pending: Promise<RequestRecord>[] = [];
  for (const { arrival, request } of requests) {
    // Timers may fire a fraction of a millisecond early: sleep again rather than send early.
    for (let wait = started + arrival.atMs - performance.now(); wait > 0; wait = started + arrival.atMs - performance.now())
      await sleep(wait);
    pending.push(send(client, arrival, request, started));
  }
  const records = await Promise.all(pending);
  const healthResult = await health.stop();
  const eventLoop = await contender.eventLoop(true);
  const after = await contender.usage();
  const summary = summarizeTraffic(records, windowMs);
  options.log(
    `6. mixed traffic, ${options.policy}: ${summary.all.completedInWindow} answered in the window, ` +
      `${summary.all.completedAfter} after, ${summary.all.failed} failed; drained at ${(summary.drainMs / 1000).toFixed(1)} s`,
  );
  return {
    contender: contender.name,
    policy: options.policy,
    windowMs,
    ...summary,
    ...busyOf(before, after),
    health: healthResult,
    eventLoop,
    requests: records,
  };
}

async function send(client: GatewayClient, arrival: Arrival<TrafficClass>, request: TaskRequest, started: number): Promise<RequestRecord> {
  const sendLagMs = performance.now() - started - arrival.atMs;
  let error: string | undefined;
  try {
    await client.task(request);
  } catch (failure) {
    error = failure instanceof Error ? failure.message : String(failure);
  }
  const finishedAtMs = performance.now() - started;
  return {
    index: arrival.index,
    className: arrival.className,
    atMs: arrival.atMs,
    sendLagMs,
    latencyMs: finishedAtMs - arrival.atMs,
    finishedAtMs,
    ...(error !== undefined ? { error } : {}),
  };
}

/** ORT busy time between two usage readings, total and per graph (null where the contender cannot tell). */
export function busyOf(
  before: UsageReading,
  after: UsageReading,
): { ortBusyMs: number | null; graphBusyMs: GraphBusy | null; graphCalls: GraphBusy | null } {
  const between = before.graphs && after.graphs ? usageBetween(before.graphs, after.graphs) : null;
  const graphBusyMs = between?.busy ?? null;
  const graphCalls = between?.calls ?? null;
  const ortBusyMs = before.ortBusyMs === null || after.ortBusyMs === null ? null : after.ortBusyMs - before.ortBusyMs;
  return { ortBusyMs, graphBusyMs, graphCalls };
}
