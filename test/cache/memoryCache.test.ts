/**
 * The default `memory://` cache end to end, as the gateway builds it: results and uploads (binary,
 * with a TTL) through the ResultCache, bounded by the configured bytes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { resultCacheKey, uploadKey } from '../../src/cache/cacheKey.js';
import { createCacheStore } from '../../src/cache/createStore.js';
import { RecordingLogger } from './helpers.js';

const IMAGE = `sha256:${'12'.repeat(32)}`;
const isBytes = (value: unknown): value is Uint8Array => value instanceof Uint8Array;

describe('memory:// cache', () => {
  test('results by DESIGN key; stats name the store', async () => {
    const cache = await createCacheStore('memory://', { logger: new RecordingLogger() });
    const key = resultCacheKey({ modelFingerprint: 'aaaaaaaaaaaaaaaa', task: '<OD>', options: { numBeams: 3 }, imageId: IMAGE });
    const result = { bboxes: [[1, 2, 3, 4]], labels: ['cat'] };
    await cache.set(key, result);
    assert.deepEqual(
      await cache.get(key, (value): value is typeof result => typeof value === 'object' && value !== null && 'bboxes' in value),
      result,
    );
    assert.deepEqual(cache.stats(), { store: 'memory', degraded: false, hits: 1, misses: 0, errors: 0, invalid: 0 });
    await cache.close();
  });

  test('an upload keeps its exact bytes and expires with its TTL', async () => {
    const cache = await createCacheStore('', { logger: new RecordingLogger() });
    const bytes = Uint8Array.from({ length: 50_000 }, (_, i) => i % 251);
    await cache.set(uploadKey(IMAGE), bytes, 150);
    const back = await cache.get(uploadKey(IMAGE), isBytes);
    assert.deepEqual(back, bytes);
    await sleep(300);
    assert.equal(await cache.get(uploadKey(IMAGE), isBytes), undefined);
    await cache.close();
  });

  test('maxBytes bounds what is kept: old uploads make room for new ones', async () => {
    const cache = await createCacheStore('memory://', { logger: new RecordingLogger(), maxBytes: 400_000 });
    const ids = Array.from({ length: 8 }, (_, i) => `sha256:${String(i).repeat(64)}`);
    for (const id of ids) await cache.set(uploadKey(id), new Uint8Array(90_000));
    const kept = await cache.getMany(ids.map(uploadKey), isBytes);
    assert.deepEqual(
      kept.map((value) => value !== undefined),
      [false, false, false, false, true, true, true, true],
    );
    await cache.close();
  });
});
