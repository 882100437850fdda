/** The limit settings in the environment: defaults, overrides, and a clear startup error for each bad value. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/server/config.js';

describe('limit settings', () => {
  test('defaults: limits on, rate limit and API keys off', () => {
    const { maxQueryCost, requestBudget, maxQueryDepth, maxAliases, maxTaskFields, rateLimit, apiKeys } = loadConfig({});
    assert.deepEqual(
      { maxQueryCost, requestBudget, maxQueryDepth, maxAliases, maxTaskFields, rateLimit, apiKeys },
      {
        maxQueryCost: 500,
        requestBudget: 500,
        maxQueryDepth: 16,
        maxAliases: 30,
        maxTaskFields: 32,
        rateLimit: undefined,
        apiKeys: [],
      },
    );
  });

  test('overrides', () => {
    const config = loadConfig({
      MAX_QUERY_COST: '2000',
      REQUEST_BUDGET: '50',
      MAX_QUERY_DEPTH: '8',
      MAX_ALIASES: '0',
      MAX_TASK_FIELDS: '4',
      RATE_LIMIT: '100/15min',
      API_KEYS: 'a-long-enough-key-1,a-long-enough-key-2',
    });
    assert.deepEqual(
      [
        config.maxQueryCost,
        config.requestBudget,
        config.maxQueryDepth,
        config.maxAliases,
        config.maxTaskFields,
        config.rateLimit,
        config.apiKeys,
      ],
      [2000, 50, 8, 0, 4, { points: 100, durationSeconds: 900 }, ['a-long-enough-key-1', 'a-long-enough-key-2']],
    );
  });

  test('TRUST_PROXY: off by default; a hop count, or addresses, ranges and named ranges', () => {
    assert.equal(loadConfig({}).trustProxy, undefined);
    assert.equal(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, undefined);
    assert.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
    assert.deepEqual(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::1' }).trustProxy, ['loopback', '10.0.0.0/8', 'fd00::1']);
  });

  test('a bad value stops startup with a message naming the variable', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ MAX_QUERY_COST: '0' }, /^MAX_QUERY_COST must be a whole number from 1 to 1000000000 \(default 500\); got "0"$/],
      [{ REQUEST_BUDGET: '1e3' }, /^REQUEST_BUDGET must be a whole number from 1 to 1000000000 \(default 500\); got "1e3"$/],
      [{ MAX_QUERY_DEPTH: '1' }, /^MAX_QUERY_DEPTH must be a whole number from 2 to 1000 \(default 16\); got "1"$/],
      [{ MAX_ALIASES: '-1' }, /^MAX_ALIASES must be a whole number from 0 to 100000 \(default 30\); got "-1"$/],
      [{ MAX_TASK_FIELDS: 'lots' }, /^MAX_TASK_FIELDS must be a whole number from 1 to 100000 \(default 32\); got "lots"$/],
      [{ RATE_LIMIT: '60 per minute' }, /^RATE_LIMIT must be <requests>\/\[<count>\]<unit>/],
      [{ API_KEYS: 'short' }, /^API_KEYS entry 1 of 1 is 5 characters/],
      [{ INTROSPECTION: 'maybe' }, /^INTROSPECTION must be true or false \(default true\); got "maybe"$/],
      [{ NODE_ENV: 'production', GRAPHIQL: 'sometimes' }, /^GRAPHIQL must be true or false \(default false\); got "sometimes"$/],
      [{ TRUST_PROXY: 'true' }, /^TRUST_PROXY=true would let any client choose the address it is counted by; give a hop count/],
      [{ TRUST_PROXY: '40' }, /^TRUST_PROXY allows at most 16 hops; got 40$/],
      [{ TRUST_PROXY: 'loopback, lb.internal' }, /^TRUST_PROXY must be a hop count .*; "lb\.internal" is none of these$/],
      [{ TRUST_PROXY: '10.0.0.0/33' }, /^TRUST_PROXY must be a hop count .*; "10\.0\.0\.0\/33" is none of these$/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
        JSON.stringify(env),
      );
    }
  });
});
