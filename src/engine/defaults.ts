/**
 * The engine's defaults, named once: the scheduler applies them when an option is left out, and the
 * gateway's configuration table (src/server/configVariables.ts) shows them in its messages and in
 * the README. Each one's reason is on the option it fills (SchedulerOptions, EngineOptions).
 */
import type { SchedulingPolicy } from './scheduler.js';

/** `continuous`: the decode loop takes new work at every step. */
export const DEFAULT_SCHEDULING_POLICY: SchedulingPolicy = 'continuous';
/** Decode steps stay memory-bound (nearly free per row) up to about 32 rows. */
export const DEFAULT_MAX_BATCH_JOBS = 32;
/** One image per vision-encoder call: on a 2-core CPU a batch of 4 costs 26% more per image. */
export const DEFAULT_MAX_VISION_BATCH = 1;
/** Policy `batch` only: well under a decode step. */
export const DEFAULT_BATCH_WINDOW_MS = 3;
/** Computations waiting to start decoding before more answer BUSY. */
export const DEFAULT_MAX_QUEUED_JOBS = 256;
/**
 * How the model's thread is shared when several kinds of work wait: decode steps, prompt encoding
 * and vision-encoder stages, by time in these proportions (README, "Engine and performance", for
 * the reasoning; a judgement, not a sweep).
 */
export const DEFAULT_SHARES = { decode: 2, encode: 2, vision: 1 } as const;
/** Images preprocessed ahead of the vision encoder: the next one is ready when one finishes. */
export const DEFAULT_PREFETCH_IMAGES = 2;
/** Least time between two progress events of one streamed computation. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 50;
/**
 * Stages the vision encoder is cut into in a server: ~0.5–0.8 s each for the base model on 2 cores,
 * so no other work waits longer than that behind a new image. Each stage keeps its own onnxruntime
 * memory arena, so more stages cost memory: measured at base size, +130 MB for 3 stages, +300 MB for
 * 4, +530 MB for 6, +870 MB for 8 (README, "Engine and performance").
 */
export const DEFAULT_VISION_STAGES = 4;
