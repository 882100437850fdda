/**
 * Every environment variable the gateway reads, in one table: its parser (what it accepts, with its
 * range), its default (imported from the module that owns it, never restated here), what it does,
 * and the `serve` flag that overrides it. `loadConfig` reads the server's variables through it,
 * `serve --help` takes its flags' help from it, and the README's "Configuration" table is rendered
 * from it (`npm run docs:config`; test/server/configTable.test.ts fails when they differ).
 */
import { availableParallelism } from 'node:os';
import { pino } from 'pino';
import { DEFAULT_CACHE_URL, DEFAULT_NAMESPACE, NAMESPACE_PATTERN, parseCacheUrl } from '../cache/createStore.js';
import { DEFAULT_RETRY_COOLDOWN_MS } from '../cache/resultCache.js';
import { DEFAULT_WORK_LOCK_TTL_MS, MIN_WORK_LOCK_TTL_MS } from '../cache/workLock.js';
import { DEFAULT_MODEL_REPO } from '../hub/modelCache.js';
import {
  DEFAULT_BATCH_WINDOW_MS,
  DEFAULT_MAX_BATCH_JOBS,
  DEFAULT_MAX_QUEUED_JOBS,
  DEFAULT_MAX_VISION_BATCH,
  DEFAULT_SCHEDULING_POLICY,
  DEFAULT_VISION_STAGES,
} from '../engine/defaults.js';
import type { SchedulingPolicy } from '../engine/scheduler.js';
import { DEFAULT_MAX_QUERY_COST, DEFAULT_REQUEST_BUDGET } from '../graphql/cost/prices.js';
import { DEFAULT_HF_ENDPOINT } from '../hub/settings.js';
import { parseAllowHosts } from '../images/addressPolicy.js';
import {
  DEFAULT_FETCH_TIMEOUT_MS,
  DEFAULT_MAX_BASE64_IMAGE_BYTES,
  DEFAULT_MAX_IMAGE_BYTES,
  FETCH_TIMEOUT_CEILING_MS,
  MAX_IMAGE_BYTES_CEILING,
  MAX_PIXELS_CEILING,
} from '../images/limits.js';
import { DEFAULT_SLOW_QUERY_MS } from './pipeline/requestMetricsPlugin.js';
import { formatByteLimit } from '../shared/bytes.js';
import { choice, flag, parsed, text, wholeNumber, type Environment, type SettingParser } from '../shared/settings.js';
import { DEFAULT_MAX_NEW_TOKENS, MAX_BEAMS } from '../vision/generation/settings.js';
import { DEFAULT_MAX_PIXELS } from '../vision/image.js';
import { DEFAULT_DTYPE, MODEL_DTYPES } from '../vision/modelFiles.js';
import type { ExecutionDevice } from '../vision/onnxSession.js';
import { parseApiKeys } from './pipeline/apiKeys.js';
import { parseCorsOrigins } from './pipeline/cors.js';
import { parseRateLimit } from './pipeline/rateLimit.js';
import { DEFAULT_RESPONSE_CACHE_BYTES } from './pipeline/responseCache.js';
import { DEFAULT_MAX_ALIASES, DEFAULT_MAX_QUERY_DEPTH, DEFAULT_MAX_TASK_FIELDS } from './pipeline/queryShapeRules.js';
import { parseTrustProxy } from './trustProxy.js';

/** One environment variable: how it is read, and what the docs say about it. */
export interface ConfigVariable<T> {
  readonly parser: SettingParser<T>;
  /** What it does, in Markdown (the README's meaning column; `serve --help` for flagged ones). */
  readonly description: string;
  /** The `serve` option that overrides it, and the value placeholder its help shows. */
  readonly flag?: { readonly name: string; readonly value: string };
}

/** A variable read elsewhere than `loadConfig` (by `model pull` and a first `serve`), listed for the docs. */
export interface DocumentedVariable {
  readonly accepts: string;
  readonly defaultText: string;
  readonly defaultIsValue: boolean;
  readonly description: string;
}

/** 4000: the conventional GraphQL development port. */
export const DEFAULT_PORT = 4000;
/** Every interface: the gateway usually runs in a container, reached through its published port. */
export const DEFAULT_HOST = '0.0.0.0';
/** `cpu` always works; the others need their execution provider installed. */
const DEFAULT_DEVICE: ExecutionDevice = 'cpu';
/** Greedy search: 3× cheaper than the Python reference's 3 beams (vision/generation/settings.ts). */
const DEFAULT_NUM_BEAMS = 1;
/** 2 min: a cold cascade on a CPU takes tens of seconds; past this the client has likely given up. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
/** 24 h: long enough for a session of work on an uploaded image, short enough not to hoard memory. */
export const DEFAULT_UPLOAD_TTL_SECONDS = 86_400;
/** 4.5 MB: "well under 5 MB" — a 3 MB image in base64 plus the query. */
export const DEFAULT_GRAPHQL_BODY_LIMIT_BYTES = 4_500_000;
/** 8 images per `images(urls:)`: each may cost a fetch and a vision-encoder pass. */
export const DEFAULT_MAX_IMAGES_PER_QUERY = 8;
/** A browser's few tabs of one user; a script opening hundreds is refused. */
export const DEFAULT_SUBSCRIPTION_CONNECTIONS_PER_CLIENT = 8;
/** Each subscription is a task on the model: a handful in parallel per socket is plenty for a page. */
export const DEFAULT_SUBSCRIPTIONS_PER_CONNECTION = 8;
/** `info`: what an operator watches (start, stop, slow queries, warnings) without per-call detail. */
export const DEFAULT_LOG_LEVEL = 'info';

/** The MB of the *_MB variables: mebibytes, as the caches count. */
export const MIB = 1024 * 1024;

/** `values`, refused by the compiler unless it names every member of `T` (a new device or policy must be listed). */
function allOf<T extends string>() {
  return <const L extends readonly T[]>(
    values: L,
    ..._complete: Exclude<T, L[number]> extends never ? [] : [missing: Exclude<T, L[number]>]
  ): L => values;
}
const DEVICES = allOf<ExecutionDevice>()(['cpu', 'cuda', 'webgpu']);
const POLICIES = allOf<SchedulingPolicy>()(['continuous', 'batch']);

/** pino's levels, most severe first, and `silent`. */
const LOG_LEVELS = [
  ...Object.entries(pino.levels.values)
    .sort(([, a], [, b]) => b - a)
    .map(([name]) => name),
  'silent',
];

const NODE_ENV_VARIABLE = variable(
  text({ default: undefined, defaultText: 'unset', accepts: '`production`, or anything else' }),
  '`production`: terse errors, and introspection and GraphiQL default to off',
);

/** NODE_ENV=production: terse errors; introspection and GraphiQL default to off. */
export function isProduction(env: Environment): boolean {
  return NODE_ENV_VARIABLE.parser.read('NODE_ENV', env['NODE_ENV'], env) === 'production';
}

/** A row; with `serveFlag`, its type keeps the flag's name, so `ConfigFlags` lists exactly the flags there are. */
function variable<T>(parser: SettingParser<T>, description: string): ConfigVariable<T>;
function variable<T, const N extends string>(
  parser: SettingParser<T>,
  description: string,
  serveFlag: { readonly name: N; readonly value: string },
): ConfigVariable<T> & { readonly flag: { readonly name: N; readonly value: string } };
function variable<T>(parser: SettingParser<T>, description: string, serveFlag?: ConfigVariable<T>['flag']): ConfigVariable<T> {
  return serveFlag ? { parser, description, flag: serveFlag } : { parser, description };
}

/** The server's variables, in the README's order. `loadConfig` turns their values into a GatewayConfig. */
export const CONFIG_VARIABLES = {
  MODEL_DIR: variable(
    text({ default: undefined, defaultText: `the cached ${DEFAULT_MODEL_REPO}, downloaded on first start`, accepts: 'a folder' }),
    'the model folder: an onnx-community Florence-2 export',
    { name: 'model', value: 'DIR' },
  ),
  PORT: variable(wholeNumber({ min: 0, max: 65_535, default: DEFAULT_PORT }), 'the port to listen on; 0 picks a free one', {
    name: 'port',
    value: 'N',
  }),
  HOST: variable(text({ default: DEFAULT_HOST, accepts: 'a host name or address' }), 'the address to listen on'),
  CACHE_URL: variable(
    text({
      default: DEFAULT_CACHE_URL,
      accepts: '`memory://`, `redis://host[:port][/db]` or `rediss://…`',
      check: (url) => void parseCacheUrl(url),
    }),
    'results and uploads: `memory://` (bounded LRU) or Redis (shared by replicas; falls back to memory while Redis is down)',
  ),
  CACHE_NAMESPACE: variable(
    text({ default: DEFAULT_NAMESPACE, pattern: NAMESPACE_PATTERN, accepts: "1–64 letters, digits, '.', '_' or '-'" }),
    'prefix of every Redis key: deployments sharing one Redis stay apart, replicas of one share it',
  ),
  CACHE_RETRY_MS: variable(
    wholeNumber({ min: 10, max: 3_600_000, default: DEFAULT_RETRY_COOLDOWN_MS, unit: 'milliseconds' }),
    'how long a failed Redis rests before it is probed again',
  ),
  WORK_LOCK_TTL_MS: variable(
    wholeNumber({ min: MIN_WORK_LOCK_TTL_MS, max: 3_600_000, default: DEFAULT_WORK_LOCK_TTL_MS, unit: 'milliseconds' }),
    "how long a dead replica's work lock holds others back ([Replicas](#replicas)); refreshed while its holder lives",
  ),
  DTYPE: variable(choice({ values: MODEL_DTYPES, default: DEFAULT_DTYPE }), 'which ONNX files to load (a first `serve` downloads those)'),
  DEVICE: variable(choice({ values: DEVICES, default: DEFAULT_DEVICE }), 'where the model runs (**GPU hosts** below)'),
  THREADS: variable(
    wholeNumber({ min: 1, max: 1024, default: () => availableParallelism(), defaultText: 'all cores' }),
    'onnxruntime intra-op threads',
  ),
  NUM_BEAMS: variable(
    wholeNumber({ min: 1, max: MAX_BEAMS, default: DEFAULT_NUM_BEAMS }),
    'beams of beam search when a field does not say (1 is greedy, 3 the Python reference)',
  ),
  MAX_NEW_TOKENS: variable(
    wholeNumber({ min: 2, max: 1024, default: DEFAULT_MAX_NEW_TOKENS }),
    'most tokens generated when a field does not say',
  ),
  ALLOW_HOSTS: variable(
    parsed({ parse: parseAllowHosts, accepts: 'comma-separated hosts (`*.corp.example`), IPs or CIDRs', defaultText: 'none' }),
    'hosts and addresses exempt from the private-address check (`127.0.0.1,*.corp.example,10.0.0.0/8`)',
  ),
  MAX_IMAGE_BYTES: variable(
    wholeNumber({ min: 1, max: MAX_IMAGE_BYTES_CEILING, default: DEFAULT_MAX_IMAGE_BYTES, unit: 'bytes' }),
    'largest image fetched from a URL or uploaded; base64 images stop at the smaller of this and ' +
      formatByteLimit(DEFAULT_MAX_BASE64_IMAGE_BYTES),
  ),
  MAX_IMAGE_PIXELS: variable(
    wholeNumber({ min: 1, max: MAX_PIXELS_CEILING, default: DEFAULT_MAX_PIXELS, unit: 'pixels' }),
    'largest width × height, checked from the header before decoding',
  ),
  FETCH_TIMEOUT_MS: variable(
    wholeNumber({ min: 1, max: FETCH_TIMEOUT_CEILING_MS, default: DEFAULT_FETCH_TIMEOUT_MS, unit: 'milliseconds' }),
    'one deadline for fetching an image URL: connect, headers and body, across redirects',
  ),
  UPLOAD_TTL_SECONDS: variable(
    wholeNumber({ min: 1, max: 30 * 86_400, default: DEFAULT_UPLOAD_TTL_SECONDS, unit: 'seconds' }),
    'how long `POST /images` uploads (and fetched images) stay',
  ),
  REQUEST_TIMEOUT_MS: variable(
    wholeNumber({ min: 1, max: 3_600_000, default: DEFAULT_REQUEST_TIMEOUT_MS, unit: 'milliseconds' }),
    'per-request deadline; queued model work past it is dropped',
  ),
  GRAPHQL_BODY_LIMIT_BYTES: variable(
    wholeNumber({ min: 1_000, max: 100_000_000, default: DEFAULT_GRAPHQL_BODY_LIMIT_BYTES, unit: 'bytes' }),
    'largest `/graphql` body: base64 images ride in it, bigger ones use `POST /images`',
  ),
  MAX_IMAGES_PER_QUERY: variable(
    wholeNumber({ min: 1, max: 1_000, default: DEFAULT_MAX_IMAGES_PER_QUERY }),
    'most URLs in `images(urls:)`',
  ),
  SCHEDULER: variable(
    choice({ values: POLICIES, default: DEFAULT_SCHEDULING_POLICY, ignoreCase: true }),
    '`continuous`: the decode loop takes new work at every step; `batch`: one batch at a time ' +
      "(kept for the benchmark's comparison) ([Engine and performance](#engine-and-performance))",
  ),
  BATCH_WINDOW_MS: variable(
    wholeNumber({ min: 0, max: 1_000, default: DEFAULT_BATCH_WINDOW_MS, unit: 'milliseconds' }),
    "the `batch` policy's gathering window: how long the first queued job waits for company",
  ),
  MAX_BATCH_JOBS: variable(wholeNumber({ min: 1, max: 1_024, default: DEFAULT_MAX_BATCH_JOBS }), 'most jobs starting one decode batch'),
  MAX_QUEUED_JOBS: variable(
    wholeNumber({ min: 1, max: 100_000, default: DEFAULT_MAX_QUEUED_JOBS }),
    'most jobs waiting to start decoding; more answer `BUSY`',
  ),
  MAX_VISION_BATCH: variable(
    wholeNumber({ min: 1, max: 64, default: DEFAULT_MAX_VISION_BATCH }),
    'images per vision-encoder call (raise it on GPUs)',
  ),
  VISION_STAGES: variable(
    wholeNumber({ min: 1, max: 64, default: DEFAULT_VISION_STAGES }),
    'stages the vision encoder is cut into at load, so other work runs between the stages of an image (1: whole)',
  ),
  FEATURE_CACHE_MB: variable(
    wholeNumber({ min: 1, max: 1_000_000, default: undefined, defaultText: 'a tenth of memory, at most 2048', unit: 'MiB' }),
    'image features kept in process memory, so a second task on an image skips the vision encoder',
  ),
  SUBSCRIPTION_CONNECTIONS_PER_CLIENT: variable(
    wholeNumber({ min: 1, max: 10_000, default: DEFAULT_SUBSCRIPTION_CONNECTIONS_PER_CLIENT }),
    'open subscription WebSockets per client (API key, else address) ([Streaming](#streaming))',
  ),
  SUBSCRIPTIONS_PER_CONNECTION: variable(
    wholeNumber({ min: 1, max: 1_000, default: DEFAULT_SUBSCRIPTIONS_PER_CONNECTION }),
    'subscriptions running at once on one WebSocket',
  ),
  RESPONSE_CACHE_MB: variable(
    wholeNumber({ min: 0, max: 100_000, default: DEFAULT_RESPONSE_CACHE_BYTES / MIB, unit: 'MiB' }),
    'whole-response cache for repeated queries (0 turns it off)',
  ),
  SLOW_QUERY_MS: variable(
    wholeNumber({ min: 1, max: 3_600_000, default: DEFAULT_SLOW_QUERY_MS, unit: 'milliseconds' }),
    'requests slower than this are logged with their cost',
  ),
  LOG_LEVEL: variable(choice({ values: LOG_LEVELS, default: DEFAULT_LOG_LEVEL }), 'pino JSON logs on stdout'),
  NODE_ENV: NODE_ENV_VARIABLE,
  MAX_QUERY_COST: variable(
    wholeNumber({ min: 1, max: 1_000_000_000, default: DEFAULT_MAX_QUERY_COST }),
    'most estimated cost of a query, in cost units ([Cost and abuse limits](#cost-and-abuse-limits))',
  ),
  REQUEST_BUDGET: variable(
    wholeNumber({ min: 1, max: 1_000_000_000, default: DEFAULT_REQUEST_BUDGET }),
    'most model work one request may start, in cost units',
  ),
  MAX_QUERY_DEPTH: variable(wholeNumber({ min: 2, max: 1_000, default: DEFAULT_MAX_QUERY_DEPTH }), 'query shape: deepest field nesting'),
  MAX_ALIASES: variable(wholeNumber({ min: 0, max: 100_000, default: DEFAULT_MAX_ALIASES }), 'query shape: most aliases'),
  MAX_TASK_FIELDS: variable(
    wholeNumber({ min: 1, max: 100_000, default: DEFAULT_MAX_TASK_FIELDS }),
    'query shape: most selections of task-running fields (fragments counted where spread)',
  ),
  RATE_LIMIT: variable(
    parsed({
      parse: parseRateLimit,
      accepts: '`<requests>/[<count>]<unit>`, unit `s`, `min`, `h` or `d` (`60/min`, `1000/h`, `10/30s`)',
      defaultText: 'off',
    }),
    'requests per client per window; counted in Redis when `CACHE_URL` is Redis',
  ),
  TRUST_PROXY: variable(
    parsed({
      parse: parseTrustProxy,
      accepts: 'a hop count (`1`), or addresses, CIDR ranges, `loopback`, `linklocal`, `uniquelocal`',
      defaultText: 'off',
    }),
    'proxies whose `X-Forwarded-For` names the client (rate limits); `true` is refused (any client could choose its address)',
  ),
  API_KEYS: variable(
    parsed({ parse: parseApiKeys, accepts: 'comma-separated keys of 16–256 visible ASCII characters', defaultText: 'none' }),
    'when set, `/graphql` and `/images` need `Authorization: Bearer <key>` or `x-api-key: <key>`',
  ),
  CORS_ORIGINS: variable(
    parsed({
      parse: parseCorsOrigins,
      accepts: 'comma-separated origins `scheme://host[:port]`, lower case, no path, no default port; `*` is refused',
      defaultText: 'none (same origin only)',
    }),
    'browser origins allowed to call `/graphql` and `/images` cross-origin ' +
      '(`https://app.example.com,http://localhost:5173`) ([HTTP details](#the-graphql-api))',
  ),
  INTROSPECTION: variable(
    flag({ default: (env) => !isProduction(env), defaultText: 'on (off with `NODE_ENV=production`)' }),
    'answer `__schema` and `__type`',
  ),
  GRAPHIQL: variable(
    flag({ default: (env) => !isProduction(env), defaultText: 'on (off with `NODE_ENV=production`)' }),
    'serve GraphiQL at `/`',
  ),
  FEDERATION: variable(
    flag({ default: false }),
    'serve the schema as an Apollo Federation 2 subgraph, `Image` keyed by `id` ([Federation](#federation))',
  ),
} as const;

export type ConfigVariableName = keyof typeof CONFIG_VARIABLES;

/** Each variable's parsed value. */
export type ConfigValues = { readonly [K in ConfigVariableName]: (typeof CONFIG_VARIABLES)[K] extends ConfigVariable<infer T> ? T : never };

/** The `serve` options that override a variable (`model`, `port`). */
export type ConfigFlagName = {
  [K in ConfigVariableName]: (typeof CONFIG_VARIABLES)[K] extends { readonly flag: { readonly name: infer F } } ? F : never;
}[ConfigVariableName];

/**
 * Variables that `model pull` and a first `serve` read through src/hub/settings.ts (named as
 * huggingface_hub names them), listed here so the README's table is complete.
 */
export const HUB_VARIABLES: Readonly<Record<string, DocumentedVariable>> = {
  HF_ENDPOINT: {
    accepts: 'an http(s) URL',
    defaultText: DEFAULT_HF_ENDPOINT,
    defaultIsValue: true,
    description: 'the hub that `model pull` (and a first `serve`) downloads models from, mirrors included',
  },
  HF_TOKEN: {
    accepts: 'a token',
    defaultText: 'none',
    defaultIsValue: false,
    description: 'sent to the hub as a bearer token; never printed',
  },
  HUGGING_FACE_HUB_TOKEN: {
    accepts: 'a token',
    defaultText: 'none',
    defaultIsValue: false,
    description: "`HF_TOKEN`'s older name, read when `HF_TOKEN` is unset",
  },
  HF_HUB_OFFLINE: {
    accepts: '`1`, `true`, `yes` or `on` for offline',
    defaultText: 'off',
    defaultIsValue: false,
    description: 'use only what is cached; make no request',
  },
  XDG_CACHE_HOME: {
    accepts: 'a folder',
    defaultText: '~/.cache',
    defaultIsValue: true,
    description: 'pulled models live in `$XDG_CACHE_HOME/florence-gateway/models`',
  },
};

/** Values of the flags that stand in for variables (`{ model: 'DIR', port: '8080' }`). */
export type ConfigFlags = { readonly [F in ConfigFlagName]?: string | undefined };

/**
 * Every server variable's value from `env`; a `serve` flag given in `flags` stands in for its
 * variable (and is what a refusal names). Throws the parser's SettingError for the first bad value.
 */
export function readConfigValues(env: Environment, flags: ConfigFlags = {}): ConfigValues {
  const values: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(CONFIG_VARIABLES) as [ConfigVariableName, ConfigVariable<unknown>][]) {
    const flagName = entry.flag?.name as ConfigFlagName | undefined;
    const given = flagName === undefined ? undefined : flags[flagName];
    values[name] = given === undefined ? entry.parser.read(name, env[name], env) : entry.parser.read(`--${flagName}`, given, env);
  }
  return values as ConfigValues;
}
