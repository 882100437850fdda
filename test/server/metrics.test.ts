/** GET /metrics (Prometheus) and the structured logs: request ids on every line, slow queries with their cost. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/server/config.js';
import { startGateway, type Gateway } from '../../src/server/gateway.js';
import { patternPng } from '../helpers/images.js';
import { tinyModelDir } from '../helpers/models.js';

const lines: Record<string, unknown>[] = [];
let gateway: Gateway;

before(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', SLOW_QUERY_MS: '1' }, { model: await tinyModelDir() });
  gateway = await startGateway(config, { logger: pino({ level: 'info' }, sink) });
  await gateway.loaded;
});
after(() => gateway.stop());

async function query(body: object, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** The value of one sample line of the exposition, e.g. `name{a="b"}`. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('requests, task runs, stages, batches and cache layers are counted', async () => {
  const image = (await patternPng(96, 64)).toString('base64');
  const body = {
    query: 'query Describe($b: String!) { image(base64: $b) { caption { text } objects { label } } }',
    operationName: 'Describe',
    variables: { b: image },
  };
  assert.equal((await query(body)).status, 200);
  assert.equal((await query(body)).status, 200); // the whole response again: from the response cache
  assert.equal((await query({ query: '{ model { nope } }' })).status, 400);

  const response = await fetch(`${gateway.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
  const text = await response.text();
  assert.equal(sample(text, 'florence_graphql_requests_total{operation="Describe",outcome="ok"}'), 2);
  assert.equal(sample(text, 'florence_graphql_requests_total{operation="anonymous",outcome="refused"}'), 1);
  assert.equal(sample(text, 'florence_task_runs_total{task="CAPTION",outcome="ok"}'), 1);
  assert.equal(sample(text, 'florence_task_runs_total{task="OD",outcome="ok"}'), 1);
  for (const stage of ['preprocess', 'vision', 'encoder', 'decode', 'parse']) {
    assert.ok((sample(text, `florence_stage_duration_seconds_count{stage="${stage}"}`) ?? 0) >= 1, stage);
  }
  assert.equal(sample(text, 'florence_batch_jobs_count'), 1);
  assert.equal(sample(text, 'florence_batch_jobs_sum'), 2, 'caption and objects ran as one batch');
  assert.equal(sample(text, 'florence_cache_requests_total{layer="response",store="memory",outcome="hit"}'), 1);
  assert.equal(sample(text, 'florence_cache_requests_total{layer="result",store="memory",outcome="miss"}'), 2);
  assert.equal(sample(text, 'florence_cache_requests_total{layer="features",store="memory",outcome="miss"}'), 1);
  assert.equal(sample(text, 'florence_engine_queue_depth'), 0);
  assert.ok((sample(text, 'florence_model_load_seconds') ?? 0) > 0);
  assert.match(text, /^florence_model_info\{model="[^"]+",dtype="fp32",device="cpu",fingerprint="[0-9a-f]+"\} 1$/m);
  assert.match(text, /^process_cpu_user_seconds_total /m);
  assert.match(text, /^nodejs_heap_size_used_bytes /m);
});

test('log lines of a request carry its id; a slow query is logged with its cost', async () => {
  const image = (await patternPng(50, 50, 3)).toString('base64');
  await query(
    { query: 'query Slow($b: String!) { image(base64: $b) { caption { text } } }', variables: { b: image } },
    { 'x-request-id': 'req-42' },
  );
  const slow = lines.find((line) => line['msg'] === 'slow query' && line['requestId'] === 'req-42');
  assert.ok(slow, 'a slow-query line with the request id');
  assert.equal(slow['operation'], 'Slow');
  assert.ok(typeof slow['costSpent'] === 'number' && slow['costSpent'] > 0, 'the model work it cost');
  assert.equal(typeof slow['ms'], 'number');
});
