/**
 * Per-request task loading. Keys are results-cache keys, so each (model, task, prompt, generation
 * options, image) runs at most once per request, and every key asked for in one tick of the event
 * loop goes to the runner as ONE batch: `objects { segment }` over 8 objects is one runner call.
 * Cached results are served before the runner is asked; new results are cached after.
 */
import DataLoader from 'dataloader';
import type { ResultCache } from '../../cache/resultCache.js';
import type { TaskRunner } from '../../engine/taskRunner.js';
import type { RunResult, TaskPlan } from '../../vision/florence2.js';
import { isResultForTask } from '../../vision/resultGuards.js';
import type { RequestBudget } from '../cost/requestBudget.js';
import type { Image } from '../types/Image.js';

export interface TaskRequest {
  readonly cacheKey: string;
  readonly image: Image;
  readonly plan: TaskPlan;
}

export type TaskLoader = DataLoader<TaskRequest, RunResult, string>;

/** `budget` is charged for each job that goes to the model (never for cache hits); jobs past it fail alone. */
export function createTaskLoader(
  runner: TaskRunner,
  cache: ResultCache,
  signal: AbortSignal,
  budget?: RequestBudget,
  requester?: string,
): TaskLoader {
  return new DataLoader<TaskRequest, RunResult, string>(
    async (requests) => {
      const taskByKey = new Map(requests.map((request) => [request.cacheKey, request.plan.task] as const));
      const lookup = (keys: readonly string[]) => cachedAnswers(cache, keys, taskByKey);
      const cached = await lookup(requests.map((request) => request.cacheKey));
      // Charged in the order the fields asked, so which fields pass the budget is deterministic.
      const refused = new Map<string, Error>();
      const misses = requests.filter((request, i) => {
        if (cached[i] !== undefined) return false;
        const overBudget = budget?.charge(request.image.id, request.plan);
        if (overBudget) refused.set(request.cacheKey, overBudget);
        return !overBudget;
      });
      const missByKey = new Map(misses.map((request) => [request.cacheKey, request] as const));
      // Runs `keys` as one runner batch and stores the results before resolving (the work lock
      // releases after this, and other replicas look for the results then).
      const compute = async (keys: readonly string[]): Promise<Array<RunResult | Error>> => {
        const jobs = keys.map((key) => missByKey.get(key)!);
        const computed = await runner.run(
          jobs.map((request) => ({
            key: request.cacheKey,
            image: request.image.handle,
            plan: request.plan,
            signal,
            ...(requester ? { requester } : {}),
          })),
        );
        await Promise.all(computed.map((result, i) => (result instanceof Error ? undefined : cache.set(keys[i]!, stripForCache(result)))));
        return computed;
      };
      const keys = [...missByKey.keys()];
      // With replicas sharing Redis, keys another replica is computing are waited for, not rerun.
      const computed =
        keys.length === 0
          ? new Map<string, RunResult | Error>()
          : cache.workLock
            ? await cache.workLock.computeOnce(keys, { lookup, compute, signal })
            : new Map((await compute(keys)).map((result, i) => [keys[i]!, result] as const));
      const byKey = new Map<string, RunResult | Error>([...computed, ...refused]);
      return requests.map((request, i) => cached[i] ?? byKey.get(request.cacheKey)!);
    },
    { cacheKeyFn: (request) => request.cacheKey },
  );
}

/** Only plain data goes to the store (a RunResult is plain already; this pins the shape). */
export function stripForCache(result: RunResult): RunResult {
  const { task, prompt, text, tokens, tokenLogprobs, score, result: parsed, regionScores, locationScore } = result;
  return {
    task,
    prompt,
    text,
    tokens: [...tokens],
    tokenLogprobs: [...tokenLogprobs],
    score,
    result: parsed,
    regionScores: [...regionScores],
    locationScore,
  };
}

/**
 * The cached answers under `keys`. An entry is served only as a RunResult (isRunResult) of the task
 * its key was asked for (`taskByKey`); anything else is a miss, computed again and overwritten. The
 * key names the task already, so a mismatch means a damaged or foreign store: checking costs a
 * string comparison and lets callers use the answer by its task's static type.
 */
export async function cachedAnswers(
  cache: ResultCache,
  keys: readonly string[],
  taskByKey: ReadonlyMap<string, string>,
): Promise<Array<RunResult | undefined>> {
  const entries = await cache.getMany(keys, isRunResult);
  return keys.map((key, i) => {
    const entry = entries[i];
    return entry !== undefined && entry.task === taskByKey.get(key) ? entry : undefined;
  });
}

/**
 * What a cache entry must look like to be served; anything else is a miss, so entries written
 * before a field existed (no `tokenLogprobs`, `regionScores`, `locationScore`: their `score` used
 * another length normaliser too) are computed again rather than served without it, and so is an
 * answer whose shape is not the one its task's parser gives (resultGuards.ts).
 */
export function isRunResult(value: unknown): value is RunResult {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  const tokens = entry['tokens'];
  const tokenLogprobs = entry['tokenLogprobs'];
  const regionScores = entry['regionScores'];
  const locationScore = entry['locationScore'];
  const task = entry['task'];
  return (
    typeof task === 'string' &&
    typeof entry['prompt'] === 'string' &&
    typeof entry['text'] === 'string' &&
    Array.isArray(tokens) &&
    Array.isArray(tokenLogprobs) &&
    tokenLogprobs.length === tokens.length &&
    tokenLogprobs.every((logprob) => typeof logprob === 'number') &&
    typeof entry['score'] === 'number' &&
    Array.isArray(regionScores) &&
    regionScores.every((score) => score === null || typeof score === 'number') &&
    (locationScore === null || typeof locationScore === 'number') &&
    isResultForTask(task, entry['result'])
  );
}
