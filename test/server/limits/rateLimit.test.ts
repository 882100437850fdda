/**
 * The rate limit: the RATE_LIMIT syntax; per-client counting (API key, else IP) in memory; 429 with
 * Retry-After and a GraphQL-shaped error through the real gateway, health left open; counts shared
 * by two "replicas" through the real Redis (skipped with a message when unreachable); and a Redis
 * that is down, where each process counts in memory instead of failing requests.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient } from '@keyv/redis';
import { apiKeyMiddleware } from '../../../src/server/pipeline/apiKeys.js';
import {
  describeRateLimit,
  parseRateLimit,
  rateLimitMiddleware,
  type RateLimitMiddleware,
} from '../../../src/server/pipeline/rateLimit.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { NO_REDIS, randomNamespace, redisReachable, TEST_REDIS_URL } from '../../cache/helpers.js';
import { serveMiddleware } from './support.js';

describe('RATE_LIMIT syntax', () => {
  test('requests / [count] unit', () => {
    const cases: [string, number, number, string][] = [
      ['60/min', 60, 60, '60 requests per minute'],
      [' 1000 / h ', 1000, 3600, '1000 requests per hour'],
      ['10/30s', 10, 30, '10 requests per 30 seconds'],
      ['5/second', 5, 1, '5 requests per second'],
      ['1/day', 1, 86_400, '1 request per day'],
      ['100/15min', 100, 900, '100 requests per 15 minutes'],
      ['2/minutes', 2, 60, '2 requests per minute'],
    ];
    for (const [text, points, durationSeconds, described] of cases) {
      const setting = parseRateLimit(text);
      assert.deepEqual(setting, { points, durationSeconds }, text);
      assert.equal(describeRateLimit(setting!), described);
    }
    assert.equal(parseRateLimit(undefined), undefined);
    assert.equal(parseRateLimit('  '), undefined);
  });

  test('anything else is refused with the syntax', () => {
    const syntax = /RATE_LIMIT must be <requests>\/\[<count>\]<unit> with unit s, min, h or d, e\.g\. 60\/min, 1000\/h, 10\/30s; got /;
    for (const text of ['60', '60/', '60/ms', 'sixty/min', '60/min/2', '-1/min']) assert.throws(() => parseRateLimit(text), syntax, text);
    assert.throws(() => parseRateLimit('0/min'), /allows 1 to 1000000 requests per window; got 0/);
    assert.throws(() => parseRateLimit('1/2d'), /window must be 1 s to 1 day; got 172800 s/);
    assert.throws(() => parseRateLimit('1/0s'), /window must be 1 s to 1 day; got 0 s/);
  });
});

describe('counting per client (memory)', () => {
  const keys = ['alpha-key-0123456789', 'bravo-key-0123456789'];
  let limited: RateLimitMiddleware;
  let server: Awaited<ReturnType<typeof serveMiddleware>>;
  before(async () => {
    limited = rateLimitMiddleware({ limit: { points: 2, durationSeconds: 60 } });
    server = await serveMiddleware(apiKeyMiddleware({ keys }), limited);
  });
  after(async () => {
    await server.close();
    await limited.close();
  });

  test('each API key has its own count; RateLimit headers say where it stands', async () => {
    const as = (key: string) => fetch(server.url, { headers: { authorization: `Bearer ${key}` } });
    const first = await as(keys[0]!);
    assert.equal(first.status, 200);
    assert.deepEqual([first.headers.get('ratelimit-limit'), first.headers.get('ratelimit-remaining')], ['2', '1']);
    assert.equal((await as(keys[0]!)).status, 200);
    const refused = await as(keys[0]!);
    assert.equal(refused.status, 429);
    assert.equal((await as(keys[1]!)).status, 200, 'another key is another client');
    assert.equal(
      (await fetch(server.url, { headers: { 'x-api-key': keys[1]! } })).status,
      200,
      'the same key by either header is the same client',
    );
    assert.equal((await as(keys[1]!)).status, 429);
  });
});

describe('through the gateway (RATE_LIMIT=3/min, memory)', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({ RATE_LIMIT: '3/min' });
  });
  after(() => gateway.stop());

  test('past the limit: 429, Retry-After, a GraphQL-shaped RATE_LIMITED error; uploads count too; health stays open', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await gateway.graphql('{ model { id } }')).status, 200);
    const upload = await fetch(`${gateway.url}/images`, { method: 'POST', body: 'not an image' });
    assert.equal(upload.status, 400, 'the third request, an upload, is let through (and refused for its bytes)');
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ model { id } }"}',
    });
    assert.equal(response.status, 429);
    const retryAfter = Number(response.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${retryAfter}`);
    assert.deepEqual(await response.json(), {
      errors: [
        {
          message: `too many requests: this server allows 3 requests per minute per client; retry in ${retryAfter} s`,
          extensions: { code: 'RATE_LIMITED' },
        },
      ],
    });
    assert.equal((await fetch(`${gateway.url}/images`, { method: 'POST', body: 'x' })).status, 429);
    assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${gateway.url}/readyz`)).status, 200);
  });

  test('without TRUST_PROXY a client cannot escape its count by writing X-Forwarded-For', async () => {
    const spoofed = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.99' },
      body: '{"query":"{ model { id } }"}',
    });
    assert.equal(spoofed.status, 429);
  });
});

describe('behind a proxy (RATE_LIMIT=2/min, TRUST_PROXY=loopback)', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({ RATE_LIMIT: '2/min', TRUST_PROXY: 'loopback' });
  });
  after(() => gateway.stop());

  const from = (client: string) =>
    fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
      body: '{"query":"{ model { id } }"}',
    });

  test('each forwarded client has its own count', async () => {
    assert.deepEqual(
      [(await from('203.0.113.5')).status, (await from('203.0.113.5')).status, (await from('203.0.113.5')).status],
      [200, 200, 429],
    );
    assert.equal((await from('203.0.113.6')).status, 200, 'another client behind the same proxy');
    assert.equal(
      (await from('198.51.100.7, 203.0.113.6')).status,
      200,
      'the address the trusted proxy saw counts, not what the client prepended',
    );
    assert.equal((await from('198.51.100.8, 203.0.113.6')).status, 429);
  });
});

const reachable = await redisReachable();

describe('shared through Redis', { skip: reachable ? false : NO_REDIS }, () => {
  const keyPrefix = `${randomNamespace()}:ratelimit`;
  let replicas: RateLimitMiddleware[];
  let servers: Awaited<ReturnType<typeof serveMiddleware>>[];
  let raw: ReturnType<typeof createClient>;
  before(async () => {
    replicas = [0, 1].map(() => rateLimitMiddleware({ limit: { points: 3, durationSeconds: 60 }, redisUrl: TEST_REDIS_URL, keyPrefix }));
    servers = await Promise.all(replicas.map((replica) => serveMiddleware(replica)));
    raw = createClient({ url: TEST_REDIS_URL });
    raw.on('error', () => {});
    await raw.connect();
  });
  after(async () => {
    const keys = await raw.keys(`${keyPrefix}:*`);
    if (keys.length > 0) await raw.unlink(keys);
    await raw.close();
    await Promise.all(servers.map((server) => server.close()));
    await Promise.all(replicas.map((replica) => replica.close()));
  });

  test('two replicas share one count per client', async () => {
    // The clients connect in the background; wait until Redis holds counts, not the memory insurance.
    const started = Date.now();
    while ((await raw.keys(`${keyPrefix}:*`)).length === 0 && Date.now() - started < 5_000) {
      await fetch(servers[0]!.url);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const [key] = await raw.keys(`${keyPrefix}:*`);
    assert.equal(key, `${keyPrefix}:ip:127.0.0.1`);
    await raw.set(key!, '0', { KEEPTTL: true });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(servers[i % 2]!.url)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.equal(await raw.get(key!), '4');
  });
});

describe('a Redis that is down', () => {
  test('each process counts in memory meanwhile: no request fails or waits on Redis', async () => {
    const limited = rateLimitMiddleware({
      limit: { points: 2, durationSeconds: 60 },
      redisUrl: 'redis://127.0.0.1:1',
      keyPrefix: randomNamespace(),
    });
    const server = await serveMiddleware(limited);
    try {
      const started = Date.now();
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(server.url)).status);
      assert.deepEqual(statuses, [200, 200, 429]);
      assert.ok(Date.now() - started < 2_000, 'answered without waiting for Redis');
    } finally {
      await server.close();
      await limited.close();
    }
  });
});
