/**
 * Builds the gateway's `ResultCache` from `CACHE_URL`:
 *
 * - `memory://` (the default): an in-process LRU bounded in bytes and entries;
 * - `redis://[user:pass@]host[:port][/db]` and `rediss://…` (TLS): `@keyv/redis`, values in the
 *   binary v8 format, with an in-process memory fallback while Redis is down;
 * - `sqlite://file` is refused: every SQLite driver for keyv compiles native code, and this build
 *   ships none (Node 20 has no built-in `node:sqlite`).
 *
 * A bad URL fails at startup with a CacheConfigError; an unreachable Redis does not: the cache starts
 * degraded (one warning) and picks Redis up when it answers.
 */
import KeyvRedis from '@keyv/redis';
import { Keyv, type KeyvStoreAdapter } from 'keyv';
import { CacheConfigError } from './errors.js';
import type { Logger } from '../shared/logger.js';
import { MemoryStore } from './memoryStore.js';
import { closeRedisClient, createRedisClient, DEFAULT_CONNECT_TIMEOUT_MS } from './redisClient.js';
import { ResilientResultCache, type CacheBackend, type ResultCache } from './resultCache.js';
import { deserializeEntry, serializeEntry } from './serialization.js';
import { StoreTimeoutError, withTimeout } from './timeout.js';
import { MIN_WORK_LOCK_TTL_MS, RedisWorkLock, type LockClient } from './workLock.js';

export interface CacheStoreOptions {
  readonly logger: Logger;
  /** Byte budget of the in-process store (the memory:// cache, or Redis' fallback). Default `DEFAULT_MAX_BYTES`. */
  readonly maxBytes?: number | undefined;
  /** Entry budget of the in-process store. Default `DEFAULT_MAX_ENTRIES`. */
  readonly maxEntries?: number | undefined;
  /**
   * Prefix of every Redis key (`<namespace>::<key>`), so several deployments or test runs can share
   * one Redis without colliding. Default `DEFAULT_NAMESPACE`. Unused by memory://.
   */
  readonly namespace?: string | undefined;
  /** Deadline of one store call in ms. Default `DEFAULT_OPERATION_TIMEOUT_MS` (resultCache.ts). */
  readonly operationTimeoutMs?: number | undefined;
  /** Wait before retrying a failed store, in ms. Default `DEFAULT_RETRY_COOLDOWN_MS` (resultCache.ts). */
  readonly retryCooldownMs?: number | undefined;
  /** How long startup waits for Redis before serving from memory, in ms. Default `DEFAULT_CONNECT_TIMEOUT_MS`. */
  readonly connectTimeoutMs?: number | undefined;
  /** TTL of the cross-replica work lock (Redis only), in ms. Default `DEFAULT_WORK_LOCK_TTL_MS` (workLock.ts). */
  readonly workLockTtlMs?: number | undefined;
}

/** What an unset `CACHE_URL` means. */
export const DEFAULT_CACHE_URL = 'memory://';
/** Room for a few dozen uploaded images beside hundreds of thousands of small JSON results. */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
/** Caps LRU bookkeeping (lru-cache preallocates per-entry arrays of this length: ~2 MB). */
export const DEFAULT_MAX_ENTRIES = 100_000;
/** Short and specific, so a Redis shared with other programs shows whose keys these are. */
export const DEFAULT_NAMESPACE = 'florence';
export { DEFAULT_CONNECT_TIMEOUT_MS } from './redisClient.js';
/** Namespaces end up in every Redis key; keep them plain so keys stay greppable and unambiguous. */
export const NAMESPACE_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const EXPECTED = 'expected memory://, redis://host[:port][/db] or rediss://host[:port][/db]';

/** Parses `url` and opens the store it names. Throws CacheConfigError for a URL that cannot work. */
export async function createCacheStore(url: string, options: CacheStoreOptions): Promise<ResultCache> {
  const target = parseCacheUrl(url);
  checkOptions(options);
  const memory = createMemoryBackend(options);
  const resilience = {
    logger: options.logger,
    operationTimeoutMs: options.operationTimeoutMs,
    retryCooldownMs: options.retryCooldownMs,
  };
  if (target.kind === 'memory') return new ResilientResultCache({ ...resilience, primary: memory });
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const { backend, initialFailure, client } = await redisBackend(target, namespace, options);
  // The lock shares the cache's connection, and skips Redis whenever the cache knows it is down.
  const workLock: RedisWorkLock = new RedisWorkLock({
    client,
    namespace,
    logger: options.logger,
    ttlMs: options.workLockTtlMs,
    callTimeoutMs: options.operationTimeoutMs,
    healthy: (): boolean => !cache.stats().degraded,
  });
  const cache: ResultCache = new ResilientResultCache({ ...resilience, primary: backend, fallback: memory, initialFailure, workLock });
  return cache;
}

/** A parsed `CACHE_URL`. `name` is safe to log (no password). */
export type CacheTarget = { readonly kind: 'memory' } | { readonly kind: 'redis'; readonly url: string; readonly name: string };

/** Checks a `CACHE_URL` without connecting anywhere. Empty means the default (memory). */
export function parseCacheUrl(url: string): CacheTarget {
  if (typeof url !== 'string') throw new CacheConfigError(`CACHE_URL must be a string; got ${typeof url}; ${EXPECTED}`);
  const trimmed = url.trim();
  if (trimmed === '') return { kind: 'memory' };
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw new CacheConfigError(`CACHE_URL ${JSON.stringify(redact(trimmed))} is not a URL; ${EXPECTED}`);
  }
  const shown = JSON.stringify(redactUrl(parsed));
  switch (parsed.protocol) {
    case 'memory:':
      if (parsed.host !== '' || (parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search !== '') {
        throw new CacheConfigError(`CACHE_URL ${shown}: memory:// takes no host, path or options; size it with maxBytes`);
      }
      return { kind: 'memory' };
    case 'redis:':
    case 'rediss:': {
      if (parsed.hostname === '')
        throw new CacheConfigError(`CACHE_URL ${shown} names no host; expected ${parsed.protocol}//host[:port][/db]`);
      const db = parsed.pathname.replace(/^\//, '');
      if (db !== '' && !/^\d{1,5}$/.test(db)) {
        throw new CacheConfigError(`CACHE_URL ${shown}: the path must be a database number such as /0; got /${db}`);
      }
      if (parsed.search !== '' || parsed.hash !== '') {
        throw new CacheConfigError(`CACHE_URL ${shown}: query strings and fragments are not supported; ${EXPECTED}`);
      }
      const port = parsed.port === '' ? '6379' : parsed.port;
      return { kind: 'redis', url: trimmed, name: `${parsed.protocol}//${parsed.hostname}:${port}/${db === '' ? '0' : db}` };
    }
    case 'sqlite:':
      throw new CacheConfigError(
        `CACHE_URL ${shown}: sqlite:// is not supported in this build (keyv's SQLite stores need a natively compiled driver, ` +
          'which is not installed); use memory:// for one process or redis://host:port to share results',
      );
    default:
      throw new CacheConfigError(`CACHE_URL ${shown} has unknown scheme ${JSON.stringify(parsed.protocol)}; ${EXPECTED}`);
  }
}

/** Refuses options that cannot work before anything is opened, naming the option and the value. */
function checkOptions(options: CacheStoreOptions): void {
  if (typeof options !== 'object' || options === null || typeof options.logger?.warn !== 'function') {
    throw new CacheConfigError('createCacheStore needs options with a logger (warn/info/error/debug)');
  }
  const integers = { maxBytes: options.maxBytes, maxEntries: options.maxEntries };
  for (const [name, value] of Object.entries(integers)) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value <= 0)) {
      throw new CacheConfigError(`cache ${name} must be a positive integer; got ${String(value)}`);
    }
  }
  const durations = {
    operationTimeoutMs: options.operationTimeoutMs,
    retryCooldownMs: options.retryCooldownMs,
    connectTimeoutMs: options.connectTimeoutMs,
  };
  for (const [name, value] of Object.entries(durations)) {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) {
      throw new CacheConfigError(`cache ${name} must be a positive number of milliseconds; got ${String(value)}`);
    }
  }
  const ttl = options.workLockTtlMs;
  if (ttl !== undefined && (!Number.isSafeInteger(ttl) || ttl < MIN_WORK_LOCK_TTL_MS)) {
    throw new CacheConfigError(
      `cache workLockTtlMs must be a whole number of milliseconds, at least ${MIN_WORK_LOCK_TTL_MS}; got ${String(ttl)}`,
    );
  }
  if (options.namespace !== undefined && (typeof options.namespace !== 'string' || !NAMESPACE_PATTERN.test(options.namespace))) {
    throw new CacheConfigError(`cache namespace must be 1–64 letters, digits, '.', '_' or '-'; got ${JSON.stringify(options.namespace)}`);
  }
}

/** An in-process store as a backend: the memory:// cache itself, or a fallback beside Redis. */
export function createMemoryBackend(options: Pick<CacheStoreOptions, 'maxBytes' | 'maxEntries'> = {}): CacheBackend {
  const store = new MemoryStore({
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    maxEntries: options.maxEntries ?? DEFAULT_MAX_ENTRIES,
  });
  return { name: 'memory', keyv: liveValueKeyv(store), close: async () => store.clear() };
}

/**
 * Keyv over an in-process store with no serializer: values stay live objects (Float32Array stays a
 * Float32Array) and cost nothing to read.
 */
export function liveValueKeyv(store: KeyvStoreAdapter): Keyv {
  const keyv = new Keyv({ store, useKeyPrefix: false, throwOnErrors: true });
  // Removed after construction: Keyv's options type admits no explicit undefined (it would take the
  // default serializer if left out), its setters do.
  keyv.serialize = undefined;
  keyv.deserialize = undefined;
  return keyv;
}

async function redisBackend(
  target: Extract<CacheTarget, { kind: 'redis' }>,
  namespace: string,
  options: CacheStoreOptions,
): Promise<{ backend: CacheBackend; initialFailure: unknown; client: LockClient }> {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let lastError: unknown;
  // The result cache serves from memory while Redis is down, and does the warning itself.
  const client = createRedisClient({
    url: target.url,
    connectTimeoutMs,
    onError: (error: unknown) => {
      lastError = error;
      options.logger.debug({ err: error, store: target.name }, 'redis client error');
    },
  });
  const store = new KeyvRedis(client, { namespace, throwOnErrors: true, throwOnConnectError: true });
  const keyv = new Keyv({
    store,
    namespace,
    useKeyPrefix: false,
    serialize: serializeEntry,
    deserialize: deserializeEntry,
    throwOnErrors: true,
  });
  // connect() resolves once ready, and otherwise keeps retrying until the client is closed.
  const connected = client.connect();
  let initialFailure: unknown;
  try {
    await withTimeout(connected, connectTimeoutMs, `redis at ${target.name} (connect)`);
  } catch (error) {
    initialFailure = lastError ?? error;
    if (error instanceof StoreTimeoutError && lastError instanceof Error) {
      initialFailure = new Error(`not connected within ${connectTimeoutMs} ms: ${lastError.message}`, { cause: lastError });
    }
  }
  const close = (): Promise<void> => closeRedisClient(client, `redis at ${target.name}`);
  return { backend: { name: target.name, keyv, close }, initialFailure, client };
}

/** `url` with any password replaced, for messages. */
function redactUrl(url: URL): string {
  if (url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href;
}

/** Best effort for strings that are not even URLs: hide whatever sits between `:` and `@`. */
function redact(text: string): string {
  return text.replace(/:[^:@\s/]*@/g, ':***@');
}
