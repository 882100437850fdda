/**
 * The lru-cache adapter keyv stores in-process values in: the store contract, TTLs (a test clock),
 * byte- and count-bounded eviction, values kept by reference, and keyv on top honouring TTLs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Keyv } from 'keyv';
import { liveValueKeyv } from '../../src/cache/createStore.js';
import { MemoryStore } from '../../src/cache/memoryStore.js';
import { estimateBytes } from '../../src/cache/valueSize.js';

/** A store with a clock the test moves by hand. */
function clockedStore(options: { maxBytes?: number; maxEntries?: number; maxEntryBytes?: number } = {}) {
  const clock = { now: 1_000 };
  const store = new MemoryStore({ maxBytes: 1_000_000, maxEntries: 1_000, ...options, now: () => clock.now });
  return { store, clock };
}

function keyvOver(store: MemoryStore): Keyv {
  return liveValueKeyv(store);
}

describe('MemoryStore: keyv store contract', () => {
  test('set, get, has, getMany, delete, clear', async () => {
    const { store } = clockedStore();
    assert.equal(await store.set('a', { value: 1 }), true);
    await store.set('b', 'two');
    assert.deepEqual(await store.get('a'), { value: 1 });
    assert.equal(await store.has('a'), true);
    assert.equal(await store.has('zzz'), false);
    assert.deepEqual(await store.getMany(['b', 'zzz', 'a']), ['two', undefined, { value: 1 }]);
    assert.equal(await store.delete('a'), true);
    assert.equal(await store.delete('a'), false);
    assert.equal(await store.get('a'), undefined);
    await store.clear();
    assert.equal(store.size, 0);
    assert.equal(store.bytes, 0);
  });

  test('keeps values by reference: a Float32Array comes back as the same object', async () => {
    const { store } = clockedStore();
    const features = new Float32Array([0.5, -1.25, 3.0e-7]);
    await store.set('f', features);
    assert.equal(await store.get('f'), features);
  });

  test('rejects impossible bounds with a message naming the option', () => {
    assert.throws(() => new MemoryStore({ maxBytes: 0, maxEntries: 10 }), /maxBytes must be a positive integer; got 0/);
    assert.throws(() => new MemoryStore({ maxBytes: 100, maxEntries: 1.5 }), /maxEntries must be a positive integer; got 1.5/);
    assert.throws(() => new MemoryStore({ maxBytes: 100, maxEntries: 10, maxEntryBytes: 200 }), /no larger than maxBytes \(100\); got 200/);
  });
});

describe('MemoryStore: TTL', () => {
  test('an entry lives exactly its ttl (ms)', async () => {
    const { store, clock } = clockedStore();
    await store.set('short', 'x', 100);
    await store.set('forever', 'y');
    clock.now += 99;
    assert.equal(await store.get('short'), 'x');
    clock.now += 2;
    assert.equal(await store.get('short'), undefined);
    assert.equal(await store.has('short'), false);
    clock.now += 1e9;
    assert.equal(await store.get('forever'), 'y');
  });

  test('a non-positive or non-finite ttl means no expiry, as keyv uses 0', async () => {
    const { store, clock } = clockedStore();
    await store.set('zero', 'a', 0);
    await store.set('nan', 'b', Number.NaN);
    clock.now += 1e9;
    assert.deepEqual(await store.getMany(['zero', 'nan']), ['a', 'b']);
  });

  test('keyv over the store honours a ttl (real clock)', async () => {
    const keyv = keyvOver(new MemoryStore({ maxBytes: 100_000, maxEntries: 100 }));
    assert.equal(await keyv.set('k', { answer: 42 }, 150), true);
    assert.deepEqual(await keyv.get('k'), { answer: 42 });
    await sleep(300);
    assert.equal(await keyv.get('k'), undefined);
  });
});

describe('MemoryStore: bounds', () => {
  test('big values evict the least recently used ones to stay under maxBytes', async () => {
    const { store } = clockedStore({ maxBytes: 10_000 });
    for (const key of ['a', 'b', 'c', 'd']) await store.set(key, new Uint8Array(2_000));
    assert.ok(await store.get('a'), 'a fits while the total is under budget');
    await store.set('e', new Uint8Array(2_000));
    await store.set('f', new Uint8Array(2_000));
    // 'a' was read last before e and f arrived, so b and c are the least recently used.
    assert.equal(await store.has('b'), false);
    assert.equal(await store.has('c'), false);
    for (const key of ['a', 'd', 'e', 'f']) assert.equal(await store.has(key), true, key);
    assert.ok(store.bytes <= 10_000, `bytes ${store.bytes} over budget`);
  });

  test('a value over maxEntryBytes is not stored and evicts nothing', async () => {
    const { store } = clockedStore({ maxBytes: 10_000 });
    await store.set('small', new Uint8Array(100));
    assert.equal(await store.set('huge', new Uint8Array(2_600)), false, 'default maxEntryBytes is a quarter of maxBytes');
    assert.equal(await store.has('huge'), false);
    assert.equal(await store.has('small'), true);
  });

  test('maxEntries bounds the count however small the values', async () => {
    const { store } = clockedStore({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c', 'd']) await store.set(key, 1);
    assert.equal(store.size, 3);
    assert.equal(await store.has('a'), false);
  });

  test('keyv over the store: Float32Array survives unchanged (same class, same values)', async () => {
    const keyv = keyvOver(new MemoryStore({ maxBytes: 1_000_000, maxEntries: 100 }));
    const features = Float32Array.from({ length: 577 }, (_, i) => Math.sin(i) * 1e-3);
    await keyv.set('features', { features, shape: [1, 577] }, 60_000);
    const back = (await keyv.get('features')) as { features: Float32Array; shape: number[] };
    assert.ok(back.features instanceof Float32Array);
    assert.deepEqual([...back.features], [...features]);
    assert.deepEqual(back.shape, [1, 577]);
  });
});

describe('estimateBytes', () => {
  test('binary values count their bytes; text two bytes a character', () => {
    assert.ok(estimateBytes(new Float32Array(1_000)) >= 4_000);
    assert.ok(estimateBytes(new Float32Array(1_000)) < 4_200);
    assert.ok(estimateBytes('x'.repeat(1_000)) >= 2_000);
  });

  test('a small view of a big buffer counts the buffer it keeps alive, once', () => {
    const big = new ArrayBuffer(100_000);
    assert.ok(estimateBytes(new Uint8Array(big, 0, 10)) >= 100_000);
    const twoViews = { a: new Uint8Array(big, 0, 10), b: new Float32Array(big, 16, 4) };
    assert.ok(estimateBytes(twoViews) < 101_000);
  });

  test('nested objects add up, and cycles terminate', () => {
    const nested = {
      boxes: [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ],
      labels: ['cat', 'dog'],
      map: new Map([['k', 'v']]),
    };
    assert.ok(estimateBytes(nested) > estimateBytes({ boxes: [] }));
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    assert.ok(estimateBytes(cyclic) > 0);
  });
});
