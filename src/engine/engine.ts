/**
 * The process-wide engine: a TaskRunner that schedules jobs across requests.
 *
 * - Coalescing: jobs in flight with one key (the results-cache key) share one computation.
 * - Micro-batching: jobs arriving within `batchWindowMs` of the first queued one (or until
 *   `maxBatchJobs`) run as one batch: the vision encoder over every image of the batch whose
 *   features are not cached, one encoder call over every (image, prompt), one decode loop over all
 *   sequences (each leaving as it finishes). Results equal running each job alone.
 * - Feature cache: an image's vision-encoder output is kept (bounded in bytes), so later tasks on it
 *   skip preprocessing and the vision encoder.
 * - Bounds: past `maxQueuedJobs` waiting computations a job fails at once with BUSY; a job whose
 *   callers all gave up (deadline, disconnect) leaves the queue, or the decode batch at the next step.
 *
 * Batches run one at a time: onnxruntime already uses every core for one call, so two batches at
 * once would only contend. Work arriving while a batch runs forms the next batch.
 */
import { FlorenceError } from '../vision/errors.js';
import type { Florence2, RunResult, TaskPlan } from '../vision/florence2.js';
import type { GenerationOptions } from '../vision/generation/settings.js';
import type { PreparedImage } from '../vision/image.js';
import { FeatureCache, type FeatureCacheStats } from './featureCache.js';
import type { ImageHandle, RunnerStats, TaskJob, TaskRunner } from './taskRunner.js';

export interface EngineOptions {
  /** Prefix of feature-cache keys, so another model never reuses these features. */
  readonly modelFingerprint: string;
  /** How long the first queued job waits for company. Default 3 ms: well under a decode step (~35 ms). */
  readonly batchWindowMs?: number;
  /** Most computations in one batch. Default 32: decode steps stay memory-bound (nearly free per row) up to about there. */
  readonly maxBatchJobs?: number;
  /** Most computations waiting to start; more answer BUSY. Default 256. */
  readonly maxQueuedJobs?: number;
  /**
   * Most images per vision-encoder call. Default 1: on a 2-core CPU a batch of 4 base images costs
   * 26% more per image than one at a time (and ~1.1 GB more memory); raise it on GPUs.
   */
  readonly maxVisionBatch?: number;
  readonly featureCacheBytes?: number;
  /** Told about batches, stage timings and finished tasks (metrics). */
  readonly observer?: EngineObserver;
}

/** Stages of a batch, as timed by the engine (preprocess, vision) and the runtime (the rest). */
export type EngineStage = 'preprocess' | 'vision' | 'encoder' | 'decode' | 'parse';

export interface EngineObserver {
  /** A batch started: its computations and the distinct images they concern. */
  batch(jobs: number, images: number): void;
  stage(stage: EngineStage, ms: number): void;
  /** A computation settled: its task token, time from queueing, and outcome. */
  task(task: string, ms: number, outcome: 'ok' | 'error' | 'cancelled'): void;
}

/** The queue is full: the server is past what it can do in time. Retry later. */
export class BusyError extends FlorenceError {
  constructor(queued: number) {
    super('BUSY', `the server is busy: ${queued} model computations are already waiting; retry shortly`);
  }
}

export interface EngineStats extends RunnerStats {
  /** Jobs that joined an identical computation already in flight. */
  readonly coalesced: number;
  /** Computations waiting for a batch right now. */
  readonly queued: number;
  /** Jobs refused with BUSY. */
  readonly refused: number;
  /** Computations dropped because every caller gave up. */
  readonly cancelled: number;
  readonly features: FeatureCacheStats;
}

/** One computation and the callers waiting for it. */
interface Computation {
  readonly job: TaskJob;
  readonly queuedAt: number;
  readonly controller: AbortController;
  readonly waiters: Set<(outcome: RunResult | Error) => void>;
  outcome?: RunResult | Error;
}

export class Engine implements TaskRunner {
  private readonly inFlight = new Map<string, Computation>();
  private readonly queue: Computation[] = [];
  private readonly features: FeatureCache;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly settings: Required<Omit<EngineOptions, 'featureCacheBytes' | 'observer'>>;
  private readonly observer: EngineObserver | undefined;
  private counters = { batches: 0, jobs: 0, imagesEncoded: 0, coalesced: 0, refused: 0, cancelled: 0 };

  constructor(
    private readonly florence: Florence2,
    options: EngineOptions,
  ) {
    this.settings = {
      modelFingerprint: options.modelFingerprint,
      batchWindowMs: options.batchWindowMs ?? 3,
      maxBatchJobs: options.maxBatchJobs ?? 32,
      maxQueuedJobs: options.maxQueuedJobs ?? 256,
      maxVisionBatch: options.maxVisionBatch ?? 1,
    };
    this.features = new FeatureCache(options.featureCacheBytes);
    this.observer = options.observer;
  }

  plan(task: string, input: string | undefined, options: GenerationOptions): TaskPlan {
    return this.florence.plan(task, input, options);
  }

  run(jobs: readonly TaskJob[]): Promise<(RunResult | Error)[]> {
    return Promise.all(jobs.map((job) => this.submit(job)));
  }

  stats(): EngineStats {
    return { ...this.counters, queued: this.queue.length, features: this.features.stats() };
  }

  /** Runs and busy time of each ONNX graph since the model was loaded (benchmarks, metrics). */
  modelUsage(): ReturnType<Florence2['graphs']['usage']> {
    return this.florence.graphs.usage();
  }

  /** One caller's wait for a job: joins the computation with the same key, or queues a new one. */
  private submit(job: TaskJob): Promise<RunResult | Error> {
    if (job.signal?.aborted) return Promise.resolve(reasonOf(job.signal));
    let computation = this.inFlight.get(job.key);
    if (computation) {
      this.counters.coalesced++;
    } else {
      if (this.queue.length >= this.settings.maxQueuedJobs) {
        this.counters.refused++;
        return Promise.resolve(new BusyError(this.queue.length));
      }
      computation = { job, queuedAt: performance.now(), controller: new AbortController(), waiters: new Set() };
      this.inFlight.set(job.key, computation);
      this.queue.push(computation);
      this.schedule();
    }
    return this.wait(computation, job.signal);
  }

  private wait(computation: Computation, signal: AbortSignal | undefined): Promise<RunResult | Error> {
    return new Promise((resolve) => {
      const waiter = (outcome: RunResult | Error) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const onAbort = () => {
        computation.waiters.delete(waiter);
        resolve(reasonOf(signal!));
        // The work goes on while anyone still wants it; the last one out cancels it.
        if (computation.waiters.size === 0 && computation.outcome === undefined) this.cancel(computation, reasonOf(signal!));
      };
      computation.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Nobody wants the computation any more: out of the queue, or out of the decode batch at its next step. */
  private cancel(computation: Computation, reason: Error): void {
    this.counters.cancelled++;
    const queued = this.queue.indexOf(computation);
    if (queued >= 0) this.queue.splice(queued, 1);
    computation.controller.abort(reason);
    this.settle(computation, reason);
  }

  private schedule(): void {
    if (this.running || this.timer) return;
    this.timer = setTimeout(() => void this.drain(), this.settings.batchWindowMs);
  }

  private async drain(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    try {
      const batch = this.queue.splice(0, this.settings.maxBatchJobs);
      const live = batch.filter((computation) => {
        if (!computation.controller.signal.aborted) return true;
        this.settle(computation, reasonOf(computation.controller.signal));
        return false;
      });
      if (live.length > 0) await this.runBatch(live);
    } finally {
      this.running = false;
      // Whatever arrived meanwhile has waited a batch already: start it now.
      if (this.queue.length > 0) this.timer = setTimeout(() => void this.drain(), 0);
    }
  }

  private async runBatch(batch: Computation[]): Promise<void> {
    this.counters.batches++;
    this.counters.jobs += batch.length;
    this.observer?.batch(batch.length, new Set(batch.map((computation) => computation.job.image.id)).size);
    try {
      const featuresById = await this.imageFeatures(batch.map((computation) => computation.job.image));
      const runnable = batch.filter((computation) => {
        const features = featuresById.get(computation.job.image.id)!;
        if (features instanceof Error) this.settle(computation, features);
        return !(features instanceof Error);
      });
      const outcomes = await this.florence.generate(
        runnable.map(({ job, controller }) => ({
          features: featuresById.get(job.image.id) as Float32Array,
          size: job.image,
          plan: job.plan,
          signal: controller.signal,
        })),
        this.observer && ((stage, ms) => this.observer?.stage(stage, ms)),
      );
      runnable.forEach((computation, i) => this.settle(computation, outcomes[i]!));
    } catch (error) {
      for (const computation of batch) this.settle(computation, error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Features of every distinct image, from the cache or through one preprocessing + vision pass. */
  private async imageFeatures(images: readonly ImageHandle[]): Promise<Map<string, Float32Array | Error>> {
    const result = new Map<string, Float32Array | Error>();
    const missing = new Map<string, ImageHandle>();
    for (const image of images) {
      if (result.has(image.id) || missing.has(image.id)) continue;
      const cached = this.features.get(this.featureKey(image.id));
      if (cached) result.set(image.id, cached);
      else missing.set(image.id, image);
    }
    const toEncode: { id: string; prepared: PreparedImage }[] = [];
    const preprocessStarted = performance.now();
    const prepared = await Promise.allSettled([...missing.values()].map((image) => this.florence.prepare(image.bytes)));
    if (missing.size > 0) this.observer?.stage('preprocess', performance.now() - preprocessStarted);
    [...missing.keys()].forEach((id, i) => {
      const outcome = prepared[i]!;
      if (outcome.status === 'fulfilled') toEncode.push({ id, prepared: outcome.value });
      else result.set(id, outcome.reason instanceof Error ? outcome.reason : new Error(String(outcome.reason)));
    });
    for (let start = 0; start < toEncode.length; start += this.settings.maxVisionBatch) {
      const chunk = toEncode.slice(start, start + this.settings.maxVisionBatch);
      const visionStarted = performance.now();
      const encoded = await this.florence.encodeImages(chunk.map((entry) => entry.prepared));
      this.observer?.stage('vision', performance.now() - visionStarted);
      this.counters.imagesEncoded += chunk.length;
      chunk.forEach((entry, i) => {
        this.features.set(this.featureKey(entry.id), encoded[i]!);
        result.set(entry.id, encoded[i]!);
      });
    }
    return result;
  }

  private featureKey(imageId: string): string {
    return `${this.settings.modelFingerprint}:${imageId}`;
  }

  private settle(computation: Computation, outcome: RunResult | Error): void {
    if (computation.outcome !== undefined) return;
    computation.outcome = outcome;
    const result = !(outcome instanceof Error) ? 'ok' : computation.controller.signal.aborted ? 'cancelled' : 'error';
    this.observer?.task(computation.job.plan.task, performance.now() - computation.queuedAt, result);
    if (this.inFlight.get(computation.job.key) === computation) this.inFlight.delete(computation.job.key);
    for (const waiter of computation.waiters) waiter(outcome);
    computation.waiters.clear();
  }
}

function reasonOf(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? 'aborted'));
}
