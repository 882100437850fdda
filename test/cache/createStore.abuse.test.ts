/**
 * Misuse of the cache's public API: CACHE_URLs that cannot work fail at startup with a message
 * saying what was expected and what arrived (passwords hidden); sqlite:// is refused in this build;
 * bad options and bad keys or TTLs are refused before any store is touched.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCacheStore, parseCacheUrl, type CacheStoreOptions } from '../../src/cache/createStore.js';
import { CacheConfigError, CacheKeyError } from '../../src/cache/errors.js';
import { MAX_KEY_LENGTH } from '../../src/cache/resultCache.js';
import { RecordingLogger, anyValue } from './helpers.js';

const options: CacheStoreOptions = { logger: new RecordingLogger() };

/** Asserts `run` throws a CacheConfigError whose message matches. */
async function refuses(run: () => unknown, message: RegExp): Promise<void> {
  await assert.rejects(
    async () => run(),
    (error: unknown) => {
      assert.ok(error instanceof CacheConfigError, `expected CacheConfigError, got ${String(error)}`);
      assert.equal(error.code, 'CACHE_CONFIG');
      assert.match(error.message, message);
      return true;
    },
  );
}

describe('CACHE_URL', () => {
  const bad: ReadonlyArray<readonly [string, string, RegExp]> = [
    ['not a URL', 'localhost:6379x', /has unknown scheme "localhost:"/],
    [
      'plain words',
      'redis please',
      /^CACHE_URL "redis please" is not a URL; expected memory:\/\/, redis:\/\/host\[:port\]\[\/db\] or rediss:\/\/host\[:port\]\[\/db\]$/,
    ],
    ['a port out of range', 'redis://127.0.0.1:99999', /is not a URL/],
    ['redis without a host', 'redis://', /^CACHE_URL "redis:\/\/" names no host; expected redis:\/\/host\[:port\]\[\/db\]$/],
    ['redis without slashes', 'redis:localhost', /names no host/],
    [
      'a database that is not a number',
      'redis://localhost:6379/cache',
      /^CACHE_URL "redis:\/\/localhost:6379\/cache": the path must be a database number such as \/0; got \/cache$/,
    ],
    ['a query string', 'redis://localhost:6379/0?timeout=5', /query strings and fragments are not supported/],
    [
      'memory with a host',
      'memory://big',
      /^CACHE_URL "memory:\/\/big": memory:\/\/ takes no host, path or options; size it with maxBytes$/,
    ],
    [
      'an unknown scheme',
      'mongodb://localhost:27017',
      /^CACHE_URL "mongodb:\/\/localhost:27017" has unknown scheme "mongodb:"; expected memory:\/\//,
    ],
    ['http', 'http://cache.internal', /has unknown scheme "http:"/],
    ['a bare path', '/var/cache/florence', /is not a URL/],
  ];
  for (const [name, url, message] of bad) {
    test(`refuses ${name}: ${url}`, async () => {
      await refuses(() => createCacheStore(url, options), message);
    });
  }

  test('sqlite:// is refused as not supported in this build', async () => {
    for (const url of ['sqlite://cache.sqlite', 'sqlite:///var/lib/florence/cache.db']) {
      await refuses(
        () => createCacheStore(url, options),
        new RegExp(
          /^CACHE_URL "sqlite:.*": sqlite:\/\/ is not supported in this build \(.*natively compiled driver.*\); /.source +
            /use memory:\/\/ for one process or redis:\/\/host:port to share results$/.source,
        ),
      );
    }
  });

  test('never echoes a password', async () => {
    for (const url of ['redis://user:s3cret@localhost:6379/cache', 'mongodb://user:s3cret@db', 'not a url user:s3cret@host']) {
      await assert.rejects(createCacheStore(url, options), (error: unknown) => {
        assert.ok(error instanceof CacheConfigError);
        assert.ok(!error.message.includes('s3cret'), error.message);
        return true;
      });
    }
  });

  test('a non-string URL is refused, naming its type', async () => {
    await refuses(() => createCacheStore(42 as unknown as string, options), /^CACHE_URL must be a string; got number/);
  });

  test('accepted forms, and their names without credentials', () => {
    assert.deepEqual(parseCacheUrl(''), { kind: 'memory' });
    assert.deepEqual(parseCacheUrl('  '), { kind: 'memory' });
    assert.deepEqual(parseCacheUrl('memory://'), { kind: 'memory' });
    assert.deepEqual(parseCacheUrl('redis://localhost'), { kind: 'redis', url: 'redis://localhost', name: 'redis://localhost:6379/0' });
    assert.equal((parseCacheUrl('rediss://:pw@cache.example:6380/2') as { name: string }).name, 'rediss://cache.example:6380/2');
  });
});

describe('createCacheStore options', () => {
  const bad: ReadonlyArray<readonly [string, Partial<CacheStoreOptions>, RegExp]> = [
    ['maxBytes 0', { maxBytes: 0 }, /^cache maxBytes must be a positive integer; got 0$/],
    ['maxEntries 1.5', { maxEntries: 1.5 }, /^cache maxEntries must be a positive integer; got 1.5$/],
    ['a negative timeout', { operationTimeoutMs: -1 }, /^cache operationTimeoutMs must be a positive number of milliseconds; got -1$/],
    [
      'an infinite cooldown',
      { retryCooldownMs: Number.POSITIVE_INFINITY },
      /retryCooldownMs must be a positive number of milliseconds; got Infinity/,
    ],
    [
      'a namespace with spaces',
      { namespace: 'my cache' },
      /^cache namespace must be 1–64 letters, digits, '\.', '_' or '-'; got "my cache"$/,
    ],
    ['an empty namespace', { namespace: '' }, /cache namespace must be/],
  ];
  for (const [name, change, message] of bad) {
    test(`refuses ${name}`, async () => {
      await refuses(() => createCacheStore('memory://', { ...options, ...change }), message);
    });
  }

  test('refuses a missing logger', async () => {
    await refuses(() => createCacheStore('memory://', {} as CacheStoreOptions), /needs options with a logger/);
  });
});

describe('ResultCache misuse', () => {
  test('bad keys are CacheKeyErrors; bad TTLs are RangeErrors; nothing is stored', async () => {
    const cache = await createCacheStore('memory://', options);
    await assert.rejects(
      cache.get('', anyValue),
      (error: unknown) => error instanceof CacheKeyError && /got a string of 0 characters/.test(error.message),
    );
    await assert.rejects(cache.set('k'.repeat(MAX_KEY_LENGTH + 1), 1), /at most 1024 characters; got a string of 1025 characters/);
    await assert.rejects(cache.getMany(['ok', 7 as unknown as string], anyValue), /got number/);
    await assert.rejects(cache.delete(undefined as unknown as string), CacheKeyError);
    for (const ttl of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await assert.rejects(
        cache.set('k', 1, ttl),
        (error: unknown) => error instanceof RangeError && /ttlMs must be a positive finite number/.test(error.message),
        String(ttl),
      );
    }
    assert.equal(await cache.get('k', anyValue), undefined);
    await cache.close();
  });

  test('close twice is harmless', async () => {
    const cache = await createCacheStore('memory://', options);
    await cache.close();
    await cache.close();
  });
});
