/**
 * The per-request context: the process-wide services plus this request's loaders, abort signal
 * (deadline or client gone) and logger.
 */
import type { Logger } from '../shared/logger.js';
import { resultCacheKey } from '../cache/cacheKey.js';
import { randomUUID } from 'node:crypto';
import type { RunResult, TaskPlan } from '../vision/florence2.js';
import type { GenerationOptions } from '../vision/generation/settings.js';
import type { ResultForTask, TaskToken } from '../vision/tasks.js';
import { RequestBudget } from './cost/requestBudget.js';
import { createImageLoader, type ImageSourceSpec } from './loaders/imageLoader.js';
import { createTaskLoader, type TaskLoader } from './loaders/taskLoader.js';
import type { GatewayServices } from './services.js';
import type { Image } from './types/Image.js';
import type DataLoader from 'dataloader';

export interface GatewayContext {
  readonly services: GatewayServices;
  readonly images: DataLoader<ImageSourceSpec, Image, string>;
  readonly tasks: TaskLoader;
  /** Aborts when the request's deadline passes or its client disconnects. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** The model work this request may still start (REQUEST_BUDGET); cache hits are free. */
  readonly budget: RequestBudget;
  /**
   * Whether the response is a function of the query and its variables alone: false once an image
   * comes from a URL, whose content may change while the URL stays (ids and base64 name content).
   */
  readonly determinism: { fromVariables: boolean };
  /** Where the HTTP layer would store this response for byte-identical repeats (see responseCache.ts). */
  readonly rawResponseKey?: string | undefined;
  /** Who asks, for the engine's fair turns: one id per request or subscription. */
  readonly requester: string;
}

export function createContext(
  services: GatewayServices,
  signal: AbortSignal,
  logger: Logger = services.logger,
  budget: RequestBudget = RequestBudget.unlimited(),
  requester: string = randomUUID(),
): GatewayContext {
  return {
    services,
    images: createImageLoader(services, signal),
    tasks: createTaskLoader(services.runner, services.cache, signal, budget, requester),
    signal,
    logger,
    budget,
    determinism: { fromVariables: true },
    requester,
  };
}

/** A task checked and planned for an image, with the results-cache key of its answer. */
export interface PlannedTask {
  readonly plan: TaskPlan;
  readonly cacheKey: string;
}

/** Plans a task with the server's defaults under the field's overrides. Bad input throws here, synchronously. */
export function planTask(
  context: GatewayContext,
  image: Image,
  task: string,
  input: string | undefined,
  overrides: GenerationOptions | undefined,
): PlannedTask {
  const options = { ...context.services.generationDefaults, ...definedOnly(overrides ?? {}) };
  const plan = context.services.runner.plan(task, input, options);
  const cacheKey = resultCacheKey({
    modelFingerprint: context.services.model.fingerprint,
    task,
    // The prompt, not the raw input: inputs that build the same prompt are the same work.
    input: plan.prompt,
    options: { ...plan.options },
    imageId: image.id,
  });
  return { plan, cacheKey };
}

/**
 * Runs (or serves from cache) one task on an image; the answer has that task's type
 * (`runTask(…, TaskName.OD, …)` answers boxes). Bad input throws here, synchronously with the
 * field, before anything is queued.
 */
export function runTask<T extends TaskToken>(
  context: GatewayContext,
  image: Image,
  task: T,
  input: string | undefined,
  overrides: GenerationOptions | undefined,
): Promise<RunResult<ResultForTask<T>>> {
  const { plan, cacheKey } = planTask(context, image, task, input, overrides);
  // Why the answer is `task`'s: plan.task is `task`, and the loader's answers are either parsed for
  // their plan's task (the runner, by the task table) or checked against it (cachedAnswers).
  return context.tasks.load({ cacheKey, image, plan }) as Promise<RunResult<ResultForTask<T>>>;
}

function definedOnly(options: GenerationOptions): GenerationOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined && value !== null));
}
