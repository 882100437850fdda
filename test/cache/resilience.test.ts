/**
 * ResultCache over a store the test controls: a store that throws or hangs never fails a request,
 * logs one warning, is left alone during the cooldown and is picked up again when it answers; and
 * entries that are not ours, of another format or rejected by the validator are misses and deleted.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMemoryBackend } from '../../src/cache/createStore.js';
import { ENVELOPE_FORMAT } from '../../src/cache/envelope.js';
import { ResilientResultCache } from '../../src/cache/resultCache.js';
import { ControlledStore, RecordingLogger, anyValue, controlledBackend, waitFor } from './helpers.js';

interface Caption {
  readonly text: string;
}
function isCaption(value: unknown): value is Caption {
  return typeof value === 'object' && value !== null && typeof (value as { text?: unknown }).text === 'string';
}

/** A cache over a ControlledStore with a memory fallback, and short deadlines for tests. */
function harness(options: { operationTimeoutMs?: number; retryCooldownMs?: number; binary?: boolean } = {}) {
  const store = new ControlledStore();
  const logger = new RecordingLogger();
  const cache = new ResilientResultCache({
    primary: controlledBackend(store, { name: 'redis://fake:6379/0', binary: options.binary ?? false }),
    fallback: createMemoryBackend({ maxBytes: 1_000_000, maxEntries: 1_000 }),
    logger,
    operationTimeoutMs: options.operationTimeoutMs ?? 100,
    retryCooldownMs: options.retryCooldownMs ?? 60_000,
  });
  return { store, logger, cache };
}

describe('healthy store', () => {
  test('values go to the primary and come back; stats count hits and misses', async () => {
    const { store, cache, logger } = harness();
    await cache.set('k1', { text: 'a cat' });
    assert.equal(store.entries.size, 1);
    assert.deepEqual(await cache.get('k1', isCaption), { text: 'a cat' });
    assert.equal(await cache.get('k2', isCaption), undefined);
    assert.deepEqual(await cache.getMany(['k2', 'k1'], isCaption), [undefined, { text: 'a cat' }]);
    assert.deepEqual(cache.stats(), { store: 'redis://fake:6379/0', degraded: false, hits: 2, misses: 2, errors: 0, invalid: 0 });
    assert.equal(logger.at('warn').length, 0);
    await cache.close();
  });
});

describe('a failing primary', () => {
  test('throwing: requests succeed from memory, exactly one warning, the dead store is left alone', async () => {
    const { store, cache, logger } = harness();
    await cache.set('before', { text: 'cached while healthy' });
    store.mode = 'throw';
    for (let i = 0; i < 20; i++) {
      await cache.set(`during-${i}`, { text: `result ${i}` });
      assert.deepEqual(await cache.get(`during-${i}`, isCaption), { text: `result ${i}` });
    }
    assert.equal(await cache.get('before', isCaption), undefined, 'what only Redis held is a miss, not an error');
    const warnings = logger.at('warn');
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!.message,
      new RegExp(
        /^cache store redis:\/\/fake:6379\/0 failed \(connection refused \(simulated\)\); /.source +
          /serving from in-process memory until it answers again, probing every 60000 ms$/.source,
      ),
    );
    assert.equal(store.calls, 2, 'the set while healthy, then the failing set; nothing during the cooldown');
    assert.equal(cache.stats().degraded, true);
    await cache.close();
  });

  test('hanging: concurrent requests end at the deadline, and later ones do not wait at all', async () => {
    const { store, cache, logger } = harness({ operationTimeoutMs: 150 });
    store.mode = 'hang';
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => cache.get(`k${i}`, isCaption)));
    const firstWave = Date.now() - started;
    assert.deepEqual(results, new Array(25).fill(undefined));
    assert.ok(firstWave >= 140 && firstWave < 1_000, `first wave took ${firstWave} ms`);
    const before = Date.now();
    await cache.set('x', { text: 'kept in memory' });
    assert.deepEqual(await cache.get('x', isCaption), { text: 'kept in memory' });
    assert.ok(Date.now() - before < 50, 'degraded calls skip the hung store');
    assert.equal(logger.at('warn').length, 1);
    assert.match(logger.at('warn')[0]!.message, /did not answer within 150 ms/);
    await cache.close();
  });

  test('recovery: after the cooldown a background probe finds the store and it is used again', async () => {
    const { store, cache, logger } = harness({ retryCooldownMs: 80 });
    store.mode = 'throw';
    await cache.set('outage', { text: 'computed while down' });
    assert.equal(cache.stats().degraded, true);
    await cache.get('outage', isCaption);
    assert.equal(logger.at('info').length, 0, 'no probe before the cooldown is over');
    await sleep(100);
    await cache.get('outage', isCaption); // starts a probe; this call itself is served from memory
    await sleep(100);
    assert.equal(cache.stats().degraded, true, 'the probe failed: still degraded');
    assert.equal(logger.at('warn').length, 1, 'a failed probe is not another warning');
    store.mode = 'ok';
    await sleep(100);
    await cache.get('outage', isCaption);
    await waitFor(() => !cache.stats().degraded, 2_000, 'recovery');
    const infos = logger.at('info');
    assert.equal(infos.length, 1);
    assert.match(infos[0]!.message, /^cache store redis:\/\/fake:6379\/0 answers again after \d+ ms; using it$/);
    await cache.set('after', { text: 'shared again' });
    assert.ok(store.entries.has('after'), 'writes reach the primary again');
    assert.deepEqual(await cache.get('outage', isCaption), { text: 'computed while down' }, 'outage-time results are still served');
    await cache.close();
  });

  test('a failure of a call started before the recovery does not degrade the recovered store', async () => {
    const { store, cache, logger } = harness({ operationTimeoutMs: 400, retryCooldownMs: 20 });
    store.mode = 'hang';
    const slow = cache.get('slow', isCaption); // will time out after 400 ms, long after the recovery
    store.mode = 'throw';
    await cache.get('fails-fast', isCaption);
    assert.equal(cache.stats().degraded, true);
    store.mode = 'ok';
    await sleep(30);
    await cache.get('probe-trigger', isCaption);
    await waitFor(() => !cache.stats().degraded, 2_000, 'recovery');
    assert.equal(await slow, undefined);
    assert.equal(cache.stats().degraded, false);
    assert.equal(logger.at('warn').length, 1);
    await cache.close();
  });

  test('getMany and delete degrade the same way', async () => {
    const { store, cache, logger } = harness();
    store.mode = 'throw';
    await cache.set('a', { text: 'A' });
    assert.deepEqual(await cache.getMany(['a', 'b'], isCaption), [{ text: 'A' }, undefined]);
    await cache.delete('a');
    assert.deepEqual(await cache.getMany(['a'], isCaption), [undefined]);
    assert.equal(logger.at('warn').length, 1);
    await cache.close();
  });
});

describe('entries that cannot be trusted are misses and are deleted', () => {
  const cases: ReadonlyArray<readonly [string, unknown]> = [
    ['a bare value, no envelope', { text: 'unwrapped' }],
    ['another envelope format', { format: 'florence-cache@0', value: { text: 'old' } }],
    ['a current envelope the validator rejects', { format: ENVELOPE_FORMAT, value: { caption: 'wrong shape' } }],
    ['a string', 'garbage'],
  ];
  for (const [name, stored] of cases) {
    test(name, async () => {
      const { store, cache } = harness();
      store.entries.set('k', { value: stored, expires: undefined });
      assert.equal(await cache.get('k', isCaption), undefined);
      assert.equal(store.entries.has('k'), false, 'deleted');
      assert.equal(cache.stats().invalid, 1);
      assert.equal(cache.stats().degraded, false, 'a bad entry is not a bad store');
      await cache.close();
    });
  }

  test('garbage bytes under a key of a binary store', async () => {
    const { store, cache } = harness({ binary: true });
    store.entries.set('k', 'v8b64:AAAA////');
    store.entries.set('j', '\u0000\u00ff not even tagged');
    assert.deepEqual(await cache.getMany(['k', 'j'], isCaption), [undefined, undefined]);
    assert.equal(store.entries.size, 0);
    assert.equal(cache.stats().invalid, 2);
    await cache.close();
  });

  test('a validator that throws counts as a rejection', async () => {
    const { cache } = harness();
    await cache.set('k', { text: 'x' });
    const throwing = (value: unknown): value is Caption => {
      throw new Error(`cannot check ${typeof value}`);
    };
    assert.equal(await cache.get('k', throwing), undefined);
    assert.equal(await cache.get('k', anyValue), undefined, 'deleted');
    await cache.close();
  });

  test('getMany mixes good, corrupt and absent entries, aligned with the keys', async () => {
    const { store, cache } = harness();
    await cache.set('good', { text: 'ok' });
    store.entries.set('bad', { value: 'nope', expires: undefined });
    assert.deepEqual(await cache.getMany(['bad', 'absent', 'good', 'good'], isCaption), [
      undefined,
      undefined,
      { text: 'ok' },
      { text: 'ok' },
    ]);
    assert.deepEqual([...store.entries.keys()], ['good']);
    await cache.close();
  });
});

describe('values and lifecycle', () => {
  test('TTLs apply in the primary and in the fallback', async () => {
    const { store, cache } = harness();
    await cache.set('t', { text: 'brief' }, 100);
    store.mode = 'throw';
    await cache.set('u', { text: 'brief too' }, 100);
    assert.deepEqual(await cache.get('u', isCaption), { text: 'brief too' });
    await sleep(200);
    assert.equal(await cache.get('u', isCaption), undefined);
    store.mode = 'ok';
    const raw = store.entries.get('t') as { expires?: number };
    assert.ok(typeof raw.expires === 'number' && raw.expires <= Date.now(), 'keyv records the expiry with the entry');
    await cache.close();
  });

  test('an unserialisable value is logged as an error, not thrown, and the store stays healthy', async () => {
    const { cache, logger } = harness({ binary: true });
    await cache.set('fn', { text: 'x', callback: () => 1 });
    assert.equal(await cache.get('fn', isCaption), undefined);
    assert.equal(cache.stats().degraded, false);
    assert.equal(logger.at('error').length, 1);
    assert.match(logger.at('error')[0]!.message, /cannot be serialised/);
    await cache.close();
  });

  test('Float32Array values survive the binary path unchanged', async () => {
    const { cache } = harness({ binary: true });
    const features = Float32Array.from({ length: 768 }, (_, i) => i / 7);
    await cache.set('features', features);
    const back = await cache.get('features', (value): value is Float32Array => value instanceof Float32Array);
    assert.ok(back instanceof Float32Array);
    assert.deepEqual(back, features);
    await cache.close();
  });

  test('after close, reads miss and writes are dropped without touching the store', async () => {
    const { store, cache } = harness();
    await cache.set('k', { text: 'x' });
    await cache.close();
    const calls = store.calls;
    assert.equal(await cache.get('k', isCaption), undefined);
    await cache.set('k2', { text: 'y' });
    await cache.delete('k');
    assert.equal(store.calls, calls);
    await cache.close();
  });

  test('an initial failure (Redis down at startup) starts degraded with one warning', async () => {
    const logger = new RecordingLogger();
    const cache = new ResilientResultCache({
      primary: controlledBackend(new ControlledStore(), { name: 'redis://down:6379/0' }),
      fallback: createMemoryBackend(),
      logger,
      initialFailure: new Error('connect ECONNREFUSED'),
    });
    assert.equal(cache.stats().degraded, true);
    await cache.set('k', { text: 'x' });
    assert.deepEqual(await cache.get('k', isCaption), { text: 'x' });
    assert.equal(logger.at('warn').length, 1);
    assert.match(logger.at('warn')[0]!.message, /failed \(connect ECONNREFUSED\)/);
    await cache.close();
  });
});
