/**
 * `ResultCache`: the one interface the gateway uses for cached results, uploads and spilled
 * features, over a primary keyv store (memory or Redis) and an in-process memory fallback.
 *
 * Caches never trust their stores (DESIGN.md §6). Every primary call has a deadline; the first
 * failure or timeout logs ONE warning and switches to the fallback, so requests keep working (and
 * results computed meanwhile stay cached in memory). After a cooldown the next call starts one
 * background probe of the primary; when it answers, the cache logs the recovery and uses the primary
 * again. No request ever waits on a store known to be down, and none sees a store error.
 *
 *          failure/timeout (logs warn)            cooldown over: next call probes in background
 *   HEALTHY ─────────────────────────► DEGRADED ──────────────────────────────────────┐
 *      ▲                                  ▲   probe fails: new cooldown (debug log)    │
 *      │                                  └────────────────────────────────────────────┤
 *      └───────────────────────── probe answers (logs info) ◄──────────────────────────┘
 *
 * A failure of a call that started before the latest recovery is stale evidence and is ignored,
 * so a burst of calls that all fail at once still logs one warning and cannot re-degrade a store
 * that has since come back.
 *
 * Entries are read defensively: anything that is not a current envelope (see envelope.ts), that
 * could not be deserialised, or that the caller's `validate` rejects is a miss and is deleted.
 */
import type { Keyv } from 'keyv';
import { openEnvelope, wrapValue } from './envelope.js';
import { CacheKeyError } from './errors.js';
import type { Logger } from '../shared/logger.js';
import { CacheSerializationError } from './serialization.js';
import { withTimeout } from './timeout.js';
import type { WorkLock } from './workLock.js';

/** A type guard for what the caller expects back; entries it rejects are dropped. */
export type Validator<T> = (value: unknown) => value is T;

/** Counters for metrics and readiness. */
export interface CacheStats {
  /** The primary store, without credentials: `memory`, `redis://host:6379/0`. */
  readonly store: string;
  /** True while the primary is considered down and the in-process fallback serves. */
  readonly degraded: boolean;
  readonly hits: number;
  readonly misses: number;
  /** Store calls that failed or timed out (primary, probes and fallback alike). */
  readonly errors: number;
  /** Entries dropped as unreadable, of another format, or rejected by a validator. */
  readonly invalid: number;
}

export interface ResultCache {
  /** The value under `key` if present and accepted by `validate`; otherwise undefined. Never throws for store failures. */
  get<T>(key: string, validate: Validator<T>): Promise<T | undefined>;
  /** `get` for many keys in one store round trip; the result is aligned with `keys`. */
  getMany<T>(keys: readonly string[], validate: Validator<T>): Promise<Array<T | undefined>>;
  /**
   * Stores `value` (plain data, typed arrays, Buffers: anything structured-cloneable), optionally
   * expiring after `ttlMs`. Best effort: a store failure or an unserialisable value is logged, not thrown.
   * Memory stores keep the value by reference: do not mutate it afterwards.
   */
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Closes the stores (Redis connections); later calls are misses and no-ops. */
  close(): Promise<void>;
  stats(): CacheStats;
  /** Present when the store is shared by replicas (Redis): runs each missing result once across them (workLock.ts). */
  readonly workLock?: WorkLock | undefined;
}

/** One keyv instance and how to release it. Its keyv must be built with `throwOnErrors: true`. */
export interface CacheBackend {
  /** For logs and stats; must not contain credentials. */
  readonly name: string;
  readonly keyv: Keyv;
  close(): Promise<void>;
}

export interface ResilientResultCacheOptions {
  readonly primary: CacheBackend;
  /** Serves while the primary is down. Omit when the primary is itself in-process memory. */
  readonly fallback?: CacheBackend | undefined;
  readonly logger: Logger;
  /** Deadline of one primary call in ms. Default `DEFAULT_OPERATION_TIMEOUT_MS`. */
  readonly operationTimeoutMs?: number | undefined;
  /** Wait after a failure before probing the primary again, in ms. Default `DEFAULT_RETRY_COOLDOWN_MS`. */
  readonly retryCooldownMs?: number | undefined;
  /** Why the primary is already known to be down at startup (e.g. Redis refused to connect). */
  readonly initialFailure?: unknown;
  /** Wall clock in ms (tests inject one); default `Date.now`. */
  readonly now?: (() => number) | undefined;
  /** Cross-replica lock over the primary store; closed with the cache. */
  readonly workLock?: WorkLock | undefined;
}

/**
 * Well above a healthy Redis round trip, even for a multi-megabyte upload on a LAN; only the calls
 * in flight when a store hangs ever wait this long, since later ones go straight to the fallback.
 */
export const DEFAULT_OPERATION_TIMEOUT_MS = 1_000;
/** Long enough not to hammer a store that is restarting, short enough that sharing resumes quickly. */
export const DEFAULT_RETRY_COOLDOWN_MS = 5_000;
/** Redis keys are binary-safe up to 512 MB, but a key this long is a bug in a key builder. */
export const MAX_KEY_LENGTH = 1_024;
/** The key a probe reads: any answer, even "absent", proves the store is back. */
const PROBE_KEY = '__florence_cache_probe__';

type Attempt<R> = { readonly ok: true; readonly value: R } | { readonly ok: false };
const FAILED: Attempt<never> = { ok: false };

export class ResilientResultCache implements ResultCache {
  readonly #primary: CacheBackend;
  readonly #fallback: CacheBackend | undefined;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #cooldownMs: number;
  readonly #now: () => number;
  readonly workLock: WorkLock | undefined;

  /** When the primary was declared down; undefined while healthy. */
  #degradedSince: number | undefined;
  /** Earliest time of the next probe while degraded. */
  #retryAt = 0;
  /** Bumped on every recovery; a failure of a call started in an older epoch is stale. */
  #epoch = 0;
  #probe: Promise<void> | undefined;
  #closed = false;
  #hits = 0;
  #misses = 0;
  #errors = 0;
  #invalid = 0;

  constructor(options: ResilientResultCacheOptions) {
    this.#primary = options.primary;
    this.#fallback = options.fallback;
    this.#logger = options.logger;
    this.#timeoutMs = positiveMs(options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS, 'operationTimeoutMs');
    this.#cooldownMs = positiveMs(options.retryCooldownMs ?? DEFAULT_RETRY_COOLDOWN_MS, 'retryCooldownMs');
    this.#now = options.now ?? Date.now;
    this.workLock = options.workLock;
    if (options.initialFailure !== undefined) this.#degrade(options.initialFailure, 'connect', this.#epoch);
  }

  async get<T>(key: string, validate: Validator<T>): Promise<T | undefined> {
    checkKey(key);
    const fromPrimary = await this.#onPrimary('get', (keyv) => keyv.get<unknown>(key));
    let value = fromPrimary.ok ? await this.#accept(this.#primary, key, fromPrimary.value, validate) : undefined;
    // A primary miss may still be in the fallback: computed here while the primary was down.
    if (value === undefined) value = await this.#getFromFallback(key, validate);
    this.#count(value === undefined ? 0 : 1, 1);
    return value;
  }

  async getMany<T>(keys: readonly string[], validate: Validator<T>): Promise<Array<T | undefined>> {
    keys.forEach(checkKey);
    const values = new Array<T | undefined>(keys.length).fill(undefined);
    if (keys.length === 0) return values;
    const fromPrimary = await this.#onPrimary('getMany', (keyv) => keyv.getMany<unknown>([...keys]));
    if (fromPrimary.ok) {
      await Promise.all(
        keys.map(async (key, i) => {
          values[i] = await this.#accept(this.#primary, key, fromPrimary.value[i], validate);
        }),
      );
    }
    const missing = keys.flatMap((_, i) => (values[i] === undefined ? [i] : []));
    const fallback = this.#fallback;
    if (missing.length > 0 && fallback && !this.#closed) {
      const rows = await this.#onFallback((keyv) => keyv.getMany<unknown>(missing.map((i) => keys[i]!)));
      if (rows.ok) {
        await Promise.all(
          missing.map(async (keyIndex, row) => {
            values[keyIndex] = await this.#accept(fallback, keys[keyIndex]!, rows.value[row], validate);
          }),
        );
      }
    }
    const hits = values.filter((value) => value !== undefined).length;
    this.#count(hits, keys.length);
    return values;
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    checkKey(key);
    const ttl = checkTtl(ttlMs);
    if (this.#closed) return;
    const envelope = wrapValue(value);
    try {
      const stored = await this.#onPrimary('set', (keyv) => keyv.set(key, envelope, ttl));
      if (stored.ok) return;
    } catch (error) {
      // Only CacheSerializationError escapes #onPrimary: a caller's bug, not a store failure.
      this.#logger.error({ err: error, key }, 'cache value not stored: it cannot be serialised');
      return;
    }
    await this.#onFallback((keyv) => keyv.set(key, envelope, ttl));
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    if (this.#closed) return;
    await Promise.all([this.#onPrimary('delete', (keyv) => keyv.delete(key)), this.#onFallback((keyv) => keyv.delete(key))]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.workLock?.close();
    await this.#probe;
    await Promise.all([this.#primary.close(), this.#fallback?.close()]);
  }

  stats(): CacheStats {
    return {
      store: this.#primary.name,
      degraded: this.#degradedSince !== undefined,
      hits: this.#hits,
      misses: this.#misses,
      errors: this.#errors,
      invalid: this.#invalid,
    };
  }

  /**
   * Runs `call` on the primary under the deadline, or not at all while it is down. A failure
   * degrades the cache and reads as `FAILED`; only CacheSerializationError (a bad value) is rethrown.
   */
  async #onPrimary<R>(operation: string, call: (keyv: Keyv) => Promise<R>): Promise<Attempt<R>> {
    if (this.#closed) return FAILED;
    if (this.#degradedSince !== undefined) {
      this.#maybeProbe();
      return FAILED;
    }
    const epoch = this.#epoch;
    try {
      return {
        ok: true,
        value: await withTimeout(call(this.#primary.keyv), this.#timeoutMs, `cache store ${this.#primary.name} (${operation})`),
      };
    } catch (error) {
      this.#errors++;
      if (error instanceof CacheSerializationError) throw error;
      this.#degrade(error, operation, epoch);
      return FAILED;
    }
  }

  /** The in-process fallback cannot fail short of a bug; if it does, that call is a miss. */
  async #onFallback<R>(call: (keyv: Keyv) => Promise<R>): Promise<Attempt<R>> {
    if (!this.#fallback || this.#closed) return FAILED;
    try {
      return { ok: true, value: await call(this.#fallback.keyv) };
    } catch (error) {
      this.#errors++;
      this.#logger.error({ err: error, store: this.#fallback.name }, 'in-process fallback cache failed');
      return FAILED;
    }
  }

  async #getFromFallback<T>(key: string, validate: Validator<T>): Promise<T | undefined> {
    const fallback = this.#fallback;
    if (!fallback) return undefined;
    const stored = await this.#onFallback((keyv) => keyv.get<unknown>(key));
    return stored.ok ? this.#accept(fallback, key, stored.value, validate) : undefined;
  }

  /** The value of a stored entry, or undefined; an entry present but not acceptable is deleted. */
  async #accept<T>(backend: CacheBackend, key: string, stored: unknown, validate: Validator<T>): Promise<T | undefined> {
    if (stored === undefined || stored === null) return undefined;
    const opened = openEnvelope(stored);
    let reason: string;
    if (!opened.ok) {
      reason = opened.reason;
    } else {
      try {
        if (validate(opened.value)) return opened.value;
        reason = 'rejected by validator';
      } catch (error) {
        reason = `validator threw: ${errorMessage(error)}`;
      }
    }
    this.#invalid++;
    this.#logger.debug({ store: backend.name, key, reason }, 'dropping unusable cache entry');
    if (backend === this.#primary) await this.#onPrimary('delete', (keyv) => keyv.delete(key));
    else await this.#onFallback((keyv) => keyv.delete(key));
    return undefined;
  }

  #degrade(error: unknown, operation: string, epoch: number): void {
    if (epoch !== this.#epoch || this.#degradedSince !== undefined) return;
    const now = this.#now();
    this.#degradedSince = now;
    this.#retryAt = now + this.#cooldownMs;
    const where = this.#fallback ? 'serving from in-process memory' : 'serving misses';
    this.#logger.warn(
      { err: error, store: this.#primary.name, operation, retryInMs: this.#cooldownMs },
      `cache store ${this.#primary.name} failed (${errorMessage(error)}); ${where} until it answers again, probing every ` +
        `${this.#cooldownMs} ms`,
    );
  }

  /** Starts one background probe once the cooldown is over; callers never wait for it. */
  #maybeProbe(): void {
    if (this.#probe || this.#closed || this.#now() < this.#retryAt) return;
    this.#probe = this.#runProbe().finally(() => {
      this.#probe = undefined;
    });
  }

  async #runProbe(): Promise<void> {
    try {
      await withTimeout(this.#primary.keyv.get(PROBE_KEY), this.#timeoutMs, `cache store ${this.#primary.name} (probe)`);
    } catch (error) {
      this.#errors++;
      this.#retryAt = this.#now() + this.#cooldownMs;
      this.#logger.debug({ err: error, store: this.#primary.name }, 'cache store still unavailable');
      return;
    }
    if (this.#closed || this.#degradedSince === undefined) return;
    const downForMs = this.#now() - this.#degradedSince;
    this.#degradedSince = undefined;
    this.#epoch++;
    this.#logger.info(
      { store: this.#primary.name, downForMs },
      `cache store ${this.#primary.name} answers again after ${downForMs} ms; using it`,
    );
  }

  #count(hits: number, lookups: number): void {
    if (this.#closed) return;
    this.#hits += hits;
    this.#misses += lookups - hits;
  }
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    const got = typeof key === 'string' ? `a string of ${key.length} characters` : typeof key;
    throw new CacheKeyError(`cache key must be a non-empty string of at most ${MAX_KEY_LENGTH} characters; got ${got}`);
  }
}

/** A TTL in whole ms (Redis PX takes integers), or undefined for "no expiry". */
function checkTtl(ttlMs: number | undefined): number | undefined {
  if (ttlMs === undefined) return undefined;
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`cache ttlMs must be a positive finite number of milliseconds or undefined; got ${String(ttlMs)}`);
  }
  return Math.ceil(ttlMs);
}

function positiveMs(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`${name} must be a positive number of milliseconds; got ${String(value)}`);
  return value;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
