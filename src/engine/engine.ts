/**
 * The process-wide engine, request side: a TaskRunner that the GraphQL layer calls from every
 * request. It keeps what concerns callers and leaves the model work to its scheduler
 * (src/engine/scheduler.ts), which runs in this thread for a library user or on model worker
 * threads in a server (src/engine/worker/), so HTTP never waits behind onnxruntime.
 *
 * - Coalescing: jobs in flight with one key (the results-cache key) share one computation.
 * - Bounds: past `maxQueuedJobs` computations waiting to start decoding, a job fails at once with
 *   BUSY; a computation whose callers all gave up (deadline, disconnect, unsubscribe) leaves the
 *   queue, or the decode loop at its next step.
 * - Streaming: a caller may follow a computation's text as it is decoded (`stream`).
 */
import { reasonOf } from '../shared/abort.js';
import { CodedError } from '../shared/errors.js';
import { DisposedError } from '../vision/errors.js';
import type { Florence2, RunResult, TaskPlan } from '../vision/florence2.js';
import type { GenerationOptions } from '../vision/generation/settings.js';
import { DEFAULT_MAX_QUEUED_JOBS } from './defaults.js';
import type { FeatureCacheStats } from './featureCache.js';
import { resolveSchedulerOptions, Scheduler, type SchedulerOptions } from './scheduler.js';
import type { ImageHandle, RunnerStats, TaskJob, TaskRunner } from './taskRunner.js';
import { localPreparer } from './imagePreparer.js';
import type { EngineStage, GraphUsage, ImageBytes, Progress, SchedulerEvents, SchedulerPort, SchedulerSnapshot, WorkItem } from './work.js';

export type { EngineStage } from './work.js';

export interface EngineOptions extends SchedulerOptions {
  /** Most computations waiting to start decoding; more answer BUSY. Default 256. */
  readonly maxQueuedJobs?: number;
  /** Told about batches, stage timings and finished tasks (metrics). */
  readonly observer?: EngineObserver;
}

export interface EngineObserver {
  /** A decode batch started: its computations and the distinct images they concern. */
  batch(jobs: number, images: number): void;
  stage(stage: EngineStage, ms: number): void;
  /** A computation settled: its task token, time from queueing, and outcome. */
  task(task: string, ms: number, outcome: 'ok' | 'error' | 'cancelled'): void;
}

/** Where the model work happens: plans are made here, computations there. */
export interface ModelBackend {
  plan(task: string, input: string | undefined, options: GenerationOptions): TaskPlan;
  /** The scheduler that will report to `events`. */
  connect(events: SchedulerEvents, options: SchedulerOptions): SchedulerPort;
}

/** Stable machine-readable codes of the engine's own failures (the model's are vision's FlorenceErrorCode). */
export type EngineErrorCode = 'BUSY';

/** The queue is full: the server is past what it can do in time. Retry later. */
export class BusyError extends CodedError<EngineErrorCode> {
  constructor(queued: number) {
    super('BUSY', `the server is busy: ${queued} model computations are already waiting; retry shortly`);
  }
}

export interface EngineStats extends RunnerStats {
  /** Jobs that joined an identical computation already in flight. */
  readonly coalesced: number;
  /** Computations waiting to start decoding (features, prefill) right now. */
  readonly queued: number;
  /** Computations in the decode loop right now. */
  readonly decoding: number;
  /** Jobs refused with BUSY. */
  readonly refused: number;
  /** Computations dropped because every caller gave up. */
  readonly cancelled: number;
  readonly features: FeatureCacheStats;
}

/** A caller following a computation's text. */
export type ProgressListener = (progress: Progress) => void;

/** One computation and the callers waiting for it. */
interface Computation {
  readonly id: number;
  readonly job: TaskJob;
  readonly queuedAt: number;
  readonly waiters: Set<(outcome: RunResult | Error) => void>;
  readonly listeners: Set<ProgressListener>;
  started: boolean;
  /** Whether the scheduler sends progress for it. */
  streaming: boolean;
  cancelled: boolean;
}

const EMPTY_USAGE: GraphUsage = {
  vision_encoder: { runs: 0, busyMs: 0 },
  embed_tokens: { runs: 0, busyMs: 0 },
  encoder_model: { runs: 0, busyMs: 0 },
  decoder_model_merged: { runs: 0, busyMs: 0 },
};

export class Engine implements TaskRunner {
  private readonly inFlight = new Map<string, Computation>();
  private readonly byId = new Map<number, Computation>();
  private nextId = 1;
  private waiting = 0;
  /** Computations that started decoding and have not settled. */
  private decoding = 0;
  private readonly port: SchedulerPort;
  private readonly backend: ModelBackend;
  private readonly maxQueuedJobs: number;
  private readonly observer: EngineObserver | undefined;
  private latest: SchedulerSnapshot = {
    features: { entries: 0, bytes: 0, hits: 0, misses: 0 },
    waiting: 0,
    decoding: 0,
    decodeBatches: 0,
    usage: EMPTY_USAGE,
  };
  private counters = { batches: 0, jobs: 0, imagesEncoded: 0, coalesced: 0, refused: 0, cancelled: 0 };
  private closed = false;

  /** `model`: a Florence2 holding all four graphs (work runs on this thread), or a backend such as the model workers. */
  constructor(model: Florence2 | ModelBackend, options: EngineOptions) {
    // Checked here too, so a worker-backed engine refuses bad options before any thread sees them.
    resolveSchedulerOptions(options);
    this.maxQueuedJobs = options.maxQueuedJobs ?? DEFAULT_MAX_QUEUED_JOBS;
    if (!Number.isInteger(this.maxQueuedJobs) || this.maxQueuedJobs < 1) {
      throw new RangeError(`maxQueuedJobs must be an integer of at least 1, got ${String(options.maxQueuedJobs)}`);
    }
    this.backend = 'connect' in model ? model : localBackend(model);
    this.observer = options.observer;
    this.port = this.backend.connect(this.events(), options);
  }

  plan(task: string, input: string | undefined, options: GenerationOptions): TaskPlan {
    return this.backend.plan(task, input, options);
  }

  run(jobs: readonly TaskJob[]): Promise<(RunResult | Error)[]> {
    return Promise.all(
      this.submit(jobs).map(({ computation, job }) => (computation instanceof Error ? computation : this.wait(computation, job.signal))),
    );
  }

  /**
   * Runs one job and tells `onProgress` its text as it is decoded (at most one event per decode
   * step and per progress interval). A result the engine already has in flight is joined.
   */
  stream(job: TaskJob, onProgress: ProgressListener): Promise<RunResult | Error> {
    const [submitted] = this.submit([job]);
    const computation = submitted!.computation;
    if (computation instanceof Error) return Promise.resolve(computation);
    computation.listeners.add(onProgress);
    if (!computation.streaming) {
      computation.streaming = true;
      this.port.stream(computation.id);
    }
    return this.wait(computation, job.signal, onProgress);
  }

  stats(): EngineStats {
    return { ...this.counters, queued: this.waiting, decoding: this.decoding, features: this.latest.features };
  }

  /** Runs and busy time of each ONNX graph since the model was loaded (benchmarks, metrics). */
  modelUsage(): GraphUsage {
    return this.latest.usage;
  }

  /** Stops the scheduler; computations still in flight fail with DISPOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.port.close(new DisposedError());
  }

  /** Each job joins the computation with its key, or becomes a new one; new ones go to the scheduler as one submission. */
  private submit(jobs: readonly TaskJob[]): { job: TaskJob; computation: Computation | Error }[] {
    const fresh: Computation[] = [];
    const submitted = jobs.map((job) => {
      if (job.signal?.aborted) return { job, computation: reasonOf(job.signal) };
      if (this.closed) return { job, computation: new DisposedError() };
      const known = this.inFlight.get(job.key);
      if (known) {
        this.counters.coalesced++;
        return { job, computation: known };
      }
      if (this.waiting >= this.maxQueuedJobs) {
        this.counters.refused++;
        return { job, computation: new BusyError(this.waiting) };
      }
      const computation: Computation = {
        id: this.nextId++,
        job,
        queuedAt: performance.now(),
        waiters: new Set(),
        listeners: new Set(),
        started: false,
        streaming: false,
        cancelled: false,
      };
      this.inFlight.set(job.key, computation);
      this.byId.set(computation.id, computation);
      this.waiting++;
      fresh.push(computation);
      return { job, computation };
    });
    if (fresh.length > 0) this.port.submit(imagesOf(fresh.map(({ job }) => job.image)), fresh.map(workItem));
    return submitted;
  }

  private wait(computation: Computation, signal: AbortSignal | undefined, listener?: ProgressListener): Promise<RunResult | Error> {
    return new Promise((resolve) => {
      const waiter = (outcome: RunResult | Error) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const onAbort = () => {
        computation.waiters.delete(waiter);
        if (listener) computation.listeners.delete(listener);
        const reason = reasonOf(signal!);
        resolve(reason);
        // The work goes on while anyone still wants it; the last one out cancels it.
        if (computation.waiters.size === 0) this.cancel(computation, reason);
      };
      computation.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private cancel(computation: Computation, reason: Error): void {
    if (this.byId.get(computation.id) !== computation) return;
    computation.cancelled = true;
    this.counters.cancelled++;
    this.port.cancel(computation.id, reason);
    this.settle(computation.id, reason);
  }

  private events(): SchedulerEvents {
    return {
      started: (id) => {
        const computation = this.byId.get(id);
        if (!computation || computation.started) return;
        computation.started = true;
        this.waiting--;
        this.decoding++;
        this.counters.jobs++;
      },
      progress: (id, progress) => {
        for (const listener of this.byId.get(id)?.listeners ?? []) listener(progress);
      },
      settled: (id, outcome) => this.settle(id, outcome),
      batch: (jobs, images) => {
        this.counters.batches++;
        this.observer?.batch(jobs, images);
      },
      imagesEncoded: (count) => (this.counters.imagesEncoded += count),
      stage: (stage, ms) => this.observer?.stage(stage, ms),
      snapshot: (snapshot) => (this.latest = snapshot),
    };
  }

  private settle(id: number, outcome: RunResult | Error): void {
    const computation = this.byId.get(id);
    if (!computation) return;
    this.byId.delete(id);
    if (this.inFlight.get(computation.job.key) === computation) this.inFlight.delete(computation.job.key);
    if (computation.started) this.decoding--;
    else this.waiting--;
    const result = !(outcome instanceof Error) ? 'ok' : computation.cancelled ? 'cancelled' : 'error';
    this.observer?.task(computation.job.plan.task, performance.now() - computation.queuedAt, result);
    for (const waiter of computation.waiters) waiter(outcome);
    computation.waiters.clear();
    computation.listeners.clear();
  }
}

/** Work on this thread: a Florence2 with all four graphs, preprocessing included. */
function localBackend(florence: Florence2): ModelBackend {
  return {
    plan: (task, input, options) => florence.plan(task, input, options),
    connect: (events, options) => new Scheduler(florence, localPreparer(florence), options, events),
  };
}

function workItem(computation: Computation): WorkItem {
  const { id, job, streaming } = computation;
  return {
    id,
    requester: job.requester ?? 'anonymous',
    imageId: job.image.id,
    size: { width: job.image.width, height: job.image.height },
    plan: job.plan,
    stream: streaming,
  };
}

/** Each distinct image of a submission once. */
function imagesOf(images: readonly ImageHandle[]): ImageBytes[] {
  const byId = new Map<string, ImageBytes>();
  for (const image of images) if (!byId.has(image.id)) byId.set(image.id, { id: image.id, bytes: image.bytes });
  return [...byId.values()];
}
