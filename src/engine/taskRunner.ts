/**
 * The boundary between the GraphQL layer and the model: jobs in, results (or per-job errors) out.
 * The gateway asks a TaskRunner; whether it runs each batch directly or schedules it across
 * requests with a feature cache is the runner's business.
 */
import type { RunResult, TaskPlan } from '../vision/florence2.js';
import type { GenerationOptions } from '../vision/generation/settings.js';
import type { Progress } from './work.js';

/** A decoded-enough image: its content id, its size as shown, and its bytes for preprocessing. */
export interface ImageHandle {
  /** `sha256:<hex>` of the bytes. */
  readonly id: string;
  readonly width: number;
  readonly height: number;
  readonly bytes: Uint8Array;
}

export interface TaskJob {
  /** The job's results-cache key: equal keys are equal work, so jobs in flight with one key run once. */
  readonly key: string;
  readonly image: ImageHandle;
  readonly plan: TaskPlan;
  /** Aborted when the request that wants this job gives up (deadline, disconnect). */
  readonly signal?: AbortSignal;
  /** Who asks (one id per GraphQL request or subscription): the engine shares its turns fairly among them. */
  readonly requester?: string;
}

/** Counters tests and metrics read; a repeated query must leave `jobs` unchanged. */
export interface RunnerStats {
  /** Decode batches started (computations that start decoding at one step form one). */
  readonly batches: number;
  /** Jobs that started decoding. */
  readonly jobs: number;
  /** Images passed through the vision encoder. */
  readonly imagesEncoded: number;
}

export interface TaskRunner {
  /** Validates a task and builds its plan (prompt ids, resolved options); throws typed errors. */
  plan(task: string, input: string | undefined, options: GenerationOptions): TaskPlan;
  /** Runs jobs as one batch where it can; each job gets its own result or error, in order. */
  run(jobs: readonly TaskJob[]): Promise<(RunResult | Error)[]>;
  /**
   * Runs one job, telling `onProgress` its text as it is decoded. Optional: without it a stream
   * gets the final result only.
   */
  stream?(job: TaskJob, onProgress: (progress: Progress) => void): Promise<RunResult | Error>;
  stats(): RunnerStats;
}
