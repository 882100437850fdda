/**
 * The model on worker threads, as the request thread sees it: an Engine backend whose plans are
 * made here (tokenizer and config only, so bad input fails at once) and whose computations run in
 * the model worker (scheduler, every graph, feature cache), with image preprocessing in a worker of
 * its own at a lower OS priority. onnxruntime-node runs a session's `run` on the calling thread,
 * so this is what keeps HTTP, health checks, subscriptions and SIGTERM answered while the model works.
 *
 * One thread runs every graph, on purpose: two threads running graphs at once on a small CPU make
 * each other's onnxruntime thread pools contend, and measured on 2 cores that cost more than it
 * saved (README, "Engine and performance"); the scheduler interleaves bounded units instead.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import { ModelRunError } from '../../vision/errors.js';
import type { RunResult, TaskPlan } from '../../vision/florence2.js';
import type { GenerationOptions } from '../../vision/generation/settings.js';
import type { ExecutionDevice } from '../../vision/onnxSession.js';
import { TaskPlanner } from '../../vision/taskPlanner.js';
import type { ModelBackend } from '../engine.js';
import { schedulerOptionsOf, type SchedulerOptions } from '../scheduler.js';
import type { SchedulerEvents, SchedulerPort } from '../work.js';
import { deserializeError, serializeError, type ModelLoadSettings, type ModelWorkerCommand, type WorkerReport } from './protocol.js';
import type { ModelWorkerData } from './modelWorker.js';
import type { PreprocessWorkerData } from './preprocessWorker.js';

export interface ModelWorkersOptions extends ModelLoadSettings {
  /**
   * Nice value added to the preprocessing worker's thread. Default 10: the kernel gives the model's
   * thread and HTTP the cores when they want them (CFS weights 1024 vs 110); preprocessing takes the rest.
   */
  readonly preprocessNiceness?: number;
}

export const DEFAULT_PREPROCESS_NICENESS = 10;

export class ModelWorkers implements ModelBackend {
  /** Computations submitted and not settled, so a worker crash can fail each of them. */
  private readonly pending = new Set<number>();
  private events: SchedulerEvents | undefined;
  private failure: Error | undefined;
  private readonly failureListeners = new Set<(error: Error) => void>();
  private closing = false;

  private constructor(
    private readonly model: Worker,
    private readonly preprocess: Worker,
    private readonly planner: TaskPlanner,
    /** Where the text graphs run. */
    readonly device: ExecutionDevice,
    /** Why a graph does not run on the device asked for, when a fallback happened. */
    readonly deviceFallback: string | undefined,
  ) {
    for (const [name, worker] of [
      ['model', model],
      ['preprocessing', preprocess],
    ] as const) {
      worker.on('error', (error) => this.fail(new ModelRunError(`the ${name} worker failed: ${error.message}`, { cause: error })));
      worker.on('exit', (code) => {
        if (!this.closing) this.fail(new ModelRunError(`the ${name} worker stopped (exit code ${code})`));
      });
    }
    model.on('message', (message: WorkerReport) => this.dispatch(message));
  }

  /** Starts both workers and waits until the model is loaded. */
  static async start(options: ModelWorkersOptions): Promise<ModelWorkers> {
    const planner = await TaskPlanner.load(options.modelDir);
    const settings: ModelLoadSettings = {
      modelDir: options.modelDir,
      ...(options.dtype !== undefined ? { dtype: options.dtype } : {}),
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.device !== undefined ? { device: options.device } : {}),
      ...(options.imageLimits !== undefined ? { imageLimits: options.imageLimits } : {}),
      ...(options.visionStages !== undefined ? { visionStages: options.visionStages } : {}),
    };
    const channel = new MessageChannel();
    const preprocessData: PreprocessWorkerData = {
      imageLimits: options.imageLimits ?? {},
      niceness: options.preprocessNiceness ?? DEFAULT_PREPROCESS_NICENESS,
      port: channel.port2,
    };
    const preprocess = new Worker(new URL('./preprocessWorker.js', import.meta.url), {
      workerData: preprocessData,
      transferList: [channel.port2],
    });
    const modelData: ModelWorkerData = { settings, preprocessPort: channel.port1 };
    const model = new Worker(new URL('./modelWorker.js', import.meta.url), { workerData: modelData, transferList: [channel.port1] });
    try {
      const [modelReady] = await Promise.all([ready(model), ready(preprocess)]);
      return new ModelWorkers(model, preprocess, planner, modelReady.device, modelReady.deviceFallback);
    } catch (error) {
      await Promise.all([model.terminate(), preprocess.terminate()]);
      throw error;
    }
  }

  plan(task: string, input: string | undefined, options: GenerationOptions): TaskPlan {
    return this.planner.plan(task, input, options);
  }

  /** The model's configuration (as read on this thread). */
  get folder(): TaskPlanner['folder'] {
    return this.planner.folder;
  }

  connect(events: SchedulerEvents, options: SchedulerOptions): SchedulerPort {
    if (this.events) throw new Error('the model workers serve one engine');
    this.events = events;
    this.command({ type: 'connect', options: schedulerOptionsOf(options) });
    return {
      submit: (images, items) => {
        if (this.failure) {
          for (const item of items) events.settled(item.id, this.failure);
          return;
        }
        for (const item of items) this.pending.add(item.id);
        this.command({ type: 'submit', images, items });
      },
      cancel: (id, reason) => {
        this.pending.delete(id);
        this.command({ type: 'cancel', id, reason: serializeError(reason) });
      },
      stream: (id) => this.command({ type: 'stream', id }),
      close: (reason) => this.close(reason),
    };
  }

  /** Called once if a worker fails; computations in flight have already failed with `error`. */
  onFailure(listener: (error: Error) => void): void {
    if (this.failure) listener(this.failure);
    else this.failureListeners.add(listener);
  }

  /** Stops both workers after they release their sessions; computations in flight settle with `reason`. */
  async close(reason: Error = new Error('the model workers were closed')): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (!this.failure) {
      const closed = [this.model, this.preprocess].map((worker) => untilClosed(worker));
      this.model.postMessage({ type: 'close', reason: serializeError(reason) } satisfies ModelWorkerCommand);
      this.preprocess.postMessage({ type: 'close' });
      await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())]);
    }
    await Promise.all([this.model.terminate(), this.preprocess.terminate()]);
    this.failPending(reason);
  }

  private command(command: ModelWorkerCommand): void {
    if (!this.failure && !this.closing) this.model.postMessage(command);
  }

  private dispatch(message: WorkerReport): void {
    const events = this.events;
    if (!events) return;
    switch (message.type) {
      case 'started':
        events.started(message.id);
        return;
      case 'progress':
        events.progress(message.id, message.progress);
        return;
      case 'settled': {
        this.pending.delete(message.id);
        events.snapshot(message.snapshot);
        const outcome: RunResult | Error = message.error ? deserializeError(message.error) : message.result!;
        events.settled(message.id, outcome);
        return;
      }
      case 'batch':
        events.batch(message.jobs, message.images);
        return;
      case 'imagesEncoded':
        events.imagesEncoded(message.count);
        return;
      case 'stage':
        events.stage(message.stage, message.ms);
        return;
      default:
        return;
    }
  }

  private fail(error: Error): void {
    if (this.failure || this.closing) return;
    this.failure = error;
    this.failPending(error);
    for (const listener of this.failureListeners) listener(error);
    this.failureListeners.clear();
  }

  private failPending(error: Error): void {
    const ids = [...this.pending];
    this.pending.clear();
    for (const id of ids) this.events?.settled(id, error);
  }
}

/** How long closing waits for the workers to release their sessions before terminating them. */
const CLOSE_GRACE_MS = 10_000;

function ready(worker: Worker): Promise<Extract<WorkerReport, { type: 'ready' }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerReport) => {
      if (message.type === 'ready') {
        cleanup();
        resolve(message);
      } else if (message.type === 'failed') {
        cleanup();
        reject(deserializeError(message.error));
      }
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new ModelRunError(`a model worker stopped while loading (exit code ${code})`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

function untilClosed(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: WorkerReport) => {
      if (message.type !== 'closed') return;
      worker.off('message', onMessage);
      resolve();
    };
    worker.on('message', onMessage);
    worker.once('exit', () => resolve());
  });
}
