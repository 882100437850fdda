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
/** Decode time granted per unit of prefill time when both wait (README, "Engine and performance"). */
export const DEFAULT_DECODE_SHARE = 1;
/** Least time between two progress events of one streamed computation. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 50;
