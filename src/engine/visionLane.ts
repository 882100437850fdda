/**
 * Where images become features: preprocessing and the vision encoder, the longest unit of work
 * (~2.5 s per image on 2 CPU cores). In-process it runs between the text graphs' steps; a server
 * gives it a thread of its own at a lower OS priority (src/engine/worker/visionWorker.ts), so it
 * fills the cores that decoding leaves idle instead of stalling every decode for seconds.
 */
import type { Florence2 } from '../vision/florence2.js';
import type { PreparedImage } from '../vision/image.js';
import type { ImageBytes } from './work.js';

/** Features per image of one vision call, or why an image failed, with the time each stage took. */
export interface VisionOutcome {
  readonly features: readonly (Float32Array | Error)[];
  readonly preprocessMs: number;
  readonly visionMs: number;
}

export interface VisionLane {
  /** Preprocesses the images and runs them through the vision encoder in one call. */
  encode(images: readonly ImageBytes[]): Promise<VisionOutcome>;
  usage(): { readonly runs: number; readonly busyMs: number };
}

/** Preprocessing and one vision-encoder call over the prepared images; failures stay per image. */
export async function encodeWith(
  prepare: (bytes: Uint8Array) => Promise<PreparedImage>,
  encodeImages: (images: readonly PreparedImage[]) => Promise<Float32Array[]>,
  images: readonly ImageBytes[],
): Promise<VisionOutcome> {
  const started = performance.now();
  const prepared = await Promise.allSettled(images.map((image) => prepare(image.bytes)));
  const preprocessed = performance.now();
  const ready = prepared.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const encoded = ready.length > 0 ? await encodeImages(ready) : [];
  const features: (Float32Array | Error)[] = [];
  let next = 0;
  for (const outcome of prepared) {
    features.push(outcome.status === 'fulfilled' ? encoded[next++]! : asError(outcome.reason));
  }
  return { features, preprocessMs: preprocessed - started, visionMs: performance.now() - preprocessed };
}

/** The vision stage on the caller's thread, with a model holding all four graphs. */
export function localVisionLane(florence: Florence2): VisionLane {
  return {
    encode: (images) =>
      encodeWith(
        (bytes) => florence.prepare(bytes),
        (prepared) => florence.encodeImages(prepared),
        images,
      ),
    usage: () => florence.graphs.usage().vision_encoder,
  };
}

export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
