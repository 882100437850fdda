/**
 * Helpers for the limit tests: shape validation in one call, the estimate of a query, and a
 * gateway context over a scripted runner (no model) for budget cases that need hundreds of regions.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import { graphql, parse, specifiedRules, validate, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { pino } from 'pino';
import { createCacheStore } from '../../../src/cache/createStore.js';
import type { ResultCache } from '../../../src/cache/resultCache.js';
import type { RunnerStats, TaskJob, TaskRunner } from '../../../src/engine/taskRunner.js';
import { createContext } from '../../../src/graphql/context.js';
import { RequestBudget } from '../../../src/graphql/cost/requestBudget.js';
import { buildGatewaySchema } from '../../../src/graphql/schema.js';
import type { GatewayServices } from '../../../src/graphql/services.js';
import { UploadStore } from '../../../src/graphql/uploads.js';
import { loadConfig } from '../../../src/server/config.js';
import { queryShapeRules, type QueryShapeOptions } from '../../../src/server/pipeline/queryShapeRules.js';
import type { RunResult, TaskPlan } from '../../../src/vision/florence2.js';
import type { GenerationOptions } from '../../../src/vision/generation/settings.js';
import type { TaskResult } from '../../../src/vision/results.js';

let schemaPromise: Promise<GraphQLSchema> | undefined;
export function gatewaySchema(): Promise<GraphQLSchema> {
  schemaPromise ??= buildGatewaySchema();
  return schemaPromise;
}

/** The messages of graphql's own rules plus the shape rules, for `query`. */
export async function shapeErrors(query: string, options: QueryShapeOptions = {}): Promise<{ message: string; code: unknown }[]> {
  const errors = validate(await gatewaySchema(), parse(query), [...specifiedRules, ...queryShapeRules(options)]);
  return errors.map((error) => ({
    message: error.message,
    code: (error.originalError as { code?: unknown } | undefined)?.code ?? error.extensions['code'],
  }));
}

/** The cost estimate the gateway computes for `query` (server defaults: greedy, 1024 tokens). */
export async function estimate(query: string, variables: Record<string, unknown> = {}): Promise<number> {
  return getComplexity({
    schema: await gatewaySchema(),
    query: parse(query),
    variables,
    estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 0 })],
    context: { generationDefaults: { numBeams: 1, maxNewTokens: 1024 } },
  });
}

/** Answers by task for the scripted runner; a function gets the job (its prompt names the region). */
export type ScriptedAnswers = Readonly<Record<string, TaskResult | ((job: TaskJob) => TaskResult)>>;

/** A TaskRunner with scripted answers that records every job it is asked to run. */
export class ScriptedRunner implements TaskRunner {
  readonly jobs: TaskJob[] = [];
  private batches = 0;

  constructor(private readonly answers: ScriptedAnswers) {}

  plan(task: string, input: string | undefined, options: GenerationOptions): TaskPlan {
    return {
      task,
      input,
      prompt: `${task}${input ?? ''}`,
      promptIds: [],
      options: {
        numBeams: 1,
        maxNewTokens: 1024,
        minNewTokens: 0,
        lengthPenalty: 1,
        earlyStopping: true,
        noRepeatNgramSize: 3,
        ...options,
      },
    };
  }

  async run(jobs: readonly TaskJob[]): Promise<(RunResult | Error)[]> {
    this.batches += 1;
    this.jobs.push(...jobs);
    return jobs.map((job) => {
      const answer = this.answers[job.plan.task];
      if (answer === undefined) return new Error(`no scripted answer for ${job.plan.task}`);
      const result = typeof answer === 'function' ? answer(job) : answer;
      return {
        task: job.plan.task,
        prompt: job.plan.prompt,
        text: '',
        tokens: [0, 2],
        tokenLogprobs: [0, 0],
        score: 0,
        result,
        regionScores: [],
        locationScore: null,
      };
    });
  }

  stats(): RunnerStats {
    const images = new Set(this.jobs.map((job) => job.image.id));
    return { batches: this.batches, jobs: this.jobs.length, imagesEncoded: images.size };
  }

  jobsOf(task: string): TaskJob[] {
    return this.jobs.filter((job) => job.plan.task === task);
  }
}

/** Gateway services over a scripted runner and a fresh memory cache. */
export async function scriptedServices(runner: TaskRunner, cache?: ResultCache): Promise<GatewayServices> {
  const logger = pino({ level: 'silent' });
  const config = loadConfig({});
  const store = cache ?? (await createCacheStore('memory://', { logger }));
  return {
    runner,
    cache: store,
    model: { id: 'scripted', fingerprint: 'feedface', dtype: 'fp32', device: 'cpu', hiddenSize: 8, decoderLayers: 1 },
    imageLimits: config.imageLimits,
    generationDefaults: { numBeams: 1, maxNewTokens: 1024 },
    uploads: new UploadStore(store, config.uploadTtlMs),
    maxImagesPerQuery: config.maxImagesPerQuery,
    logger,
  };
}

/** Executes `query` as the gateway would, with a runtime budget of `budget` units. */
export async function executeWithBudget(
  services: GatewayServices,
  budget: number,
  query: string,
  variables: Record<string, unknown>,
): Promise<ExecutionResult> {
  const context = createContext(services, new AbortController().signal, services.logger, new RequestBudget(budget));
  return graphql({ schema: await gatewaySchema(), source: query, variableValues: variables, contextValue: context });
}

/** A bare express app on 127.0.0.1 with `handlers` in front of a 200 `{ ok: true }`, for middleware tests. */
export async function serveMiddleware(...handlers: RequestHandler[]): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.use(...handlers);
  app.use((_req, res) => {
    res.json({ ok: true });
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
