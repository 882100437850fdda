/**
 * Two latency probes on a quiet gateway contender, each against the same gateway's unloaded figure:
 *
 * - Short during long: a 20-token task on a cached image, alone (median of `samples`), then again
 *   while a 400-token detailed caption of another cached image is decoding (the long one is
 *   followed over graphql-ws; the short one is sent at its first event, i.e. once its decoding has
 *   begun). Goal: ≤ 2× alone. The batch-at-a-time engine makes it wait for the whole long task.
 * - Streaming: time from subscribing to the first event of a detailed caption (cached features,
 *   no cached result) against a one-token task over HTTP (`<s>` plus one token; cached features, no
 *   cached result), each the median of `samples`. Goal: first event ≤ one-token task + 100 ms.
 */
import { sleep, type GatewayClient, type SubscriptionClient } from './gatewayClient.js';
import { classRequest, prewarm, timed, uploadAll, type ImageSource, type RegionSource } from './mixedTraffic.js';
import { median } from './stats.js';

/** The long task of the short-during-long probe: 400 tokens, ~5 s of decoding at base size on 2 cores. */
export const LONG_TASK = { task: 'DETAILED_CAPTION', tokens: 400 } as const;
/** The streamed task: what a user watching a detailed caption appear waits on. Stopped at the first event. */
export const STREAMED_TASK = { task: 'DETAILED_CAPTION', tokens: 300 } as const;
/** The one-token task: `<s>` plus one generated token, i.e. vision (cached), prefill and one decode step. */
export const ONE_TOKEN_TASK = { task: 'DETAILED_CAPTION', tokens: 2 } as const;
/**
 * After unsubscribing, the cancelled generation leaves the decode loop at its next step; this
 * pause lets it go before the next sample is timed, so no sample shares the loop with a leftover.
 */
const AFTER_CANCEL_PAUSE_MS = 250;

export interface ShortDuringLong {
  readonly aloneMs: readonly number[];
  readonly aloneMedianMs: number;
  /** The short task's latency while the long one decoded. */
  readonly duringMs: number;
  /** From subscribing to the long task's first event (when the short one was sent). */
  readonly longFirstEventMs: number;
  /** The long task's whole time, and the tokens its last event reported. */
  readonly longMs: number;
  readonly longTokens: number;
  /** Whether the short answer came before the long one finished. */
  readonly shortFinishedFirst: boolean;
}

export interface StreamingProbe {
  readonly oneTokenMs: readonly number[];
  readonly oneTokenMedianMs: number;
  readonly firstEventMs: readonly number[];
  readonly firstEventMedianMs: number;
}

export interface ProbeResults {
  readonly shortDuringLong: ShortDuringLong;
  readonly streaming: StreamingProbe;
}

/** Both probes on one gateway, on images of their own (features cached first). */
export async function runLatencyProbes(
  client: GatewayClient,
  images: ImageSource,
  nextRegion: RegionSource,
  samples: number,
): Promise<ProbeResults> {
  // One image per streaming sample (its one-token task and its stream), one for the long task.
  const ids = await uploadAll(client, await images(samples + 1));
  await prewarm(client, ids);
  const streamImages = ids.slice(0, samples);
  const longImage = ids[samples]!;
  const shortImage = ids[0]!;
  const subscriber = await client.subscriptions();
  try {
    const streaming = await streamingProbe(client, subscriber, streamImages);
    const shortDuringLong = await shortDuringLongProbe(client, subscriber, shortImage, longImage, nextRegion, samples);
    return { shortDuringLong, streaming };
  } finally {
    await subscriber.dispose();
  }
}

async function streamingProbe(client: GatewayClient, subscriber: SubscriptionClient, imageIds: readonly string[]): Promise<StreamingProbe> {
  const oneTokenMs: number[] = [];
  const firstEventMs: number[] = [];
  for (const imageId of imageIds) {
    oneTokenMs.push(await timed(() => client.task({ imageId, ...ONE_TOKEN_TASK })));
    const stream = subscriber.follow({ imageId, ...STREAMED_TASK });
    try {
      firstEventMs.push(await stream.firstEvent);
    } finally {
      stream.stop();
    }
    await sleep(AFTER_CANCEL_PAUSE_MS);
  }
  return {
    oneTokenMs,
    oneTokenMedianMs: median(oneTokenMs) ?? Number.NaN,
    firstEventMs,
    firstEventMedianMs: median(firstEventMs) ?? Number.NaN,
  };
}

async function shortDuringLongProbe(
  client: GatewayClient,
  subscriber: SubscriptionClient,
  shortImage: string,
  longImage: string,
  nextRegion: RegionSource,
  samples: number,
): Promise<ShortDuringLong> {
  const aloneMs: number[] = [];
  for (let sample = 0; sample < samples; sample++)
    aloneMs.push(await timed(() => client.task(classRequest('short', shortImage, nextRegion))));
  const long = subscriber.follow({ imageId: longImage, ...LONG_TASK });
  let longDoneAt = Number.POSITIVE_INFINITY;
  long.done.then(
    () => (longDoneAt = performance.now()),
    () => undefined,
  );
  const longFirstEventMs = await long.firstEvent;
  const shortSent = performance.now();
  await client.task(classRequest('short', shortImage, nextRegion));
  const shortDoneAt = performance.now();
  const finished = await long.done;
  return {
    aloneMs,
    aloneMedianMs: median(aloneMs) ?? Number.NaN,
    duringMs: shortDoneAt - shortSent,
    longFirstEventMs,
    longMs: finished.ms,
    longTokens: finished.tokens,
    shortFinishedFirst: shortDoneAt < longDoneAt,
  };
}
