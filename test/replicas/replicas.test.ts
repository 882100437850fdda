/**
 * Two gateway PROCESSES sharing the real Redis, as two replicas behind a load balancer would:
 * a result computed by one is served by the other with no model work; the same cold cascade sent to
 * both at once runs each task once in total; a replica killed mid-task (or a lock left behind by
 * one) delays the other by at most the lock's TTL; a corrupt entry in Redis is a miss, not an error.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { NO_REDIS, TEST_REDIS_URL, randomNamespace, redisReachable, waitFor } from '../cache/helpers.js';
import { patternPng } from '../helpers/images.js';
import { dropPrefix, killAll, rawRedis, spawnGateway, type GatewayProcess, type RawRedis } from './helpers.js';

/** Short, so the dead-holder tests wait seconds, not the production 30 s. */
const LOCK_TTL_MS = 2_000;
const RUNS = 'florence_task_runs_total';
const LOCK = 'florence_work_lock_keys_total';

const CAPTION = 'query($b: String!) { image(base64: $b) { id caption { text } objects { label box { x1 y1 x2 y2 } } } }';
const CASCADE = `query($b: String!) { image(base64: $b) { id
  caption { text phrases { phrase regions { box { x1 y1 x2 y2 } segment { area svgPath } } } } } }`;
/** Long enough (400 decode steps, seconds on the tiny model) that a replica can be killed while it runs. */
const SLOW_CAPTION = 'query($b: String!) { image(base64: $b) { caption(generation: { minNewTokens: 400, maxNewTokens: 400 }) { text } } }';

interface CaptionData {
  image: { id: string; caption: { text: string }; objects: unknown[] };
}

async function image(seed: number): Promise<{ base64: string; id: string }> {
  const bytes = await patternPng(96, 80, seed);
  return { base64: bytes.toString('base64'), id: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}

function assertOk(reply: { status: number; body: { errors?: unknown[]; data?: unknown } }): void {
  assert.equal(reply.status, 200);
  assert.deepEqual(reply.body.errors ?? [], [], JSON.stringify(reply.body.errors));
  assert.ok(reply.body.data);
}

const reachable = await redisReachable();

describe('two gateway processes sharing Redis', { skip: reachable ? false : NO_REDIS }, () => {
  const namespace = randomNamespace();
  let a: GatewayProcess;
  let b: GatewayProcess;
  let raw: RawRedis;
  const env = {
    CACHE_URL: TEST_REDIS_URL,
    CACHE_NAMESPACE: namespace,
    WORK_LOCK_TTL_MS: String(LOCK_TTL_MS),
    // The slow caption is priced far above the default budget; cost limits are not under test here.
    MAX_QUERY_COST: '1000000000',
    REQUEST_BUDGET: '1000000000',
  };
  /** Redis keys of the results computed for an image. */
  const resultKeys = (imageId: string) => raw.keys(`${namespace}::*:${imageId}`);

  before(async () => {
    raw = await rawRedis(TEST_REDIS_URL);
    [a, b] = await Promise.all([spawnGateway(env), spawnGateway(env)]);
  });
  after(async () => {
    await killAll();
    if (raw) {
      await dropPrefix(raw, namespace);
      await raw.close();
    }
  });

  test('a result computed by A is served by B with zero model calls', async () => {
    const { base64, id } = await image(31);
    const first = await a.graphql<CaptionData>(CAPTION, { b: base64 });
    assertOk(first);
    assert.equal(await a.metric(RUNS), 2, 'A ran caption and objects');
    assert.equal((await resultKeys(id)).length, 2, 'and stored both in Redis');
    const runsOnB = await b.metric(RUNS);
    const second = await b.graphql<CaptionData>(CAPTION, { b: base64 });
    assertOk(second);
    assert.deepEqual(second.body.data, first.body.data);
    assert.equal(await b.metric(RUNS), runsOnB, 'B ran nothing');
    assert.equal(await b.metric('florence_cache_requests_total', 'outcome="hit"'), 2);
  });

  test('the same cold cascade sent to A and B at once runs each task once across both', async () => {
    const { base64, id } = await image(32);
    const before = (await a.metric(RUNS)) + (await b.metric(RUNS));
    const [fromA, fromB] = await Promise.all([a.graphql(CASCADE, { b: base64 }), b.graphql(CASCADE, { b: base64 })]);
    assertOk(fromA);
    assertOk(fromB);
    assert.deepEqual(fromA.body.data, fromB.body.data);
    const runs = (await a.metric(RUNS)) + (await b.metric(RUNS)) - before;
    const distinct = (await resultKeys(id)).length;
    assert.ok(distinct >= 3, `a cascade is at least caption, grounding and one segment; got ${distinct} results`);
    assert.equal(runs, distinct, `${runs} model runs for ${distinct} distinct results`);
    const waited = (await a.metric(LOCK, 'outcome="waited"')) + (await b.metric(LOCK, 'outcome="waited"'));
    assert.ok(waited >= 1, 'one replica waited for the other at least once');
    assert.equal((await raw.keys(`${namespace}:lock:*`)).length, 0, 'no lock left behind');
  });

  test('a corrupt entry in Redis is a miss: recomputed, answered, and rewritten', async () => {
    const { base64, id } = await image(33);
    const first = await a.graphql<CaptionData>(CAPTION, { b: base64 });
    assertOk(first);
    const keys = await resultKeys(id);
    assert.equal(keys.length, 2);
    for (const key of keys) await raw.set(key, 'v8b64:this is not a v8 payload');
    const runsOnB = await b.metric(RUNS);
    const second = await b.graphql<CaptionData>(CAPTION, { b: base64 });
    assertOk(second);
    assert.deepEqual(second.body.data, first.body.data, 'the same answer, recomputed');
    assert.equal((await b.metric(RUNS)) - runsOnB, 2);
    for (const key of keys) assert.notEqual(await raw.get(key), 'v8b64:this is not a v8 payload', 'replaced by a good entry');
  });

  test('a lock left by a replica that died: the other waits until its TTL, then computes', async () => {
    // The lock key of a caption on a new image: same task, input and options as image 31's caption.
    const known = await image(31);
    const captionKey = (await resultKeys(known.id)).find((key) => key.includes(':CAPTION:'));
    assert.ok(captionKey);
    const { base64, id } = await image(34);
    const lockKey = `${namespace}:lock:${captionKey.slice(`${namespace}::`.length).replace(known.id, id)}`;
    await raw.set(lockKey, 'replica-that-died', { expiration: { type: 'PX', value: LOCK_TTL_MS } });
    const takeovers = await b.metric(LOCK, 'outcome="takeovers"');
    const started = Date.now();
    const reply = await b.graphql(CAPTION, { b: base64 });
    const elapsed = Date.now() - started;
    assertOk(reply);
    assert.ok(elapsed >= LOCK_TTL_MS - 300, `answered after ${elapsed} ms, before the lock expired`);
    assert.equal((await b.metric(LOCK, 'outcome="takeovers"')) - takeovers, 1);
  });

  test('A killed mid-task: B, asked the same, takes over after the TTL and answers', async () => {
    const { base64 } = await image(35);
    const fromA = a.graphql(SLOW_CAPTION, { b: base64 }).catch((error: unknown) => error);
    await waitFor(async () => (await raw.keys(`${namespace}:lock:*`)).length > 0, 10_000, 'A to take the lock');
    await a.kill();
    assert.ok((await fromA) instanceof Error, 'A died with the request in flight');
    const started = Date.now();
    const reply = await b.graphql<{ image: { caption: { text: string } } }>(SLOW_CAPTION, { b: base64 });
    assertOk(reply);
    assert.ok(reply.body.data!.image.caption.text.length > 0);
    assert.ok(Date.now() - started < LOCK_TTL_MS + 30_000);
    assert.ok((await b.metric(LOCK, 'outcome="takeovers"')) >= 2);
  });
});
