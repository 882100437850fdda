/**
 * Cross-replica "run once" for expensive work (DESIGN.md §7). Replicas that share a Redis share
 * results through the results cache; this lock stops two of them computing the same missing result
 * at the same time. The engine already coalesces identical work inside one process.
 *
 * Protocol, per results-cache key K that missed:
 *
 * 1. Claim: `<namespace>:lock:K` is set to this lock's owner id with a TTL if it is absent (a Lua
 *    script, so "absent → mine" and "already mine" are both answered atomically). Claims of one
 *    batch travel in one script call.
 * 2. Claimed: look the result up once more (a holder may have stored it and released between our
 *    miss and our claim), then compute, store the result, and only then release the lock with a
 *    compare-and-delete (never someone else's lock). Failures release too, so nobody waits them out.
 *    While computing, the TTL is refreshed every TTL/3: a live holder never loses a long task, and
 *    a dead one (crash, kill) blocks others for at most one TTL.
 * 3. Held by another replica: poll the results cache with backoff. Each round that still misses
 *    tries the claim again: if the lock is gone without a result (holder died or failed) or has
 *    expired, this replica takes it and computes. The wait ends with the request's AbortSignal.
 *
 * Why polling rather than pub/sub: pub/sub needs a second, subscribed connection per process and
 * still has to poll, because a subscription made just after the holder published misses the
 * message, and a holder that dies publishes nothing. Polling one `getMany` plus one claim per round
 * for the keys a request waits on is cheap, survives Redis restarts with no resubscription, and its
 * added latency (at most `POLL_MAX_MS`) is small next to the model work being waited for.
 *
 * Never a reason to fail a request: while Redis is down or slow, or the scripts fail, keys are
 * "unlocked" and computed here, exactly as without a lock (DESIGN.md §6).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { reasonOf } from '../shared/abort.js';
import type { Logger } from '../shared/logger.js';
import { withTimeout } from './timeout.js';

/**
 * 30 s: with refreshing, the TTL is not how long a task may take but how long a dead holder keeps
 * others waiting; a third of it (the refresh period) tolerates event-loop stalls of many seconds.
 */
export const DEFAULT_WORK_LOCK_TTL_MS = 30_000;
/** Smallest TTL accepted: below this, refreshes (every TTL/3) race Redis round trips. */
export const MIN_WORK_LOCK_TTL_MS = 300;
/** First poll after a wait starts: a small task on a GPU finishes in tens of milliseconds. */
const POLL_FIRST_MS = 20;
/** Each poll waits this much longer than the previous one... */
const POLL_GROWTH = 1.5;
/** ...up to this: the most a waiter lags behind the result it waits for, beyond a round trip. */
const POLL_MAX_MS = 250;
/** Redis call deadline when the caller names none; the results cache uses the same default. */
const DEFAULT_LOCK_CALL_TIMEOUT_MS = 1_000;

/**
 * Per key: 1 when claimed now, 2 when this owner already holds it (another request of this process:
 * the engine coalesces the work), 0 when someone else holds it.
 */
const CLAIM_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if not holder then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
    out[i] = 1
  elseif holder == ARGV[1] then
    out[i] = 2
  else
    out[i] = 0
  end
end
return out`;

/** Deletes each key that this owner still holds (a lock that expired and was taken is left alone). */
const RELEASE_SCRIPT = `
local n = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then n = n + redis.call('DEL', key) end
end
return n`;

/** Extends each key that this owner still holds; answers how many it extended. */
const REFRESH_SCRIPT = `
local n = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then n = n + redis.call('PEXPIRE', key, ARGV[2]) end
end
return n`;

/** What a claim decided for one key. */
export type ClaimState =
  /** This process holds the lock: compute, store, release. */
  | 'mine'
  /** Another replica holds it: wait for its result. */
  | 'theirs'
  /** Coordination is unavailable (Redis down, slow or refusing scripts): compute without a lock. */
  | 'unlocked';

/** Counters for metrics: keys by what happened to them. */
export interface WorkLockStats {
  /** Keys claimed (including claims shared with another request of this process). */
  readonly claimed: number;
  /** Keys found held by another replica, so this one waited. */
  readonly waited: number;
  /** Waited-for keys whose result another replica stored: no model work here. */
  readonly servedByOthers: number;
  /** Waited-for keys computed here after all: the holder died, failed or its lock expired. */
  readonly takeovers: number;
  /** Keys computed without a lock because Redis could not coordinate. */
  readonly unlocked: number;
}

export interface ComputeOnceOptions<T> {
  /** Results already stored (the results cache), aligned with `keys`; undefined for a miss. Must not throw. */
  readonly lookup: (keys: readonly string[]) => Promise<Array<T | undefined>>;
  /**
   * Computes the keys' results AND stores them before resolving: releasing the lock is what tells
   * waiting replicas to look. Per key a result or an Error. Called at most once per key.
   */
  readonly compute: (keys: readonly string[]) => Promise<Array<T | Error>>;
  /** The request's deadline or disconnect: ends waits with its reason. */
  readonly signal?: AbortSignal | undefined;
}

export interface WorkLock {
  /**
   * The results for `keys` (which just missed the results cache), each computed by this replica or
   * taken from the one that was already computing it. Never throws: failures are per-key Errors.
   */
  computeOnce<T>(keys: readonly string[], options: ComputeOnceOptions<T>): Promise<Map<string, T | Error>>;
  stats(): WorkLockStats;
  /** Stops refreshing; locks still held expire on their own. */
  close(): void;
}

/** The few Redis calls the lock makes (node-redis' client has them); tests may pass a fake. */
export interface LockClient {
  readonly isReady: boolean;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

export interface RedisWorkLockOptions {
  readonly client: LockClient;
  /** Lock keys are `<namespace>:lock:<key>`, beside (never among) keyv's `<namespace>::<key>`. */
  readonly namespace: string;
  readonly logger: Logger;
  /** Default `DEFAULT_WORK_LOCK_TTL_MS`. */
  readonly ttlMs?: number | undefined;
  /** Deadline of one lock call; past it the keys are computed unlocked. Default 1 s. */
  readonly callTimeoutMs?: number | undefined;
  /** False while the store is known to be down (the results cache is degraded): do not even ask. */
  readonly healthy?: (() => boolean) | undefined;
}

export class RedisWorkLock implements WorkLock {
  readonly #client: LockClient;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #ttlMs: number;
  readonly #callTimeoutMs: number;
  readonly #healthy: () => boolean;
  /** Unique per lock instance (so per process): what the Redis value says about who holds a key. */
  readonly #owner = `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
  /** Keys this owner holds → how many requests of this process share the claim. */
  readonly #held = new Map<string, number>();
  #refreshTimer: NodeJS.Timeout | undefined;
  #closed = false;
  /** One warning per run of lock failures; the next success re-arms it. */
  #warned = false;
  #stats = { claimed: 0, waited: 0, servedByOthers: 0, takeovers: 0, unlocked: 0 };

  constructor(options: RedisWorkLockOptions) {
    const ttl = options.ttlMs ?? DEFAULT_WORK_LOCK_TTL_MS;
    if (!Number.isSafeInteger(ttl) || ttl < MIN_WORK_LOCK_TTL_MS) {
      throw new RangeError(`work lock TTL must be a whole number of milliseconds of at least ${MIN_WORK_LOCK_TTL_MS}; got ${String(ttl)}`);
    }
    this.#client = options.client;
    this.#prefix = `${options.namespace}:lock:`;
    this.#logger = options.logger;
    this.#ttlMs = ttl;
    this.#callTimeoutMs = options.callTimeoutMs ?? DEFAULT_LOCK_CALL_TIMEOUT_MS;
    this.#healthy = options.healthy ?? (() => true);
  }

  /** The value a lock key holds while this instance holds it (tests read it). */
  get owner(): string {
    return this.#owner;
  }

  /** The Redis key of `key`'s lock. */
  lockKey(key: string): string {
    return this.#prefix + key;
  }

  stats(): WorkLockStats {
    return { ...this.#stats };
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#refreshTimer);
    this.#refreshTimer = undefined;
  }

  async computeOnce<T>(keys: readonly string[], options: ComputeOnceOptions<T>): Promise<Map<string, T | Error>> {
    const results = new Map<string, T | Error>();
    if (keys.length === 0) return results;
    const running: Promise<void>[] = [];
    const states = await this.#claim(keys);
    const start = await this.#startClaimed(keys, states, options, results);
    if (start.run.length > 0) running.push(this.#run(start.run, start.release, options, results));
    const theirs = keys.filter((_, i) => states[i] === 'theirs');
    if (theirs.length > 0) {
      this.#stats.waited += theirs.length;
      await this.#waitForOthers(theirs, options, results, running);
    }
    await Promise.all(running);
    return results;
  }

  /**
   * Of the keys claimed ('mine') or unlocked, those to compute now (`run`) and the claims to
   * release after (`release`). A claimed key whose result appeared meanwhile (its holder stored it
   * and released between our miss and our claim) goes into `results` and is released at once.
   */
  async #startClaimed<T>(
    keys: readonly string[],
    states: readonly ClaimState[],
    options: ComputeOnceOptions<T>,
    results: Map<string, T | Error>,
  ): Promise<{ run: string[]; release: string[]; found: number }> {
    const claimed = keys.filter((_, i) => states[i] === 'mine');
    const found = claimed.length > 0 ? await options.lookup(claimed) : [];
    const release: string[] = [];
    const done: string[] = [];
    claimed.forEach((key, i) => {
      const value = found[i];
      if (value === undefined) {
        release.push(key);
      } else {
        results.set(key, value);
        done.push(key);
      }
    });
    if (done.length > 0) await this.#release(done);
    const run = keys.filter((key, i) => states[i] !== 'theirs' && !results.has(key));
    return { run, release, found: done.length };
  }

  /** Computes `keys` (`compute` stores the results), then releases `release`, success or failure. */
  async #run<T>(
    keys: readonly string[],
    release: readonly string[],
    options: ComputeOnceOptions<T>,
    results: Map<string, T | Error>,
  ): Promise<void> {
    try {
      const outcomes = await options.compute(keys);
      keys.forEach((key, i) => results.set(key, outcomes[i] ?? new Error(`no result computed for ${key}`)));
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const key of keys) results.set(key, failure);
    } finally {
      // Releasing a failure too: waiting replicas look at once and take over instead of waiting out the TTL.
      await this.#release(release);
    }
  }

  /** Polls for results other replicas are computing; takes over keys whose lock went away without one. */
  async #waitForOthers<T>(
    keys: readonly string[],
    options: ComputeOnceOptions<T>,
    results: Map<string, T | Error>,
    running: Promise<void>[],
  ): Promise<void> {
    let pending = [...keys];
    let delay = POLL_FIRST_MS;
    while (pending.length > 0) {
      const aborted = await pause(delay, options.signal);
      if (aborted) {
        for (const key of pending) results.set(key, aborted);
        return;
      }
      delay = Math.min(delay * POLL_GROWTH, POLL_MAX_MS);
      const found = await options.lookup(pending);
      pending = pending.filter((key, i) => {
        const value = found[i];
        if (value !== undefined) {
          results.set(key, value);
          this.#stats.servedByOthers++;
        }
        return value === undefined;
      });
      if (pending.length === 0) return;
      // Still missing, yet a live holder keeps its lock: a claim that succeeds means it is gone.
      const states = await this.#claim(pending);
      const start = await this.#startClaimed(pending, states, options, results);
      this.#stats.servedByOthers += start.found;
      if (start.run.length > 0) {
        this.#stats.takeovers += start.run.length;
        this.#logger.debug({ keys: start.run.length }, 'work lock: holder gone without a result; computing here');
        running.push(this.#run(start.run, start.release, options, results));
      }
      pending = pending.filter((_, i) => states[i] === 'theirs');
    }
  }

  /** Claims every key in one call; any failure (or a known-down store) means "unlocked". */
  async #claim(keys: readonly string[]): Promise<ClaimState[]> {
    const unlocked = (): ClaimState[] => {
      this.#stats.unlocked += keys.length;
      return keys.map(() => 'unlocked');
    };
    if (this.#closed || !this.#client.isReady || !this.#healthy()) return unlocked();
    let reply: unknown;
    try {
      reply = await withTimeout(
        this.#client.eval(CLAIM_SCRIPT, { keys: keys.map((key) => this.lockKey(key)), arguments: [this.#owner, String(this.#ttlMs)] }),
        this.#callTimeoutMs,
        'work lock (claim)',
      );
    } catch (error) {
      this.#failed(error, 'claim');
      return unlocked();
    }
    if (!Array.isArray(reply) || reply.length !== keys.length) {
      this.#failed(new Error(`unexpected claim reply ${JSON.stringify(reply)?.slice(0, 80)}`), 'claim');
      return unlocked();
    }
    this.#warned = false;
    const codes: readonly unknown[] = reply;
    return keys.map((key, i) => {
      const code = Number(codes[i]);
      if (code === 0) return 'theirs';
      this.#held.set(key, (this.#held.get(key) ?? 0) + 1);
      this.#stats.claimed++;
      this.#startRefreshing();
      return 'mine';
    });
  }

  /** Drops this request's share of each claim; the last share out deletes the lock (if still ours). */
  async #release(keys: readonly string[]): Promise<void> {
    const free: string[] = [];
    for (const key of keys) {
      const shares = this.#held.get(key);
      if (shares === undefined) continue;
      if (shares > 1) {
        this.#held.set(key, shares - 1);
      } else {
        this.#held.delete(key);
        free.push(this.lockKey(key));
      }
    }
    if (this.#held.size === 0) this.#stopRefreshing();
    if (free.length === 0 || !this.#client.isReady) return; // unreleased locks expire after their TTL
    try {
      await withTimeout(
        this.#client.eval(RELEASE_SCRIPT, { keys: free, arguments: [this.#owner] }),
        this.#callTimeoutMs,
        'work lock (release)',
      );
    } catch (error) {
      this.#failed(error, 'release');
    }
  }

  #startRefreshing(): void {
    if (this.#refreshTimer || this.#closed) return;
    this.#refreshTimer = setInterval(() => void this.#refresh(), Math.floor(this.#ttlMs / 3));
    // A refresh alone must not keep a process alive that has nothing else to do.
    this.#refreshTimer.unref();
  }

  #stopRefreshing(): void {
    clearInterval(this.#refreshTimer);
    this.#refreshTimer = undefined;
  }

  async #refresh(): Promise<void> {
    if (this.#held.size === 0 || !this.#client.isReady) return;
    const keys = [...this.#held.keys()].map((key) => this.lockKey(key));
    try {
      const extended = await withTimeout(
        this.#client.eval(REFRESH_SCRIPT, { keys, arguments: [this.#owner, String(this.#ttlMs)] }),
        this.#callTimeoutMs,
        'work lock (refresh)',
      );
      // Fewer extended than held: a lock expired (a long stall) and maybe another replica took it.
      // Our computation goes on; at worst the work is done twice, never wrongly.
      if (Number(extended) < keys.length) this.#logger.debug({ held: keys.length, extended }, 'work lock: some locks expired while held');
    } catch (error) {
      this.#failed(error, 'refresh');
    }
  }

  #failed(error: unknown, operation: string): void {
    const message = error instanceof Error ? error.message : String(error);
    // A Redis that is down is the results cache's warning to give; a lock that fails on a working
    // Redis (scripts refused, say) is worth one of its own.
    if (!this.#warned && this.#healthy() && this.#client.isReady) {
      this.#warned = true;
      this.#logger.warn(
        { err: error, operation },
        `work lock ${operation} failed (${message}); computing without cross-replica locking until it works`,
      );
    } else {
      this.#logger.debug({ err: error, operation }, 'work lock call failed');
    }
  }
}

/** Waits `ms`; answers the abort reason instead if `signal` aborts first (or already has). */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<Error | undefined> {
  if (signal?.aborted) return reasonOf(signal);
  try {
    await sleep(ms, undefined, signal ? { signal } : undefined);
    return undefined;
  } catch {
    return signal ? reasonOf(signal) : new Error('aborted');
  }
}
