/**
 * The Redis store against a real Redis (skipped, saying so, when none is reachable): binary round
 * trips, TTLs, namespaces, corrupt entries written straight into Redis, a Redis that was never there
 * (closed port), and one killed and restarted while requests flow.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@keyv/redis';
import { uploadKey } from '../../src/cache/cacheKey.js';
import { createCacheStore } from '../../src/cache/createStore.js';
import { ENVELOPE_FORMAT } from '../../src/cache/envelope.js';
import type { ResultCache } from '../../src/cache/resultCache.js';
import { PAYLOAD_TAG, encodePayload } from '../../src/cache/serialization.js';
import {
  NO_REDIS,
  NO_REDIS_SERVER,
  RecordingLogger,
  TEST_REDIS_URL,
  anyValue,
  hasRedisServer,
  randomNamespace,
  redisReachable,
  startRedisServer,
  waitFor,
} from './helpers.js';
import { freePort } from '../helpers/ports.js';

interface Caption {
  readonly text: string;
}
function isCaption(value: unknown): value is Caption {
  return typeof value === 'object' && value !== null && typeof (value as { text?: unknown }).text === 'string';
}

type RawClient = ReturnType<typeof createClient>;

/** Deletes every key of a test namespace (the separator is @keyv/redis' `::`). */
async function dropNamespace(raw: RawClient, namespace: string): Promise<void> {
  const keys = await raw.keys(`${namespace}::*`);
  if (keys.length > 0) await raw.unlink(keys);
}

const reachable = await redisReachable();

describe('redis store', { skip: reachable ? false : NO_REDIS }, () => {
  const namespace = randomNamespace();
  const logger = new RecordingLogger();
  let cache: ResultCache;
  let raw: RawClient;
  const redisKey = (key: string) => `${namespace}::${key}`;

  before(async () => {
    raw = createClient({ url: TEST_REDIS_URL });
    raw.on('error', () => {});
    await raw.connect();
    cache = await createCacheStore(TEST_REDIS_URL, { logger, namespace });
  });

  after(async () => {
    await dropNamespace(raw, namespace);
    await cache.close();
    await raw.close();
  });

  test('objects, Float32Array, Uint8Array and Buffer round-trip through the binary format', async () => {
    const value = {
      caption: 'a cat on a mat',
      boxes: [[10.5, 20, 30, 40]],
      features: Float32Array.from({ length: 577 * 8 }, (_, i) => Math.cos(i)),
      mask: Uint8Array.from([0, 1, 255]),
      bytes: Buffer.from('89504e47', 'hex'),
    };
    await cache.set('round-trip', value);
    const back = await cache.get('round-trip', anyValue);
    assert.deepEqual(back, value);
    const typed = back as typeof value;
    assert.ok(typed.features instanceof Float32Array && typed.mask instanceof Uint8Array && Buffer.isBuffer(typed.bytes));
    const stored = await raw.get(redisKey('round-trip'));
    assert.ok(stored?.startsWith(PAYLOAD_TAG), 'stored as tagged binary, not JSON');
    assert.equal(cache.stats().degraded, false);
  });

  test('an upload: image bytes under uploadKey with a TTL', async () => {
    const key = uploadKey(`sha256:${'0f'.repeat(32)}`);
    const bytes = randomBytes(200_000);
    await cache.set(key, bytes, 60_000);
    const back = await cache.get(key, (value): value is Uint8Array => value instanceof Uint8Array);
    assert.ok(back && Buffer.from(back).equals(bytes));
    assert.ok((await raw.pTTL(redisKey(key))) > 59_000);
  });

  test('getMany reads many keys, aligned, absent ones undefined', async () => {
    await cache.set('many-1', { text: 'one' });
    await cache.set('many-2', { text: 'two' });
    assert.deepEqual(await cache.getMany(['many-2', 'many-absent', 'many-1'], isCaption), [{ text: 'two' }, undefined, { text: 'one' }]);
  });

  test('a TTL becomes a Redis expiry, and the entry is gone after it', async () => {
    await cache.set('ttl-long', { text: 'upload' }, 60_000);
    const pttl = await raw.pTTL(redisKey('ttl-long'));
    assert.ok(pttl > 59_000 && pttl <= 60_000, `PTTL ${pttl}`);
    await cache.set('ttl-short', { text: 'brief' }, 150);
    assert.deepEqual(await cache.get('ttl-short', isCaption), { text: 'brief' });
    await sleep(300);
    assert.equal(await cache.get('ttl-short', isCaption), undefined);
    assert.equal(await raw.exists(redisKey('ttl-short')), 0);
  });

  test('namespaces keep caches apart', async () => {
    const otherNamespace = randomNamespace();
    const other = await createCacheStore(TEST_REDIS_URL, { logger, namespace: otherNamespace });
    try {
      await cache.set('shared-name', { text: 'mine' });
      assert.equal(await other.get('shared-name', isCaption), undefined);
      await other.set('shared-name', { text: 'theirs' });
      assert.deepEqual(await cache.get('shared-name', isCaption), { text: 'mine' });
    } finally {
      await dropNamespace(raw, otherNamespace);
      await other.close();
    }
  });

  describe('corrupt entries written straight into Redis are misses and are deleted', () => {
    const cases: ReadonlyArray<readonly [string, string | Buffer]> = [
      ['garbage bytes', randomBytes(64)],
      ["keyv's default JSON", '{"value":{"text":"json"},"expires":null}'],
      ['a tagged payload that is not v8', `${PAYLOAD_TAG}bm90IHY4IGF0IGFsbA==`],
      ['a wrong envelope version', encodePayload({ value: { format: 'florence-cache@0', value: { text: 'old' } }, expires: undefined })],
      [
        'a value the validator rejects',
        encodePayload({ value: { format: ENVELOPE_FORMAT, value: { caption: 'no text field' } }, expires: undefined }),
      ],
    ];
    for (const [name, payload] of cases) {
      test(name, async () => {
        const key = `corrupt-${name.replace(/\W+/g, '-')}`;
        await raw.set(redisKey(key), payload);
        const invalidBefore = cache.stats().invalid;
        assert.equal(await cache.get(key, isCaption), undefined);
        assert.equal(await raw.exists(redisKey(key)), 0, 'deleted');
        assert.equal(cache.stats().invalid, invalidBefore + 1);
        assert.equal(cache.stats().degraded, false);
      });
    }
  });

  test('no warnings were logged by a healthy Redis', () => {
    assert.deepEqual(logger.at('warn'), []);
  });
});

describe('a Redis that is not there', () => {
  test('a closed port degrades at startup without failing or hanging past the timeouts', async () => {
    const logger = new RecordingLogger();
    const started = Date.now();
    const cache = await createCacheStore('redis://127.0.0.1:1', {
      logger,
      connectTimeoutMs: 300,
      operationTimeoutMs: 200,
      retryCooldownMs: 100,
    });
    const startup = Date.now() - started;
    assert.ok(startup < 1_500, `startup took ${startup} ms`);
    assert.equal(cache.stats().degraded, true);
    const before = Date.now();
    for (let i = 0; i < 10; i++) {
      await cache.set(`k${i}`, { text: String(i) });
      assert.deepEqual(await cache.get(`k${i}`, isCaption), { text: String(i) });
      await sleep(30); // lets cooldowns pass, so probes run and fail too
    }
    assert.ok(Date.now() - before < 1_500);
    assert.equal(logger.at('warn').length, 1);
    assert.match(
      logger.at('warn')[0]!.message,
      /^cache store redis:\/\/127\.0\.0\.1:1\/0 failed \(.*ECONNREFUSED.*\); serving from in-process memory/,
    );
    const closing = Date.now();
    await cache.close();
    assert.ok(Date.now() - closing < 500, 'close does not wait for reconnects');
  });
});

describe('Redis killed while requests flow', { skip: hasRedisServer ? false : NO_REDIS_SERVER }, () => {
  let server: ChildProcess | undefined;
  after(() => {
    server?.kill('SIGKILL');
  });

  test('no request fails; one warning; recovery when it comes back; outage results kept', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    server = await startRedisServer(port);
    const logger = new RecordingLogger();
    const cache = await createCacheStore(url, { logger, namespace: randomNamespace(), operationTimeoutMs: 300, retryCooldownMs: 200 });
    assert.equal(cache.stats().degraded, false);

    let running = true;
    let requests = 0;
    const failures: unknown[] = [];
    const worker = async (id: number) => {
      for (let i = 0; running; i++) {
        try {
          await cache.set(`w${id}-${i}`, { text: `${id}/${i}` });
          await cache.getMany([`w${id}-${i}`, `w${id}-${i - 1}`], isCaption);
          requests++;
        } catch (error) {
          failures.push(error);
        }
        await sleep(2);
      }
    };
    const traffic = Promise.all([0, 1, 2, 3].map(worker));

    await sleep(150);
    server.kill('SIGKILL');
    await once(server, 'exit');
    await waitFor(() => cache.stats().degraded, 3_000, 'degradation');
    await cache.set('during-outage', { text: 'computed while Redis was down' });
    await sleep(300);
    server = await startRedisServer(port);
    await waitFor(() => !cache.stats().degraded, 5_000, 'recovery');
    await sleep(100);
    running = false;
    await traffic;

    assert.deepEqual(failures, []);
    assert.ok(requests > 50, `only ${requests} requests ran`);
    assert.equal(
      logger.at('warn').length,
      1,
      logger
        .at('warn')
        .map((r) => r.message)
        .join('\n'),
    );
    assert.match(logger.at('info').at(-1)!.message, /answers again after \d+ ms; using it$/);
    assert.deepEqual(await cache.get('during-outage', isCaption), { text: 'computed while Redis was down' });
    await cache.set('after-recovery', { text: 'in Redis again' });
    const raw = createClient({ url });
    raw.on('error', () => {});
    await raw.connect();
    const keys = await raw.keys('*::after-recovery');
    await raw.close();
    assert.equal(keys.length, 1, 'writes reach Redis again');
    await cache.close();
  });
});
