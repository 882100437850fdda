/**
 * Server settings from the environment (and `serve` flags), each checked once at startup: a bad
 * value stops the server with a message naming the variable, instead of quietly changing behaviour.
 */
import { availableParallelism } from 'node:os';
import { DEFAULT_CACHE_URL, NAMESPACE_PATTERN } from '../cache/createStore.js';
import { DEFAULT_WORK_LOCK_TTL_MS, MIN_WORK_LOCK_TTL_MS } from '../cache/workLock.js';
import { imageLimitsFromEnv, type ImageLimits } from '../images/limits.js';
import { DEFAULT_MAX_NEW_TOKENS, MAX_BEAMS } from '../vision/generation/settings.js';
import { isModelDtype, type DtypeOption } from '../vision/modelFiles.js';
import type { EngineOptions } from '../engine/engine.js';
import type { SchedulingPolicy } from '../engine/scheduler.js';
import { DEFAULT_SLOW_QUERY_MS } from '../observability/requestMetricsPlugin.js';
import type { ExecutionDevice } from '../vision/onnxSession.js';
import { DEFAULT_MAX_QUERY_COST, DEFAULT_REQUEST_BUDGET } from '../graphql/cost/prices.js';
import { DEFAULT_MAX_ALIASES, DEFAULT_MAX_QUERY_DEPTH, DEFAULT_MAX_TASK_FIELDS } from './plugins/queryShapeRules.js';
import { parseApiKeys } from './middleware/apiKeys.js';
import { parseCorsOrigins } from './middleware/cors.js';
import { parseRateLimit, type RateLimitSetting } from './middleware/rateLimit.js';
import { parseTrustProxy, type TrustProxySetting } from './trustProxy.js';

export interface GatewayConfig {
  /** The model folder; undefined means "not configured" (serve explains how to get one). */
  readonly modelDir: string | undefined;
  readonly port: number;
  readonly host: string;
  readonly cacheUrl: string;
  /** Prefix of every Redis key (CACHE_NAMESPACE): deployments sharing one Redis stay apart; replicas of one share it. */
  readonly cacheNamespace?: string | undefined;
  /** Wait before probing a failed Redis again, in ms (CACHE_RETRY_MS). */
  readonly cacheRetryMs?: number | undefined;
  /** How long a dead replica's work lock blocks others, in ms (WORK_LOCK_TTL_MS; refreshed while the holder lives). */
  readonly workLockTtlMs?: number | undefined;
  readonly dtype: DtypeOption;
  readonly device: ExecutionDevice;
  readonly threads: number;
  readonly imageLimits: ImageLimits;
  /** Whole-request deadline; queued model work of a request past it is dropped. */
  readonly requestTimeoutMs: number;
  readonly uploadTtlMs: number;
  /** Largest POST /graphql body: base64 images ride in it, larger images use POST /images. */
  readonly graphqlBodyLimitBytes: number;
  readonly maxImagesPerQuery: number;
  /** Open subscription WebSockets per client (API key, else address). */
  readonly subscriptionConnectionsPerClient: number;
  /** Active subscriptions per WebSocket. */
  readonly subscriptionsPerConnection: number;
  readonly numBeams: number;
  readonly maxNewTokens: number;
  /** Requests slower than this are logged with their cost (SLOW_QUERY_MS). */
  readonly slowQueryMs: number;
  /** Whole-response cache for repeated queries (RESPONSE_CACHE_MB; 0 turns it off). */
  readonly responseCacheBytes: number;
  /** Scheduler settings (BATCH_WINDOW_MS, MAX_BATCH_JOBS, MAX_QUEUED_JOBS, MAX_VISION_BATCH, FEATURE_CACHE_MB). */
  readonly engine: Omit<EngineOptions, 'modelFingerprint'>;
  readonly logLevel: string;
  /** NODE_ENV=production: terse errors; introspection and GraphiQL default to off. */
  readonly production: boolean;
  /** Cost and abuse limits (README "Cost and abuse limits"); units are the price table's (src/graphql/cost/prices.ts). */
  readonly maxQueryCost: number;
  readonly requestBudget: number;
  readonly maxQueryDepth: number;
  readonly maxAliases: number;
  readonly maxTaskFields: number;
  /** Requests per window per client; undefined: no rate limit. */
  readonly rateLimit: RateLimitSetting | undefined;
  /** Proxies whose `X-Forwarded-For` names the client (TRUST_PROXY; default: none, the socket address counts). */
  readonly trustProxy: TrustProxySetting | undefined;
  /** Accepted API keys; empty: the API is open. Never log these. */
  readonly apiKeys: readonly string[];
  /** Browser origins allowed to call `/graphql` and `/images` cross-origin (CORS_ORIGINS; default none: same origin only). */
  readonly corsOrigins: readonly string[];
  /** Whether `__schema`/`__type` are answered (INTROSPECTION; default: not in production). */
  readonly introspection: boolean;
  /** Whether GraphiQL is served at `/` (GRAPHIQL; default: not in production). */
  readonly graphiql: boolean;
  /** Serve the schema as an Apollo Federation 2 subgraph, `Image` keyed by `id` (FEDERATION; default off). */
  readonly federation: boolean;
}

/** 4000: the conventional GraphQL development port. */
export const DEFAULT_PORT = 4000;
/** 2 min: a cold cascade on a CPU takes tens of seconds; past this the client has likely given up. */
const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
/** 24 h: long enough for a session of work on an uploaded image, short enough not to hoard memory. */
const DEFAULT_UPLOAD_TTL_SECONDS = 86_400;
/** 4.5 MB: "well under 5 MB" — a 3 MB image in base64 plus the query. */
const DEFAULT_GRAPHQL_BODY_LIMIT_BYTES = 4_500_000;
/** 8 images per `images(urls:)`: each may cost a fetch and a vision-encoder pass. */
const DEFAULT_MAX_IMAGES_PER_QUERY = 8;
/** A browser's few tabs of one user; a script opening hundreds is refused. */
const DEFAULT_SUBSCRIPTION_CONNECTIONS_PER_CLIENT = 8;
/** Each subscription is a task on the model: a handful in parallel per socket is plenty for a page. */
const DEFAULT_SUBSCRIPTIONS_PER_CONNECTION = 8;

export type Environment = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface ConfigFlags {
  readonly model?: string | undefined;
  readonly port?: string | undefined;
}

export function loadConfig(env: Environment = process.env, flags: ConfigFlags = {}): GatewayConfig {
  const dtypeText = env['DTYPE']?.trim() || 'fp32';
  if (!isModelDtype(dtypeText)) throw new ConfigError(`DTYPE must be one of fp32, fp16, q8, int8, uint8, q4, q4f16, bnb4; got ${JSON.stringify(dtypeText)}`);
  const device = env['DEVICE']?.trim() || 'cpu';
  if (device !== 'cpu' && device !== 'cuda' && device !== 'webgpu') throw new ConfigError(`DEVICE must be cpu, cuda or webgpu; got ${JSON.stringify(device)}`);
  const production = env['NODE_ENV'] === 'production';
  let imageLimits: ImageLimits;
  try {
    imageLimits = imageLimitsFromEnv(env);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return {
    modelDir: flags.model ?? (env['MODEL_DIR']?.trim() || undefined),
    port: wholeNumber('PORT', flags.port ?? env['PORT'], DEFAULT_PORT, 0, 65_535),
    host: env['HOST']?.trim() || '0.0.0.0',
    cacheUrl: env['CACHE_URL']?.trim() || DEFAULT_CACHE_URL,
    cacheNamespace: cacheNamespace(env['CACHE_NAMESPACE']),
    ...(env['CACHE_RETRY_MS']?.trim() ? { cacheRetryMs: wholeNumber('CACHE_RETRY_MS', env['CACHE_RETRY_MS'], 0, 10, 3_600_000) } : {}),
    workLockTtlMs: wholeNumber('WORK_LOCK_TTL_MS', env['WORK_LOCK_TTL_MS'], DEFAULT_WORK_LOCK_TTL_MS, MIN_WORK_LOCK_TTL_MS, 3_600_000),
    dtype: dtypeText,
    device,
    threads: wholeNumber('THREADS', env['THREADS'], availableParallelism(), 1, 1024),
    imageLimits,
    requestTimeoutMs: wholeNumber('REQUEST_TIMEOUT_MS', env['REQUEST_TIMEOUT_MS'], DEFAULT_REQUEST_TIMEOUT_MS, 1, 3_600_000),
    uploadTtlMs: 1000 * wholeNumber('UPLOAD_TTL_SECONDS', env['UPLOAD_TTL_SECONDS'], DEFAULT_UPLOAD_TTL_SECONDS, 1, 30 * 86_400),
    graphqlBodyLimitBytes: wholeNumber('GRAPHQL_BODY_LIMIT_BYTES', env['GRAPHQL_BODY_LIMIT_BYTES'], DEFAULT_GRAPHQL_BODY_LIMIT_BYTES, 1_000, 100_000_000),
    subscriptionConnectionsPerClient: wholeNumber('SUBSCRIPTION_CONNECTIONS_PER_CLIENT', env['SUBSCRIPTION_CONNECTIONS_PER_CLIENT'], DEFAULT_SUBSCRIPTION_CONNECTIONS_PER_CLIENT, 1, 10_000),
    subscriptionsPerConnection: wholeNumber('SUBSCRIPTIONS_PER_CONNECTION', env['SUBSCRIPTIONS_PER_CONNECTION'], DEFAULT_SUBSCRIPTIONS_PER_CONNECTION, 1, 1_000),
    maxImagesPerQuery: wholeNumber('MAX_IMAGES_PER_QUERY', env['MAX_IMAGES_PER_QUERY'], DEFAULT_MAX_IMAGES_PER_QUERY, 1, 1_000),
    numBeams: wholeNumber('NUM_BEAMS', env['NUM_BEAMS'], 1, 1, MAX_BEAMS),
    maxNewTokens: wholeNumber('MAX_NEW_TOKENS', env['MAX_NEW_TOKENS'], DEFAULT_MAX_NEW_TOKENS, 2, 1024),
    slowQueryMs: wholeNumber('SLOW_QUERY_MS', env['SLOW_QUERY_MS'], DEFAULT_SLOW_QUERY_MS, 1, 3_600_000),
    responseCacheBytes: 1024 * 1024 * wholeNumber('RESPONSE_CACHE_MB', env['RESPONSE_CACHE_MB'], 64, 0, 100_000),
    engine: {
      ...optional('batchWindowMs', env['BATCH_WINDOW_MS'], 'BATCH_WINDOW_MS', 0, 1_000),
      ...optional('maxBatchJobs', env['MAX_BATCH_JOBS'], 'MAX_BATCH_JOBS', 1, 1_024),
      ...optional('maxQueuedJobs', env['MAX_QUEUED_JOBS'], 'MAX_QUEUED_JOBS', 1, 100_000),
      ...optional('maxVisionBatch', env['MAX_VISION_BATCH'], 'MAX_VISION_BATCH', 1, 64),
      ...(env['SCHEDULER']?.trim() ? { policy: schedulingPolicy(env['SCHEDULER']) } : {}),
      ...(env['FEATURE_CACHE_MB']?.trim() ? { featureCacheBytes: 1024 * 1024 * wholeNumber('FEATURE_CACHE_MB', env['FEATURE_CACHE_MB'], 0, 1, 1_000_000) } : {}),
    },
    logLevel: env['LOG_LEVEL']?.trim() || 'info',
    production,
    maxQueryCost: wholeNumber('MAX_QUERY_COST', env['MAX_QUERY_COST'], DEFAULT_MAX_QUERY_COST, 1, 1_000_000_000),
    requestBudget: wholeNumber('REQUEST_BUDGET', env['REQUEST_BUDGET'], DEFAULT_REQUEST_BUDGET, 1, 1_000_000_000),
    maxQueryDepth: wholeNumber('MAX_QUERY_DEPTH', env['MAX_QUERY_DEPTH'], DEFAULT_MAX_QUERY_DEPTH, 2, 1_000),
    maxAliases: wholeNumber('MAX_ALIASES', env['MAX_ALIASES'], DEFAULT_MAX_ALIASES, 0, 100_000),
    maxTaskFields: wholeNumber('MAX_TASK_FIELDS', env['MAX_TASK_FIELDS'], DEFAULT_MAX_TASK_FIELDS, 1, 100_000),
    rateLimit: parsed(() => parseRateLimit(env['RATE_LIMIT'])),
    trustProxy: parsed(() => parseTrustProxy(env['TRUST_PROXY'])),
    apiKeys: parsed(() => parseApiKeys(env['API_KEYS'])),
    corsOrigins: parsed(() => parseCorsOrigins(env['CORS_ORIGINS'])),
    introspection: flag('INTROSPECTION', env['INTROSPECTION'], !production),
    graphiql: flag('GRAPHIQL', env['GRAPHIQL'], !production),
    federation: flag('FEDERATION', env['FEDERATION'], false),
  };
}

function schedulingPolicy(raw: string): SchedulingPolicy {
  const text = raw.trim().toLowerCase();
  if (text === 'continuous' || text === 'batch') return text;
  throw new ConfigError(`SCHEDULER must be continuous or batch (default continuous); got ${JSON.stringify(text.slice(0, 40))}`);
}

function cacheNamespace(raw: string | undefined): string | undefined {
  const text = raw?.trim();
  if (text === undefined || text === '') return undefined;
  if (!NAMESPACE_PATTERN.test(text)) throw new ConfigError(`CACHE_NAMESPACE must be 1–64 letters, digits, '.', '_' or '-'; got ${JSON.stringify(text.slice(0, 70))}`);
  return text;
}

/** A parser's Error as a ConfigError (its message already names the variable). */
function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function flag(name: string, raw: string | undefined, fallback: boolean): boolean {
  const text = raw?.trim().toLowerCase();
  if (text === undefined || text === '') return fallback;
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off'].includes(text)) return false;
  throw new ConfigError(`${name} must be true or false (default ${fallback}); got ${JSON.stringify(text.slice(0, 40))}`);
}

/** `{ [key]: value }` when the variable is set, else nothing (the engine's default applies). */
function optional<K extends string>(key: K, raw: string | undefined, name: string, min: number, max: number): Partial<Record<K, number>> {
  if (raw === undefined || raw.trim() === '') return {};
  return { [key]: wholeNumber(name, raw, 0, min, max) } as Partial<Record<K, number>>;
}

function wholeNumber(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  const text = raw?.trim();
  if (text === undefined || text === '') return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (default ${fallback}); got ${JSON.stringify(text.slice(0, 40))}`);
  }
  return value;
}
