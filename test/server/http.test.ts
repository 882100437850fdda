/** HTTP behaviour around /graphql: health, readiness, CSRF prevention, body limits, JSON errors. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/server/config.js';
import { startGateway } from '../../src/server/gateway.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gateway: TestGateway;

before(async () => {
  gateway = await startTestGateway();
});
after(() => gateway.stop());

describe('health and readiness', () => {
  test('/healthz and /readyz answer once the model is loaded', async () => {
    assert.deepEqual(await (await fetch(`${gateway.url}/healthz`)).json(), { status: 'ok' });
    const ready = await fetch(`${gateway.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { ready: boolean }).ready, true);
  });

  test('a broken model folder: the process stays up, /readyz says why, /graphql answers 503', async () => {
    const config = loadConfig({ HOST: '127.0.0.1', PORT: '0' }, { model: '/nonexistent/model' });
    const broken = await startGateway(config, { logger: pino({ level: 'silent' }) });
    try {
      await assert.rejects(broken.loaded);
      assert.equal((await fetch(`${broken.url}/healthz`)).status, 200);
      const ready = await fetch(`${broken.url}/readyz`);
      assert.equal(ready.status, 503);
      const body = (await ready.json()) as { ready: boolean; status: string; reason: string };
      assert.equal(body.status, 'failed');
      assert.match(body.reason, /model folder \/nonexistent\/model does not exist/);
      const query = await fetch(`${broken.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ model { id } }"}',
      });
      assert.equal(query.status, 503);
      const errors = ((await query.json()) as { errors: { extensions: { code: string } }[] }).errors;
      assert.equal(errors[0]!.extensions.code, 'UNAVAILABLE');
    } finally {
      await broken.stop();
    }
  });
});

test('a corrupt model file: /readyz names the file, the process stays up', async () => {
  const { cpSync, mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { tinyModelDir } = await import('../helpers/models.js');
  const dir = mkdtempSync(join(tmpdir(), 'florence-corrupt-'));
  cpSync(await tinyModelDir(), dir, { recursive: true });
  writeFileSync(join(dir, 'onnx', 'encoder_model.onnx'), 'garbage');
  const broken = await startGateway(loadConfig({ HOST: '127.0.0.1', PORT: '0' }, { model: dir }), { logger: pino({ level: 'silent' }) });
  try {
    await assert.rejects(broken.loaded);
    const ready = await fetch(`${broken.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.match(((await ready.json()) as { reason: string }).reason, /encoder_model\.onnx could not be loaded by onnxruntime/);
    assert.equal((await fetch(`${broken.url}/healthz`)).status, 200);
  } finally {
    await broken.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('CSRF prevention and request shapes', () => {
  test('GET without a preflight header is refused; with apollo-require-preflight it runs', async () => {
    const url = `${gateway.url}/graphql?query=${encodeURIComponent('{ model { id } }')}`;
    const refused = await fetch(url);
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /CSRF/);
    const allowed = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    assert.equal(allowed.status, 200);
  });

  test('a text/plain POST (a "simple" cross-site request) is refused', async () => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"query":"{ model { id } }"}',
    });
    assert.equal(response.status, 400);
  });

  test('a body over the limit is 413 with a GraphQL-shaped error that points to POST /images', async () => {
    const query = JSON.stringify({ query: '{ model { id } }', variables: { padding: 'x'.repeat(4_600_000) } });
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: query,
    });
    assert.equal(response.status, 413);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    assert.equal(body.errors[0]!.extensions.code, 'PAYLOAD_TOO_LARGE');
    assert.match(body.errors[0]!.message, /POST \/images/);
  });

  test('malformed JSON is 400 JSON, not an HTML page', async () => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    assert.equal(response.status, 400);
    assert.match(response.headers.get('content-type') ?? '', /json/);
  });

  test('syntax errors and unknown fields are 400 with GRAPHQL_ codes; a request id is echoed', async () => {
    const syntax = await gateway.graphql('{ model { id ');
    assert.equal(syntax.status, 400);
    assert.equal(syntax.body.errors![0]!.extensions!.code, 'GRAPHQL_PARSE_FAILED');
    const unknown = await gateway.graphql('{ model { nope } }');
    assert.equal(unknown.body.errors![0]!.extensions!.code, 'GRAPHQL_VALIDATION_FAILED');
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-123' },
      body: '{"query":"{ model { id } }"}',
    });
    assert.equal(response.headers.get('x-request-id'), 'trace-123');
  });

  test('the server keeps serving after every kind of bad request', async () => {
    const { body } = await gateway.graphql<{ model: { id: string } }>('{ model { id } }');
    assert.ok(body.data!.model.id);
  });
});
