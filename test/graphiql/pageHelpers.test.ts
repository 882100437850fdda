/**
 * The page's plain helpers: which picture an answer is shown on, rewriting the variables after an
 * upload (comments kept), the headers the explorer forwards, the endpoints, and the fetch that
 * turns a proxy's HTML page into a GraphQL error.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { graphqlEndpoints } from '../../src/graphiql/endpoints.js';
import { parseEditorJson, requestHeadersOf, withImageId } from '../../src/graphiql/explorer/editorText.js';
import { imageSourceOf, inlineUrl } from '../../src/graphiql/explorer/imageSource.js';
import { readableGraphQLFetch } from '../../src/graphiql/readableFetch.js';

const ID = `sha256:${'12'.repeat(32)}`;
const ANSWERED = `sha256:${'34'.repeat(32)}`;
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('imageSourceOf', () => {
  const answer = { data: { image: { id: ANSWERED } } };
  const cases: [name: string, variables: unknown, response: unknown, expected: unknown][] = [
    ['base64 first, shown inline', { base64: PNG_BASE64, id: ID }, answer, { kind: 'inline', url: `data:image/png;base64,${PNG_BASE64}` }],
    ['then the id variable, from the gateway', { id: ID }, answer, { kind: 'stored', id: ID }],
    ['a URL image by the id the answer names', { url: 'https://example.com/a.jpg' }, answer, { kind: 'stored', id: ANSWERED }],
    ['a literal in the query: the answer’s id too', {}, answer, { kind: 'stored', id: ANSWERED }],
    ['empty strings are no source', { base64: ' ', id: '' }, answer, { kind: 'stored', id: ANSWERED }],
    [
      'a URL image without id in the answer',
      { url: 'https://example.com/a.jpg' },
      { data: { image: { width: 3 } } },
      { kind: 'none', reason: 'The image came from a URL: add id to the image’s fields and run again to see it here.' },
    ],
    [
      'nothing at all',
      null,
      null,
      {
        kind: 'none',
        reason: 'No image to show: set the id or base64 variable (drop, paste or pick a file above), or query the image’s id.',
      },
    ],
  ];
  for (const [name, variables, response, expected] of cases) {
    test(name, () => assert.deepEqual(imageSourceOf(variables, response), expected));
  }

  test('inlineUrl: data: URLs of images pass; plain base64 gets its format’s media type; whitespace goes', () => {
    assert.equal(inlineUrl(`data:image/webp;base64,UklGRabc`), 'data:image/webp;base64,UklGRabc');
    assert.equal(inlineUrl('/9j/4AAQ\nSkZJRg=='), 'data:image/jpeg;base64,/9j/4AAQSkZJRg==');
    assert.equal(inlineUrl('R0lGODlhAQABAAAAACw='), 'data:image/gif;base64,R0lGODlhAQABAAAAACw=');
    assert.equal(inlineUrl(`data:application/octet-stream;base64,${PNG_BASE64}`), `data:image/png;base64,${PNG_BASE64}`);
    assert.equal(inlineUrl('AAAA'), 'data:application/octet-stream;base64,AAAA');
  });
});

describe('withImageId', () => {
  const cases: [name: string, before: string, after: string][] = [
    [
      'replaces base64, keeps other variables',
      '{\n  "base64": "iVBOR",\n  "query": "red car"\n}',
      `{\n  "id": "${ID}",\n  "query": "red car"\n}`,
    ],
    [
      'replaces an id in place',
      `{\n  "id": "sha256:old",\n  "box": {\n    "x1": 1\n  }\n}`,
      `{\n  "id": "${ID}",\n  "box": {\n    "x1": 1\n  }\n}`,
    ],
    ['removes url', '{ "url": "https://example.com/a.jpg" }', `{\n  "id": "${ID}"\n}`],
    [
      'keeps the comments of what stays',
      '{\n  // the picture\n  "id": "old",\n  "query": "cat" // what to find\n}',
      `{\n  // the picture\n  "id": "${ID}",\n  "query": "cat" // what to find\n}`,
    ],
    // jsonc-parser removes a property with the comments between it and the next one.
    [
      'a removed source takes the comments up to the next variable',
      '{\n  "base64": "x",\n  // what to find\n  "query": "cat" // a cat\n}',
      `{\n  "id": "${ID}",\n  "query": "cat" // a cat\n}`,
    ],
    ['an empty editor', '', `{\n  "id": "${ID}"\n}`],
  ];
  for (const [name, before, after] of cases) {
    test(name, () => {
      const update = withImageId(before, ID);
      assert.deepEqual(update, { ok: true, text: after });
      assert.equal((parseEditorJson(after) ?? {})['id'], ID);
    });
  }

  test('variables that are not a JSON object are left alone, with a reason', () => {
    for (const text of ['{ "base64": ', '[1, 2]', '"id"']) {
      assert.deepEqual(withImageId(text, ID), {
        ok: false,
        reason: `the variables are not a JSON object, so they were left as they are; set "id": "${ID}" yourself`,
      });
    }
  });
});

describe('requestHeadersOf', () => {
  test('string headers of the headers editor (comments, trailing commas allowed); anything else is none', () => {
    assert.deepEqual(requestHeadersOf('{\n  // my key\n  "x-api-key": "k1-abc",\n  "x-n": 3,\n}'), { 'x-api-key': 'k1-abc' });
    assert.deepEqual(requestHeadersOf('{ "Authorization": "Bearer k" }'), { Authorization: 'Bearer k' });
    assert.deepEqual(requestHeadersOf(''), {});
    assert.deepEqual(requestHeadersOf(null), {});
    assert.deepEqual(requestHeadersOf('{ broken'), {});
  });
});

describe('graphqlEndpoints', () => {
  const cases: [base: string, http: string, ws: string][] = [
    ['http://127.0.0.1:4000/', 'http://127.0.0.1:4000/graphql', 'ws://127.0.0.1:4000/graphql'],
    ['https://example.com/florence/', 'https://example.com/florence/graphql', 'wss://example.com/florence/graphql'],
    ['https://example.com/florence/index.html?x=1', 'https://example.com/florence/graphql', 'wss://example.com/florence/graphql'],
  ];
  for (const [base, http, ws] of cases) {
    test(base, () => assert.deepEqual(graphqlEndpoints(base), { http, ws }));
  }
});

describe('readableGraphQLFetch', () => {
  const answering =
    (body: string, status: number): typeof fetch =>
    () =>
      Promise.resolve(new Response(body, { status, statusText: 'Bad Gateway' }));

  test('JSON passes through unchanged, status and all', async () => {
    const response = await readableGraphQLFetch(answering('{"data":{"a":1}}', 200))('http://x/graphql');
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { data: { a: 1 } });
  });

  test('an HTML error page becomes a GraphQL error quoting it', async () => {
    const page = `<html><title>502</title>${'x'.repeat(600)}</html>`;
    const response = await readableGraphQLFetch(answering(page, 502))('http://x/graphql');
    assert.equal(response.status, 502);
    assert.deepEqual(await response.json(), { errors: [{ message: `HTTP 502: ${page.slice(0, 500)}` }] });
  });

  test('an empty body says so', async () => {
    const response = await readableGraphQLFetch(answering('', 502))('http://x/graphql');
    assert.deepEqual(await response.json(), { errors: [{ message: 'HTTP 502: Bad Gateway' }] });
  });
});
