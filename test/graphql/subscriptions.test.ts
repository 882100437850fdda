/**
 * `Subscription.generation` over a real WebSocket (graphql-ws): streamed text, a cached answer as
 * one event, errors on the subscription with the socket kept, cancellation by unsubscribing or
 * closing, and the same keys, limits and rules as queries.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import type { Engine } from '../../src/engine/engine.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { patternPng } from '../helpers/images.js';

interface GenerationEventBody {
  imageId: string;
  text: string;
  tokens: number;
  done: boolean;
  result: unknown;
  score: number | null;
}
type Next = FormattedExecutionResult<{ generation: GenerationEventBody }, unknown>;

const STREAM = `subscription Stream($b: String, $id: ID, $task: Task!, $input: String, $max: Int) {
  generation(base64: $b, id: $id, task: $task, input: $input, generation: { maxNewTokens: $max, minNewTokens: $max }) {
    imageId text tokens done result score
  }
}`;

function wsUrl(gateway: TestGateway): string {
  return `${gateway.url.replace(/^http/, 'ws')}/graphql`;
}

/** A client that connects at once and never retries (tests want to see refusals). */
function connect(gateway: TestGateway, connectionParams: Record<string, unknown> = {}, headers: Record<string, string> = {}): Client {
  class HeaderSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  return createClient({ url: wsUrl(gateway), webSocketImpl: HeaderSocket, connectionParams, retryAttempts: 0, lazy: true });
}

/** Every payload of one subscription until it completes. */
async function collect(client: Client, query: string, variables: Record<string, unknown>): Promise<Next[]> {
  const results: Next[] = [];
  for await (const result of client.iterate<{ generation: GenerationEventBody }>({ query, variables })) results.push(result);
  return results;
}

/** The close event of a client's socket (refusals close it). */
function closed(client: Client): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => client.on('closed', (event) => resolve(event as { code: number; reason: string })));
}

function waitFor(condition: () => boolean, what: string | (() => string), timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (condition()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`));
      setTimeout(check, 10);
    };
    check();
  });
}

describe('streaming a generation', () => {
  let gateway: TestGateway;
  let image: string;
  before(async () => {
    // The unbiased model never says </s>: every generation runs to its token limit.
    gateway = await startTestGateway({}, { bias: undefined });
    image = (await patternPng(160, 120, 5)).toString('base64');
  });
  after(() => gateway.stop());

  test('text grows event by event; the last event has the parsed result and score, equal to the query answer', async () => {
    const client = connect(gateway);
    try {
      const events = await collect(client, STREAM, { b: image, task: 'MORE_DETAILED_CAPTION', max: 40 });
      assert.ok(
        events.every((event) => !event.errors),
        JSON.stringify(events.find((event) => event.errors)),
      );
      const generation = events.map((event) => event.data!.generation);
      const last = generation.at(-1)!;
      assert.equal(last.done, true);
      assert.equal(last.tokens, 40);
      assert.equal(typeof last.score, 'number');
      assert.ok(generation.slice(0, -1).every((event) => !event.done && event.result === null && event.score === null));
      assert.ok(generation.length >= 2, 'at least one progress event before the result');
      const counts = generation.map((event) => event.tokens);
      assert.deepEqual(
        counts,
        [...counts].sort((a, b) => a - b),
        'token counts only grow',
      );
      for (const event of generation) assert.ok(last.text.startsWith(event.text), 'each text is a prefix of the final one');
      // The same work as a query: answered from the cache the stream filled, identical.
      const query = await gateway.graphql<{ image: { task: { text: string; result: unknown; score: number } } }>(
        'query($b: String!) { image(base64: $b) { task(name: MORE_DETAILED_CAPTION, generation: { maxNewTokens: 40, minNewTokens: 40 }) ' +
          '{ text result score } } }',
        { b: image },
      );
      const before = gateway.services.runner.stats().jobs;
      assert.equal(query.body.data!.image.task.text.replace(/<\/?s>/g, ''), last.text);
      assert.deepEqual(query.body.data!.image.task.result, last.result);
      assert.equal(query.body.data!.image.task.score, last.score);
      assert.equal(gateway.services.runner.stats().jobs, before, 'no model work for the query');
    } finally {
      await client.dispose();
    }
  });

  test('a result the gateway has already arrives as one final event, with no model work', async () => {
    const client = connect(gateway);
    try {
      await collect(client, STREAM, { b: image, task: 'CAPTION', max: 6 });
      const jobs = gateway.services.runner.stats().jobs;
      const again = await collect(client, STREAM, { b: image, task: 'CAPTION', max: 6 });
      assert.equal(again.length, 1);
      assert.equal(again[0]!.data!.generation.done, true);
      assert.equal(gateway.services.runner.stats().jobs, jobs);
    } finally {
      await client.dispose();
    }
  });

  test('bad input is a GraphQL error on that subscription; the socket stays open for the next', async () => {
    const client = connect(gateway);
    try {
      const twoSources = await collect(client, STREAM, { b: image, id: `sha256:${'0'.repeat(64)}`, task: 'CAPTION', max: 4 }).catch(
        (errors: unknown) => errors,
      );
      assert.match(JSON.stringify(twoSources), /takes exactly one of url, base64 or id/);
      const missingInput = await collect(client, STREAM, { b: image, task: 'REGION_TO_CATEGORY', max: 4 }).catch(
        (errors: unknown) => errors,
      );
      assert.match(JSON.stringify(missingInput), /BAD_INPUT/);
      const unknownImage = await collect(client, STREAM, { id: `sha256:${'1'.repeat(64)}`, task: 'CAPTION', max: 4 }).catch(
        (errors: unknown) => errors,
      );
      assert.match(JSON.stringify(unknownImage), /IMAGE_NOT_FOUND/);
      const notAnImage = await collect(client, STREAM, { b: Buffer.from('hello').toString('base64'), task: 'CAPTION', max: 4 }).catch(
        (errors: unknown) => errors,
      );
      assert.match(JSON.stringify(notAnImage), /BAD_IMAGE/);
      const fine = await collect(client, STREAM, { b: image, task: 'OD', max: 5 });
      assert.equal(fine.at(-1)!.data!.generation.done, true, 'the same socket still serves');
    } finally {
      await client.dispose();
    }
  });

  test('queries are refused over the socket with a pointer to HTTP', async () => {
    const client = connect(gateway);
    try {
      const refused = await collect(client, '{ model { id } }', {}).catch((errors: unknown) => errors);
      assert.match(JSON.stringify(refused), /only subscriptions run over WebSocket; send querys with HTTP POST/);
    } finally {
      await client.dispose();
    }
  });

  test('unsubscribing cancels the work: it leaves the decode loop and nothing is cached', async () => {
    const engine = gateway.services.runner as Engine;
    await waitFor(() => engine.stats().decoding === 0 && engine.stats().queued === 0, 'earlier work to wind down');
    const client = connect(gateway);
    try {
      const cancelled = engine.stats().cancelled;
      const iterator = client.iterate<{ generation: GenerationEventBody }>({
        query: STREAM,
        variables: { b: image, task: 'DETAILED_CAPTION', max: 1000 },
      });
      const first = await iterator.next();
      assert.equal(first.value?.data?.generation.done, false);
      assert.equal(engine.stats().decoding, 1);
      await iterator.return?.();
      await waitFor(() => engine.stats().cancelled === cancelled + 1 && engine.stats().decoding === 0, 'the job to leave the loop');
      const jobs = engine.stats().jobs;
      const again = client.iterate<{ generation: GenerationEventBody }>({
        query: STREAM,
        variables: { b: image, task: 'DETAILED_CAPTION', max: 1000 },
      });
      assert.equal((await again.next()).value?.data?.generation.done, false, 'not cached: it runs again');
      assert.equal(engine.stats().jobs, jobs + 1);
      await again.return?.();
    } finally {
      await client.dispose();
    }
  });

  test('closing the socket cancels the work', async () => {
    const engine = gateway.services.runner as Engine;
    await waitFor(() => engine.stats().decoding === 0 && engine.stats().queued === 0, 'earlier work to wind down');
    const client = connect(gateway);
    const cancelled = engine.stats().cancelled;
    const iterator = client.iterate<{ generation: GenerationEventBody }>({
      query: STREAM,
      variables: { b: image, task: 'OCR', max: 1000 },
    });
    await iterator.next();
    await client.dispose();
    await waitFor(
      () => engine.stats().cancelled === cancelled + 1 && engine.stats().decoding === 0,
      () => `the job to leave the loop: ${JSON.stringify({ cancelled, now: engine.stats() })}`,
    );
  });

  test('/healthz and queries are answered while the model decodes (the model runs on worker threads)', async () => {
    const engine = gateway.services.runner as Engine;
    const client = connect(gateway);
    try {
      const iterator = client.iterate<{ generation: GenerationEventBody }>({
        query: STREAM,
        variables: { b: image, task: 'DETAILED_CAPTION', input: undefined, max: 1000 },
      });
      await iterator.next();
      for (let i = 0; i < 20; i++) {
        assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200);
        assert.equal(engine.stats().decoding, 1, 'still decoding when the health check was answered');
      }
      const model = await gateway.graphql<{ model: { id: string } }>('{ model { id } }');
      assert.ok(model.body.data?.model.id);
      await iterator.return?.();
    } finally {
      await client.dispose();
    }
  });
});

describe('subscription limits', () => {
  const KEY = 'k'.repeat(24);
  let gateway: TestGateway;
  let image: string;
  before(async () => {
    gateway = await startTestGateway({
      API_KEYS: KEY,
      RATE_LIMIT: '3/min',
      SUBSCRIPTION_CONNECTIONS_PER_CLIENT: '1',
      MAX_QUERY_COST: '40',
      MAX_ALIASES: '0',
    });
    image = (await patternPng(64, 64, 9)).toString('base64');
  });
  after(() => gateway.stop());
  // One connection per client here: each test starts once the previous test's socket is gone.
  beforeEach(() => waitFor(() => gateway.subscriptions.stats().connections === 0, 'earlier sockets to close'));

  test('without an API key the socket closes with 4401 and the reason', async () => {
    const client = connect(gateway);
    const closing = closed(client);
    await collect(client, STREAM, { b: image, task: 'CAPTION', max: 4 }).catch(() => undefined);
    const event = await closing;
    assert.equal(event.code, 4401);
    assert.match(event.reason, /Unauthorized: this server needs an API key/);
    await client.dispose();
  });

  test('an API key in connection parameters (or headers) is accepted; that client’s second connection is refused with 4429', async () => {
    const first = connect(gateway, { apiKey: KEY });
    const second = connect(gateway, {}, { authorization: `Bearer ${KEY}` });
    try {
      // The first client's socket stays open while its subscription runs.
      const running = first.iterate<{ generation: GenerationEventBody }>({
        query: STREAM,
        variables: { b: image, task: 'OCR', max: 1000 },
      });
      assert.equal((await running.next()).value?.data?.generation.done, false);
      const closing = closed(second);
      await collect(second, STREAM, { b: image, task: 'CAPTION', max: 4 }).catch(() => undefined);
      const event = await closing;
      assert.equal(event.code, 4429);
      assert.match(event.reason, /Too many connections: at most 1 per client/);
      await running.return?.();
    } finally {
      await first.dispose();
      await second.dispose();
    }
  });

  test('cost, shape and rate limits answer errors on the subscription', async () => {
    const client = connect(gateway, { apiKey: KEY });
    try {
      const costly = await collect(
        client,
        'subscription($b: String) { generation(base64: $b, task: MORE_DETAILED_CAPTION, generation: { numBeams: 16 }) { text } }',
        { b: image },
      ).catch((errors: unknown) => errors);
      assert.match(JSON.stringify(costly), /QUERY_TOO_COSTLY/);
      const aliased = await collect(client, 'subscription($b: String) { g: generation(base64: $b, task: CAPTION) { text } }', {
        b: image,
      }).catch((errors: unknown) => errors);
      assert.match(JSON.stringify(aliased), /TOO_MANY_ALIASES/);
      // 3 per minute: the previous test's subscription and the two refused above used them.
      const limited = await collect(client, STREAM, { b: image, task: 'CAPTION', max: 4 }).catch((errors: unknown) => errors);
      assert.match(JSON.stringify(limited), /RATE_LIMITED/);
    } finally {
      await client.dispose();
    }
  });

  test('a page of another origin cannot open a subscription socket', async () => {
    const socket = new WebSocket(wsUrl(gateway), 'graphql-transport-ws', { headers: { origin: 'https://elsewhere.example' } });
    const status = await new Promise<number>((resolve) => {
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => resolve(101));
      socket.on('error', () => undefined);
    });
    socket.terminate();
    assert.equal(status, 403);
  });
});
