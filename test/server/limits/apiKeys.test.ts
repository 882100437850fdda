/**
 * API keys: the API_KEYS syntax (errors name the entry, never the key); missing, wrong and right keys
 * on /graphql and POST /images through the real gateway; health and readiness open; keys never in
 * the logs, even at debug level.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { parseApiKeys } from '../../../src/server/pipeline/apiKeys.js';
import { loadConfig } from '../../../src/server/config.js';
import { startGateway, type Gateway } from '../../../src/server/gateway.js';
import { patternPng } from '../../helpers/images.js';
import { tinyModelDir } from '../../helpers/models.js';

const KEYS = ['k1-5f2b9c0e8a7d4e61b3', 'k2-0d9e8f7a6b5c4d3e2f'];
const WRONG = 'k3-nobody-has-this-key';

describe('API_KEYS syntax', () => {
  test('comma-separated, blanks trimmed; unset or empty means open', () => {
    assert.deepEqual(parseApiKeys(` ${KEYS[0]} ,${KEYS[1]}`), KEYS);
    assert.deepEqual(parseApiKeys(undefined), []);
    assert.deepEqual(parseApiKeys('  '), []);
  });

  test('unusable entries are refused by position, without echoing the key', () => {
    const cases: [string, string][] = [
      [`${KEYS[0]},short`, 'API_KEYS entry 2 of 2 is 5 characters; keys must be 16 to 256 (e.g. `openssl rand -hex 32`)'],
      [`${KEYS[0]},,${KEYS[1]}`, 'API_KEYS entry 2 of 3 is empty; separate keys with single commas'],
      ['has a space in it, really', 'API_KEYS entry 1 of 2 has a character other than visible ASCII (no spaces or commas inside a key)'],
      ['ключ-ключ-ключ-ключ', 'API_KEYS entry 1 of 1 has a character other than visible ASCII (no spaces or commas inside a key)'],
    ];
    for (const [text, message] of cases) assert.throws(() => parseApiKeys(text), { message });
  });
});

describe('a gateway with API keys', () => {
  let gateway: Gateway;
  const logLines: string[] = [];
  before(async () => {
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(chunk.toString());
        callback();
      },
    });
    const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', API_KEYS: KEYS.join(',') }, { model: await tinyModelDir() });
    gateway = await startGateway(config, { logger: pino({ level: 'debug' }, logStream) });
    await gateway.loaded;
  });
  after(() => gateway.stop());

  const query = (headers: Record<string, string>) =>
    fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: '{"query":"{ model { id } }"}',
    });

  test('no key: 401 UNAUTHENTICATED with WWW-Authenticate, saying how to send one', async () => {
    const response = await query({});
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="florence-gateway"');
    assert.deepEqual(await response.json(), {
      errors: [
        {
          message: 'this server needs an API key: send "Authorization: Bearer <key>" or "x-api-key: <key>"',
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    });
    assert.equal((await query({ authorization: 'Basic dXNlcjpwYXNz' })).status, 401, 'another scheme is no key');
  });

  test('a wrong key: 401, and the key is not echoed', async () => {
    for (const headers of <Record<string, string>[]>[
      { authorization: `Bearer ${WRONG}` },
      { 'x-api-key': WRONG },
      { 'x-api-key': KEYS[0]!.slice(0, -1) },
      { 'x-api-key': `${KEYS[0]}x` },
    ]) {
      const response = await query(headers);
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="florence-gateway", error="invalid_token"');
      const text = await response.text();
      assert.doesNotMatch(text, /k[123]-/);
      assert.equal((JSON.parse(text) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code, 'UNAUTHENTICATED');
    }
  });

  test('either key, by either header, is let through', async () => {
    for (const headers of <Record<string, string>[]>[
      { authorization: `Bearer ${KEYS[0]}` },
      { authorization: `bearer ${KEYS[1]}` },
      { 'x-api-key': KEYS[1]! },
    ]) {
      const response = await query(headers);
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { data: { model: { id: string } } }).data.model.id.length > 0, true);
    }
  });

  test('POST /images needs a key too; /healthz and /readyz do not', async () => {
    const png = await patternPng(32, 32, 4);
    assert.equal((await fetch(`${gateway.url}/images`, { method: 'POST', body: png })).status, 401);
    assert.equal((await fetch(`${gateway.url}/images`, { method: 'POST', body: png, headers: { 'x-api-key': KEYS[0]! } })).status, 201);
    assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${gateway.url}/readyz`)).status, 200);
  });

  test('no key appears in the logs', () => {
    const logs = logLines.join('');
    assert.ok(logs.includes('graphql request'), 'debug logging was on');
    for (const key of [...KEYS, WRONG]) assert.ok(!logs.includes(key), 'a key was logged');
  });
});
