/**
 * What crosses between the engine's two halves: the request side (src/engine/engine.ts:
 * coalescing, waiters, streams, BUSY) and the model side (src/engine/scheduler.ts: features,
 * prefill, the decode loop), which a server runs on a worker thread. Everything here is plain
 * data, so it crosses `postMessage` as it is; errors cross as SerializedError.
 */
import type { RunResult, TaskPlan } from '../vision/florence2.js';
import type { FeatureCacheStats } from './featureCache.js';

/** One computation for the model side. */
export interface WorkItem {
  /** Unique per engine; the request side's handle on the computation. */
  readonly id: number;
  /** Whose work this is: admission is round-robin across requesters (one per GraphQL request or subscription). */
  readonly requester: string;
  readonly imageId: string;
  /** The image as shown (after EXIF orientation): the coordinate space of the answer. */
  readonly size: { readonly width: number; readonly height: number };
  readonly plan: TaskPlan;
  /** Whether progress events are wanted from the start (a subscriber may also ask later). */
  readonly stream: boolean;
}

/** The bytes of an image some items of a submission need; the model side decodes them only on a feature miss. */
export interface ImageBytes {
  readonly id: string;
  readonly bytes: Uint8Array;
}

/** A computation's output so far, for streaming. */
export interface Progress {
  /** The generated text so far, without `<s>`/`</s>`/`<pad>` (location tokens kept). */
  readonly text: string;
  /** Tokens generated so far, the forced `<s>` included. */
  readonly tokens: number;
}

/** Stages the engine times (metrics: florence_stage_duration_seconds). */
export type EngineStage = 'preprocess' | 'vision' | 'encoder' | 'decode' | 'parse';

/** Runs and busy milliseconds per ONNX graph. */
export type GraphUsage = Record<
  'vision_encoder' | 'embed_tokens' | 'encoder_model' | 'decoder_model_merged',
  { runs: number; busyMs: number }
>;

/** The model side's state, sent after it changes (throttled across threads). */
export interface SchedulerSnapshot {
  readonly features: FeatureCacheStats;
  /** Computations waiting for image features or prefill. */
  readonly waiting: number;
  /** Computations in the decode loop. */
  readonly decoding: number;
  /** Decode batches running (one per start step). */
  readonly decodeBatches: number;
  readonly usage: GraphUsage;
}

/** What the model side tells the request side, in order. */
export interface SchedulerEvents {
  /** The computation left the queue: its decoding starts with the next step. */
  started(id: number): void;
  progress(id: number, progress: Progress): void;
  settled(id: number, outcome: RunResult | Error): void;
  /** A decode batch started with this many computations over this many distinct images. */
  batch(jobs: number, images: number): void;
  /** Images went through the vision encoder. */
  imagesEncoded(count: number): void;
  stage(stage: EngineStage, ms: number): void;
  snapshot(snapshot: SchedulerSnapshot): void;
}

/** What the request side asks of the model side. */
export interface SchedulerPort {
  submit(images: readonly ImageBytes[], items: readonly WorkItem[]): void;
  /** The computation's callers are gone: it leaves the queue, or the decode loop at its next step. */
  cancel(id: number, reason: Error): void;
  /** Progress events from now on (a subscriber joined a computation already running). */
  stream(id: number): void;
  /** Stops taking work; what is in flight settles with `reason`. */
  close(reason: Error): Promise<void>;
}

/** What a stream shows of a generation: its text without the sequence markers. */
export function visibleText(decoded: string): string {
  return decoded.replace(/<\/s>|<s>|<pad>/g, '');
}
