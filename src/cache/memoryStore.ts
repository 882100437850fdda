/**
 * A keyv store adapter over lru-cache, bounded by estimated bytes and by entry count, honouring the
 * per-entry TTL keyv passes to `set`. Why not hand keyv the LRUCache directly: keyv calls
 * `store.set(key, value, ttl)` with a number where lru-cache expects an options object, so once a
 * TTL is set nothing is stored at all (STACK.md trap 5).
 *
 * Values are kept by reference, never serialised (STACK.md trap 4: keyv's JSON serializer turns a
 * Float32Array into a plain object and is slow). Callers must not mutate what they read back.
 */
import { LRUCache } from 'lru-cache';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { estimateBytes } from './valueSize.js';

export interface MemoryStoreOptions {
  /** Upper bound on the estimated bytes of all entries; least recently used ones are evicted past it. */
  readonly maxBytes: number;
  /** Upper bound on the number of entries, so millions of tiny values cannot pile up bookkeeping. */
  readonly maxEntries: number;
  /**
   * Largest single entry accepted; bigger values are silently not stored (a cache may drop anything).
   * Default: a quarter of `maxBytes`, so one huge value cannot flush everything else.
   */
  readonly maxEntryBytes?: number;
  /** Monotonic clock in ms for TTLs (tests inject one); default `performance.now`. */
  readonly now?: () => number;
}

/** The options object keyv reads from a store (it only looks for `dialect`/`url` on iterable stores). */
export interface MemoryStoreOpts {
  readonly dialect: 'memory';
  readonly maxBytes: number;
  readonly maxEntries: number;
  readonly maxEntryBytes: number;
}

/** Fraction of `maxBytes` one entry may take by default (see `maxEntryBytes`). */
const DEFAULT_MAX_ENTRY_SHARE = 4;
/** Bytes charged per key on top of the value: the key string, map slot and LRU bookkeeping. */
const ENTRY_OVERHEAD_BYTES = 64;

export class MemoryStore implements KeyvStoreAdapter {
  readonly opts: MemoryStoreOpts;
  /** Set by keyv; unused, because every MemoryStore instance is its own namespace already. */
  namespace?: string | undefined;
  readonly #entries: LRUCache<string, NonNullable<unknown>>;

  constructor(options: MemoryStoreOptions) {
    const { maxBytes, maxEntries } = options;
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
      throw new RangeError(`MemoryStore maxBytes must be a positive integer; got ${String(maxBytes)}`);
    }
    if (!Number.isSafeInteger(maxEntries) || maxEntries <= 0) {
      throw new RangeError(`MemoryStore maxEntries must be a positive integer; got ${String(maxEntries)}`);
    }
    const maxEntryBytes = options.maxEntryBytes ?? Math.max(1, Math.floor(maxBytes / DEFAULT_MAX_ENTRY_SHARE));
    if (!Number.isSafeInteger(maxEntryBytes) || maxEntryBytes <= 0 || maxEntryBytes > maxBytes) {
      throw new RangeError(
        `MemoryStore maxEntryBytes must be a positive integer no larger than maxBytes (${maxBytes}); got ${String(maxEntryBytes)}`,
      );
    }
    this.opts = { dialect: 'memory', maxBytes, maxEntries, maxEntryBytes };
    const now = options.now;
    this.#entries = new LRUCache<string, NonNullable<unknown>>({
      max: maxEntries,
      maxSize: maxBytes,
      maxEntrySize: maxEntryBytes,
      sizeCalculation: (value, key) => Math.max(1, estimateBytes(value) + key.length * 2 + ENTRY_OVERHEAD_BYTES),
      // lru-cache otherwise reuses one reading of the clock for 1 ms of real time; an injected
      // clock is the only authority on time.
      ...(now ? { perf: { now }, ttlResolution: 0 } : {}),
    });
  }

  /** Number of live entries (expired ones may still count until touched). */
  get size(): number {
    return this.#entries.size;
  }

  /** Estimated bytes held, as charged against `maxBytes`. */
  get bytes(): number {
    return this.#entries.calculatedSize;
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    // keyv's store contract is generic in the value type the caller expects; the store cannot know it.
    return this.#entries.get(key) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    return keys.map((key) => this.#entries.get(key) as StoredData<Value> | undefined);
  }

  /** Stores `value`; `ttl` is in ms (keyv's unit). Returns false when the value was too big to keep. */
  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    if (value === undefined || value === null) {
      this.#entries.delete(key);
      return false;
    }
    const hasTtl = typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0;
    this.#entries.set(key, value, hasTtl ? { ttl: Math.ceil(ttl) } : {});
    return this.#entries.has(key);
  }

  async has(key: string): Promise<boolean> {
    return this.#entries.has(key);
  }

  async hasMany(keys: string[]): Promise<boolean[]> {
    return keys.map((key) => this.#entries.has(key));
  }

  async delete(key: string): Promise<boolean> {
    return this.#entries.delete(key);
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    let deletedAny = false;
    for (const key of keys) deletedAny = this.#entries.delete(key) || deletedAny;
    return deletedAny;
  }

  async clear(): Promise<void> {
    this.#entries.clear();
  }

  async disconnect(): Promise<void> {
    this.#entries.clear();
  }

  /** keyv subscribes to `error`; an in-process map never emits one, so listeners are not kept. */
  on(_event: string, _listener: (...args: unknown[]) => void): this {
    return this;
  }
}
