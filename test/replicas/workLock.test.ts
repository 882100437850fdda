/**
 * The cross-replica work lock against a real Redis: two result caches on one namespace stand in for
 * two replicas (each with its own lock owner). Identical work at once runs once; a long task keeps
 * its lock by refreshing; a failed holder releases at once; a dead holder's lock expires and is
 * taken over; a waiter honours its AbortSignal; without a usable Redis the work simply runs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCacheStore } from '../../src/cache/createStore.js';
import type { ResultCache } from '../../src/cache/resultCache.js';
import { RedisWorkLock, type ComputeOnceOptions, type LockClient, type WorkLock } from '../../src/cache/workLock.js';
import { NO_REDIS, RecordingLogger, TEST_REDIS_URL, randomNamespace, redisReachable } from '../cache/helpers.js';
import { dropPrefix, rawRedis, type RawRedis } from './helpers.js';

interface Answer {
  readonly text: string;
}
function isAnswer(value: unknown): value is Answer {
  return typeof value === 'object' && value !== null && typeof (value as { text?: unknown }).text === 'string';
}

/** One "replica": its cache, its lock, and a log of the keys it computed. */
interface Replica {
  readonly name: string;
  readonly cache: ResultCache;
  readonly lock: WorkLock;
  readonly computed: string[];
}

/** computeOnce options for `replica`: compute takes `ms`, then stores `<name>:<key>` (or fails). */
function work(replica: Replica, ms: number, options: { fail?: boolean; signal?: AbortSignal } = {}): ComputeOnceOptions<Answer> {
  return {
    lookup: (keys) => replica.cache.getMany(keys, isAnswer),
    compute: async (keys) => {
      replica.computed.push(...keys);
      await sleep(ms);
      if (options.fail) return keys.map(() => new Error('model failed'));
      const answers = keys.map((key) => ({ text: `${replica.name}:${key}` }));
      await Promise.all(keys.map((key, i) => replica.cache.set(key, answers[i])));
      return answers;
    },
    signal: options.signal,
  };
}

const reachable = await redisReachable();

describe('work lock over a real Redis', { skip: reachable ? false : NO_REDIS }, () => {
  /** Short: the expiry and refresh tests wait it out. */
  const SHORT_TTL_MS = 600;
  /** Long: a test that ends well before it proves a release, not an expiry, let the waiter in. */
  const LONG_TTL_MS = 20_000;
  const namespace = randomNamespace();
  const logger = new RecordingLogger();
  let raw: RawRedis;
  const open: ResultCache[] = [];

  async function replica(name: string, ttlMs: number): Promise<Replica> {
    const cache = await createCacheStore(TEST_REDIS_URL, { logger, namespace, workLockTtlMs: ttlMs });
    open.push(cache);
    assert.ok(cache.workLock, 'a Redis cache has a work lock');
    return { name, cache, lock: cache.workLock, computed: [] };
  }
  const lockKey = (key: string) => `${namespace}:lock:${key}`;

  before(async () => {
    raw = await rawRedis(TEST_REDIS_URL);
  });
  after(async () => {
    await dropPrefix(raw, namespace);
    await Promise.all(open.map((cache) => cache.close()));
    await raw.close();
  });

  test('identical work started on two replicas at once runs once; both get the same answers', async () => {
    const [a, b] = await Promise.all([replica('a', LONG_TTL_MS), replica('b', LONG_TTL_MS)]);
    const keys = ['same-1', 'same-2', 'same-3'];
    const [fromA, fromB] = await Promise.all([a.lock.computeOnce(keys, work(a, 200)), b.lock.computeOnce(keys, work(b, 200))]);
    assert.deepEqual([...a.computed, ...b.computed].sort(), keys, 'each key computed exactly once in total');
    for (const key of keys) {
      assert.ok(!((fromA.get(key) ?? new Error()) instanceof Error));
      assert.deepEqual(fromA.get(key), fromB.get(key));
    }
    const waited = a.lock.stats().waited + b.lock.stats().waited;
    assert.equal(waited, keys.length, 'the loser waited for every key');
    assert.equal(a.lock.stats().servedByOthers + b.lock.stats().servedByOthers, keys.length);
    assert.equal(await raw.exists(keys.map(lockKey)), 0, 'locks released');
  });

  test('a task longer than the TTL keeps its lock (refreshed), so the other replica still waits', async () => {
    const [a, b] = await Promise.all([replica('a', SHORT_TTL_MS), replica('b', SHORT_TTL_MS)]);
    const first = a.lock.computeOnce(['long'], work(a, SHORT_TTL_MS * 3));
    await sleep(50);
    const second = await b.lock.computeOnce(['long'], work(b, 10));
    assert.deepEqual(await first, second);
    assert.deepEqual([a.computed, b.computed], [['long'], []]);
  });

  test('a holder whose task fails releases at once: the waiter takes over without waiting out the TTL', async () => {
    const [a, b] = await Promise.all([replica('a', LONG_TTL_MS), replica('b', LONG_TTL_MS)]);
    const started = Date.now();
    const failing = a.lock.computeOnce(['fails-on-a'], work(a, 150, { fail: true }));
    await sleep(30);
    const fromB = await b.lock.computeOnce(['fails-on-a'], work(b, 10));
    assert.ok((await failing).get('fails-on-a') instanceof Error);
    assert.deepEqual(fromB.get('fails-on-a'), { text: 'b:fails-on-a' });
    assert.ok(Date.now() - started < 3_000, `took ${Date.now() - started} ms`);
    assert.equal(b.lock.stats().takeovers, 1);
  });

  test('a dead holder (a lock nobody refreshes) blocks only until its TTL; then the waiter computes', async () => {
    const b = await replica('b', LONG_TTL_MS);
    await raw.set(lockKey('orphan'), 'a-replica-that-died', { expiration: { type: 'PX', value: SHORT_TTL_MS } });
    const started = Date.now();
    const fromB = await b.lock.computeOnce(['orphan'], work(b, 10));
    const elapsed = Date.now() - started;
    assert.deepEqual(fromB.get('orphan'), { text: 'b:orphan' });
    assert.ok(elapsed >= SHORT_TTL_MS - 100 && elapsed < SHORT_TTL_MS + 2_000, `took ${elapsed} ms`);
    assert.deepEqual(b.lock.stats(), { claimed: 1, waited: 1, servedByOthers: 0, takeovers: 1, unlocked: 0 });
  });

  test('a lock deleted without a result (holder gone) is taken over at the next poll', async () => {
    const b = await replica('b', LONG_TTL_MS);
    await raw.set(lockKey('vanishes'), 'someone', { expiration: { type: 'PX', value: LONG_TTL_MS } });
    setTimeout(() => void raw.del(lockKey('vanishes')), 200);
    const started = Date.now();
    const fromB = await b.lock.computeOnce(['vanishes'], work(b, 10));
    assert.deepEqual(fromB.get('vanishes'), { text: 'b:vanishes' });
    assert.ok(Date.now() - started < 1_500, `took ${Date.now() - started} ms`);
  });

  test('a result stored just before the claim is served, not recomputed (checked again after claiming)', async () => {
    const b = await replica('b', LONG_TTL_MS);
    await b.cache.set('already-there', { text: 'stored by a' });
    const fromB = await b.lock.computeOnce(['already-there'], work(b, 10));
    assert.deepEqual(fromB.get('already-there'), { text: 'stored by a' });
    assert.deepEqual(b.computed, []);
    assert.equal(await raw.exists(lockKey('already-there')), 0, 'and the claim is released');
  });

  test('a waiter gives up with its AbortSignal (deadline) and never computes', async () => {
    const b = await replica('b', LONG_TTL_MS);
    await raw.set(lockKey('held-long'), 'someone', { expiration: { type: 'PX', value: LONG_TTL_MS } });
    const started = Date.now();
    const fromB = await b.lock.computeOnce(['held-long'], work(b, 10, { signal: AbortSignal.timeout(200) }));
    const outcome = fromB.get('held-long');
    assert.ok(outcome instanceof Error && outcome.name === 'TimeoutError', String(outcome));
    assert.ok(Date.now() - started < 1_000);
    assert.deepEqual(b.computed, []);
  });

  test('two requests of one process share a claim: neither waits (the engine coalesces them)', async () => {
    const a = await replica('a', LONG_TTL_MS);
    const [first, second] = await Promise.all([a.lock.computeOnce(['shared'], work(a, 100)), a.lock.computeOnce(['shared'], work(a, 100))]);
    assert.deepEqual(first.get('shared'), second.get('shared'));
    assert.equal(a.lock.stats().waited, 0);
    assert.equal(await raw.exists(lockKey('shared')), 0, 'released once both are done');
  });
});

describe('work lock without a usable Redis', () => {
  const run = (lock: WorkLock) =>
    lock.computeOnce(['k1', 'k2'], {
      lookup: async (keys) => keys.map(() => undefined),
      compute: async (keys) => keys.map((key) => ({ text: key })),
    });

  test('a disconnected client: computed here, unlocked, no Redis call', async () => {
    let calls = 0;
    const client: LockClient = {
      isReady: false,
      eval: async () => {
        calls++;
        return [];
      },
    };
    const lock = new RedisWorkLock({ client, namespace: 'n', logger: new RecordingLogger() });
    const results = await run(lock);
    assert.deepEqual([...results.values()], [{ text: 'k1' }, { text: 'k2' }]);
    assert.equal(calls, 0);
    assert.equal(lock.stats().unlocked, 2);
  });

  test('scripts failing on a live Redis: computed here, one warning for a run of failures', async () => {
    const logger = new RecordingLogger();
    const client: LockClient = {
      isReady: true,
      eval: async () => {
        throw new Error('NOPERM this user has no permissions to run the eval command');
      },
    };
    const lock = new RedisWorkLock({ client, namespace: 'n', logger });
    await run(lock);
    const results = await run(lock);
    assert.deepEqual([...results.values()], [{ text: 'k1' }, { text: 'k2' }]);
    assert.equal(logger.at('warn').length, 1);
    assert.match(logger.at('warn')[0]!.message, /work lock claim failed \(NOPERM/);
  });

  test('a hung Redis: the claim times out and the work runs', async () => {
    const client: LockClient = { isReady: true, eval: () => new Promise<never>(() => {}) };
    const lock = new RedisWorkLock({ client, namespace: 'n', logger: new RecordingLogger(), callTimeoutMs: 100 });
    const started = Date.now();
    const results = await run(lock);
    assert.equal(results.size, 2);
    assert.ok(Date.now() - started < 1_000);
  });

  test('a TTL too short to refresh safely is refused', () => {
    const client: LockClient = { isReady: true, eval: async () => [] };
    assert.throws(() => new RedisWorkLock({ client, namespace: 'n', logger: new RecordingLogger(), ttlMs: 10 }), /at least 300/);
  });
});
