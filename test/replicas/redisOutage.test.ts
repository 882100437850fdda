/**
 * Redis killed while requests flow through a gateway process: no request fails (results come from
 * the in-process fallback, the work lock stands aside), and when Redis is back on the same port the
 * gateway uses it again (florence_cache_degraded returns to 0, new results land in Redis).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { NO_REDIS_SERVER, hasRedisServer, randomNamespace, waitFor } from '../cache/helpers.js';
import { patternPng } from '../helpers/images.js';
import { freePort } from '../helpers/ports.js';
import { killAll, killProcess, rawRedis, spawnGateway, startRedisServer, type GatewayProcess } from './helpers.js';

/** How often the gateway probes a dead Redis (CACHE_RETRY_MS): short, so recovery is seen quickly. */
const RETRY_MS = 200;
/** Concurrent clients in the request loop. */
const CLIENTS = 4;

const WARM = 'query($b: String!) { image(base64: $b) { caption { text } objects { label } } }';
/** A new phrase each time is a new cache key; few tokens keep it cheap (the image's features stay cached). */
const NEW_WORK = 'query($b: String!, $q: String!) { image(base64: $b) { find(query: $q, generation: { maxNewTokens: 8 }) { label } } }';

describe('Redis killed while requests flow', { skip: hasRedisServer ? false : NO_REDIS_SERVER }, () => {
  after(killAll);

  test('no request fails; the gateway uses Redis again once it is back', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const namespace = randomNamespace();
    let redis: ChildProcess = await startRedisServer(port);
    const gateway: GatewayProcess = await spawnGateway({
      CACHE_URL: url,
      CACHE_NAMESPACE: namespace,
      CACHE_RETRY_MS: String(RETRY_MS),
      MAX_QUERY_COST: '1000000000',
      REQUEST_BUDGET: '1000000000',
    });
    const b = (await patternPng(64, 48, 41)).toString('base64');
    const warm = await gateway.graphql(WARM, { b });
    assert.equal(warm.status, 200);

    let running = true;
    let next = 0;
    const failures: string[] = [];
    const served = { warm: 0, fresh: 0 };
    const client = async () => {
      while (running) {
        const n = next++;
        const fresh = n % 2 === 1;
        try {
          const reply = fresh ? await gateway.graphql(NEW_WORK, { b, q: `thing number ${n}` }) : await gateway.graphql(WARM, { b });
          if (reply.status !== 200 || reply.body.errors) failures.push(`${reply.status} ${JSON.stringify(reply.body.errors)}`);
          else served[fresh ? 'fresh' : 'warm']++;
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const traffic = Promise.all(Array.from({ length: CLIENTS }, client));
    const degraded = () => gateway.metric('florence_cache_degraded');

    await sleep(800);
    await killProcess(redis);
    await waitFor(async () => (await degraded()) === 1, 5_000, 'the gateway to notice Redis is gone');
    const duringOutage = served.fresh;
    await sleep(1_000);
    assert.ok(served.fresh > duringOutage, 'new work was computed while Redis was down');
    redis = await startRedisServer(port);
    await waitFor(async () => (await degraded()) === 0, 10_000, 'the gateway to use Redis again');
    const afterRecovery = served.fresh;
    await sleep(800);
    running = false;
    await traffic;

    assert.deepEqual(failures, [], 'every request succeeded');
    assert.ok(served.warm > 10 && served.fresh > afterRecovery, JSON.stringify(served));
    assert.ok(
      (await gateway.metric('florence_work_lock_keys_total', 'outcome="unlocked"')) >= 1,
      'the lock stood aside while Redis was down',
    );
    // The restarted Redis started empty (no persistence): what it holds now was written after recovery.
    const raw = await rawRedis(url);
    try {
      const keys = await raw.keys(`${namespace}::*`);
      assert.ok(keys.length > 0, 'results are written to Redis again');
      assert.equal((await raw.keys(`${namespace}:lock:*`)).length, 0, 'no lock left behind');
    } finally {
      await raw.close();
    }
  });
});
