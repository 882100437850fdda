/** UploadStore: uploads are served from process memory after the first read, and still come from the shared store. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { createCacheStore } from '../../src/cache/createStore.js';
import type { ResultCache } from '../../src/cache/resultCache.js';
import { UploadStore } from '../../src/graphql/uploads.js';

const upload = { bytes: new Uint8Array([1, 2, 3, 4]), width: 2, height: 1, format: 'png' };
const id = `sha256:${'ab'.repeat(32)}`;

/** A real memory store whose reads are counted. */
async function countingStore(): Promise<{ cache: ResultCache; reads: () => number }> {
  const cache = await createCacheStore('memory://', { logger: pino({ level: 'silent' }) });
  let reads = 0;
  const counted: ResultCache = {
    get: (key, validate) => {
      reads++;
      return cache.get(key, validate);
    },
    getMany: (keys, validate) => cache.getMany(keys, validate),
    set: (key, value, ttlMs) => cache.set(key, value, ttlMs),
    delete: (key) => cache.delete(key),
    close: () => cache.close(),
    stats: () => cache.stats(),
  };
  return { cache: counted, reads: () => reads };
}

test('a put upload is read back from memory, without asking the store', async () => {
  const { cache, reads } = await countingStore();
  const uploads = new UploadStore(cache, 60_000);
  await uploads.put(id, upload);
  assert.deepEqual(await uploads.get(id), upload);
  assert.equal(reads(), 0);
});

test('an upload another replica stored is read from the store once, then from memory', async () => {
  const { cache, reads } = await countingStore();
  await new UploadStore(cache, 60_000).put(id, upload); // "another replica"
  const here = new UploadStore(cache, 60_000);
  assert.deepEqual(await here.get(id), upload);
  assert.deepEqual(await here.get(id), upload);
  assert.equal(reads(), 1);
});

test('an unknown id is undefined; an upload bigger than the local budget is still served from the store', async () => {
  const { cache } = await countingStore();
  const tiny = new UploadStore(cache, 60_000, 2);
  assert.equal(await tiny.get(id), undefined);
  await tiny.put(id, upload);
  assert.deepEqual(await tiny.get(id), upload);
});

test('keep (a URL image) writes once; again, or after a read, it leaves the store alone', async () => {
  const { cache } = await countingStore();
  let writes = 0;
  const counted: ResultCache = { ...cache, set: (key, value, ttlMs) => (writes++, cache.set(key, value, ttlMs)) };
  const uploads = new UploadStore(counted, 60_000);
  await uploads.keep(id, upload);
  await uploads.keep(id, upload);
  assert.equal(writes, 1);
  assert.deepEqual(await new UploadStore(counted, 60_000).get(id), upload, 'it reached the shared store');
  const otherId = `sha256:${'cd'.repeat(32)}`;
  await new UploadStore(counted, 60_000).put(otherId, upload); // another replica
  await uploads.get(otherId);
  await uploads.keep(otherId, upload);
  assert.equal(writes, 2, 'read lately: the store has it');
});
