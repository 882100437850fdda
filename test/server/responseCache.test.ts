/** The whole-response cache: byte-identical and semantic repeats skip execution; what may change is never stored. */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { patternPng } from '../helpers/images.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startServer, type LocalServer } from '../images/support/localServer.js';

let gateway: TestGateway;
let uncached: TestGateway;
let imageHost: LocalServer;
let image: string;

before(async () => {
  const png = await patternPng(80, 60, 4);
  image = png.toString('base64');
  imageHost = await startServer((_request, response) => response.writeHead(200, { 'content-type': 'image/png' }).end(png));
  gateway = await startTestGateway({ ALLOW_HOSTS: '127.0.0.1' });
  uncached = await startTestGateway({ RESPONSE_CACHE_MB: '0' });
});
after(async () => {
  await Promise.all([gateway.stop(), uncached.stop(), imageHost.close()]);
});

async function post(
  target: TestGateway,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; cache: string | null; text: string }> {
  const response = await fetch(`${target.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, cache: response.headers.get('x-response-cache'), text: await response.text() };
}

const QUERY =
  'query Look($b: String!, $g: GenerationInput) { image(base64: $b) { id caption(generation: $g) { text } objects { label } } }';

describe('repeats', () => {
  test('a byte-identical repeat is answered from the cache, unchanged, with no resolver or model work', async () => {
    const body = JSON.stringify({ query: QUERY, variables: { b: image, g: { maxNewTokens: 20 } } });
    const first = await post(gateway, body);
    assert.equal(first.status, 200);
    assert.equal(first.cache, null);
    const before = gateway.services.runner.stats();
    const second = await post(gateway, body);
    assert.equal(second.cache, 'hit');
    assert.equal(second.text, first.text);
    assert.deepEqual(gateway.services.runner.stats(), before);
  });

  test('the same query and variables written differently hit the semantic layer', async () => {
    const variables = { g: { maxNewTokens: 20 }, b: image };
    const reordered = await post(gateway, JSON.stringify({ variables, query: QUERY }, null, 2));
    assert.equal(reordered.cache, 'hit');
    assert.deepEqual(
      JSON.parse(reordered.text),
      JSON.parse((await post(gateway, JSON.stringify({ query: QUERY, variables: { b: image, g: { maxNewTokens: 20 } } }))).text),
    );
  });

  test('other variables are other answers', async () => {
    const other = await post(gateway, JSON.stringify({ query: QUERY, variables: { b: image, g: { maxNewTokens: 9 } } }));
    assert.equal(other.cache, null);
  });

  test('a gzip-encoded body takes the normal path and is answered all the same', async () => {
    const body = gzipSync(JSON.stringify({ query: QUERY, variables: { b: image, g: { maxNewTokens: 20 } } }));
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
    });
    assert.equal(response.status, 200);
    assert.ok(((await response.json()) as { data: { image: { id: string } } }).data.image.id);
  });
});

describe('what is never stored', () => {
  test('a query with a URL image (its content may change behind the URL)', async () => {
    const body = JSON.stringify({
      query: 'query($u: String!) { image(url: $u) { id width } }',
      variables: { u: `${imageHost.origin}/a.png` },
    });
    assert.equal((await post(gateway, body)).cache, null);
    assert.equal((await post(gateway, body)).cache, null);
    assert.equal(imageHost.requests.length, 2, 'fetched again each time');
  });

  test('a response with an error', async () => {
    const body = JSON.stringify({
      query: 'query($b: String!) { image(base64: $b) { id segment(query: " ") { area } } }',
      variables: { b: image },
    });
    const first = await post(gateway, body);
    assert.match(first.text, /BAD_INPUT/);
    assert.equal((await post(gateway, body)).cache, null);
  });

  test('RESPONSE_CACHE_MB=0 turns both layers off', async () => {
    const body = JSON.stringify({ query: QUERY, variables: { b: image } });
    await post(uncached, body);
    assert.equal((await post(uncached, body)).cache, null);
  });
});

describe('the fast path keeps the HTTP contract', () => {
  test('malformed JSON is 400 JSON; an oversized body is 413', async () => {
    const bad = await post(gateway, '{"query": ');
    assert.equal(bad.status, 400);
    assert.match(bad.text, /not valid JSON/);
    const big = await post(gateway, JSON.stringify({ query: '{ model { id } }', variables: { x: 'y'.repeat(4_600_000) } }));
    assert.equal(big.status, 413);
  });
});
