/**
 * Server settings from the environment (and `serve` flags), each checked once at startup: a bad
 * value stops the server with a message naming the variable, instead of quietly changing behaviour.
 * What each variable accepts and defaults to is the table in configVariables.ts; this file turns
 * the table's values into the settings the gateway runs with.
 */
import type { EngineOptions } from '../engine/engine.js';
import { imageLimits, type ImageLimits } from '../images/limits.js';
import { SettingError, type Environment } from '../shared/settings.js';
import type { DtypeOption } from '../vision/modelFiles.js';
import type { ExecutionDevice } from '../vision/onnxSession.js';
import { MIB, readConfigValues, type ConfigFlags } from './configVariables.js';
import type { RateLimitSetting } from './pipeline/rateLimit.js';
import type { TrustProxySetting } from './trustProxy.js';

export { DEFAULT_PORT } from './configVariables.js';
export type { ConfigFlags } from './configVariables.js';
export type { Environment } from '../shared/settings.js';

export interface GatewayConfig {
  /** The model folder; undefined means "not configured" (serve explains how to get one). */
  readonly modelDir: string | undefined;
  readonly port: number;
  readonly host: string;
  readonly cacheUrl: string;
  /** Prefix of every Redis key (CACHE_NAMESPACE): deployments sharing one Redis stay apart; replicas of one share it. */
  readonly cacheNamespace: string;
  /** Wait before probing a failed Redis again, in ms (CACHE_RETRY_MS). */
  readonly cacheRetryMs: number;
  /** How long a dead replica's work lock blocks others, in ms (WORK_LOCK_TTL_MS; refreshed while the holder lives). */
  readonly workLockTtlMs: number;
  readonly dtype: DtypeOption;
  readonly device: ExecutionDevice;
  readonly threads: number;
  /** Stages the vision encoder is cut into (VISION_STAGES). */
  readonly visionStages: number;
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

/** A setting that cannot be used; `setting` is the variable (or `serve` flag) at fault. */
export class ConfigError extends SettingError {}

export function loadConfig(env: Environment = process.env, flags: ConfigFlags = {}): GatewayConfig {
  let values;
  try {
    values = readConfigValues(env, flags);
  } catch (error) {
    if (error instanceof SettingError) throw new ConfigError(error.setting, error.message);
    throw error;
  }
  return {
    modelDir: values.MODEL_DIR,
    port: values.PORT,
    host: values.HOST,
    cacheUrl: values.CACHE_URL,
    cacheNamespace: values.CACHE_NAMESPACE,
    cacheRetryMs: values.CACHE_RETRY_MS,
    workLockTtlMs: values.WORK_LOCK_TTL_MS,
    dtype: values.DTYPE,
    device: values.DEVICE,
    threads: values.THREADS,
    imageLimits: imageLimits({
      maxBytes: values.MAX_IMAGE_BYTES,
      maxPixels: values.MAX_IMAGE_PIXELS,
      fetchTimeoutMs: values.FETCH_TIMEOUT_MS,
      allowHosts: values.ALLOW_HOSTS,
    }),
    requestTimeoutMs: values.REQUEST_TIMEOUT_MS,
    uploadTtlMs: 1000 * values.UPLOAD_TTL_SECONDS,
    graphqlBodyLimitBytes: values.GRAPHQL_BODY_LIMIT_BYTES,
    subscriptionConnectionsPerClient: values.SUBSCRIPTION_CONNECTIONS_PER_CLIENT,
    subscriptionsPerConnection: values.SUBSCRIPTIONS_PER_CONNECTION,
    maxImagesPerQuery: values.MAX_IMAGES_PER_QUERY,
    numBeams: values.NUM_BEAMS,
    maxNewTokens: values.MAX_NEW_TOKENS,
    slowQueryMs: values.SLOW_QUERY_MS,
    responseCacheBytes: MIB * values.RESPONSE_CACHE_MB,
    visionStages: values.VISION_STAGES,
    engine: {
      policy: values.SCHEDULER,
      batchWindowMs: values.BATCH_WINDOW_MS,
      maxBatchJobs: values.MAX_BATCH_JOBS,
      maxQueuedJobs: values.MAX_QUEUED_JOBS,
      maxVisionBatch: values.MAX_VISION_BATCH,
      // Unset: the feature cache sizes itself from the machine's memory.
      ...(values.FEATURE_CACHE_MB === undefined ? {} : { featureCacheBytes: MIB * values.FEATURE_CACHE_MB }),
    },
    logLevel: values.LOG_LEVEL,
    production: values.NODE_ENV === 'production',
    maxQueryCost: values.MAX_QUERY_COST,
    requestBudget: values.REQUEST_BUDGET,
    maxQueryDepth: values.MAX_QUERY_DEPTH,
    maxAliases: values.MAX_ALIASES,
    maxTaskFields: values.MAX_TASK_FIELDS,
    rateLimit: values.RATE_LIMIT,
    trustProxy: values.TRUST_PROXY,
    apiKeys: values.API_KEYS,
    corsOrigins: values.CORS_ORIGINS,
    introspection: values.INTROSPECTION,
    graphiql: values.GRAPHIQL,
    federation: values.FEDERATION,
  };
}
