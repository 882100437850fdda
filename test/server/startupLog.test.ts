/** The start-up log: where the server listens and, in plain words, where GraphiQL is (when it is served). */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/server/config.js';
import { startGateway } from '../../src/server/gateway.js';
import { tinyModelDir } from '../helpers/models.js';

/** Starts a gateway with `env`, returns the messages it logged while starting and its URL. */
async function startupMessages(env: Record<string, string>): Promise<{ url: string; logged: { msg: string; url?: string }[] }> {
  const logged: { msg: string; url?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line) as { msg: string; url?: string });
      done();
    },
  });
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', ...env }, { model: await tinyModelDir() });
  const gateway = await startGateway(config, { logger: pino({ level: 'info' }, sink) });
  await gateway.loaded;
  await gateway.stop();
  return { url: gateway.url, logged };
}

test('the log says where GraphiQL is, right after where the server listens', async () => {
  const { url, logged } = await startupMessages({});
  const messages = logged.map((entry) => entry.msg);
  const listening = messages.indexOf('listening');
  assert.ok(listening >= 0, messages.join('\n'));
  assert.equal(messages[listening + 1], `GraphiQL at ${url}/`);
  assert.equal(logged[listening + 1]?.url, `${url}/`);
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
});

test('without GraphiQL (GRAPHIQL=false, or production) the line is not there', async () => {
  const cases: Record<string, string>[] = [{ GRAPHIQL: 'false' }, { NODE_ENV: 'production' }];
  for (const env of cases) {
    const { logged } = await startupMessages(env);
    assert.ok(logged.some((entry) => entry.msg === 'listening'));
    assert.ok(!logged.some((entry) => entry.msg.startsWith('GraphiQL')), JSON.stringify(env));
  }
});
