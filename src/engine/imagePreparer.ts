/**
 * Image bytes to vision-encoder input (decoding with sharp, Pillow's bicubic resize,
 * normalisation). A 12-megapixel photo takes ~0.5 s of JavaScript to resize, so a server does it on a
 * thread of its own (src/engine/worker/preprocessWorker.ts) and the model's thread never waits for it.
 */
import type { Florence2 } from '../vision/florence2.js';
import type { PreparedImage } from '../vision/image.js';

export interface ImagePreparer {
  prepare(bytes: Uint8Array): Promise<PreparedImage>;
}

/** Preprocessing on the caller's thread, with the model's image limits. */
export function localPreparer(florence: Florence2): ImagePreparer {
  return { prepare: (bytes) => florence.prepare(bytes) };
}

export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
