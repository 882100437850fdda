/**
 * Arguments a client gets wrong, each a BAD_INPUT on the field that took it, with a message naming
 * the rule and what arrived, and the rest of the response intact: generation options out of range
 * (checked before the cost estimate could call them too costly) and images with no or several sources.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestGateway, type GraphQLErrorBody, type TestGateway } from '../helpers/gateway.js';
import { patternPng } from '../helpers/images.js';
import { estimate } from '../server/limits/support.js';

let gateway: TestGateway;
let base64: string;

before(async () => {
  base64 = (await patternPng(32, 24, 8)).toString('base64');
  gateway = await startTestGateway();
});
after(async () => {
  await gateway?.stop();
});

/** Errors as `path: code message`, for exact comparison. */
function described(errors: GraphQLErrorBody[] | undefined): string[] {
  return (errors ?? []).map((error) => `${error.path?.join('.') ?? '-'}: ${error.extensions?.code ?? '-'} ${error.message}`);
}

describe('generation options', () => {
  const cases: [generation: string, message: string][] = [
    ['{ numBeams: 40 }', 'numBeams must be an integer from 1 to 16, got 40'],
    ['{ numBeams: 0 }', 'numBeams must be an integer from 1 to 16, got 0'],
    ['{ maxNewTokens: 1 }', 'maxNewTokens must be an integer from 2 to 1024, got 1'],
    ['{ maxNewTokens: 5000 }', 'maxNewTokens must be an integer from 2 to 1024, got 5000'],
    ['{ maxNewTokens: 100, minNewTokens: 200 }', 'minNewTokens must be ≤ maxNewTokens (100), got 200'],
    // Without maxNewTokens on the field, the bound is the server's MAX_NEW_TOKENS.
    ['{ minNewTokens: 2000 }', 'minNewTokens must be ≤ maxNewTokens (1024), got 2000'],
    ['{ minNewTokens: -1 }', 'minNewTokens must be an integer from 0 to maxNewTokens (1024), got -1'],
  ];
  for (const [generation, message] of cases) {
    test(`${generation}: ${message}`, async () => {
      const { status, body } = await gateway.graphql(
        `query($b: String!) { image(base64: $b) { width caption(generation: ${generation}) { text } } }`,
        { b: base64 },
      );
      assert.equal(status, 200);
      assert.deepEqual(described(body.errors), [`image.caption: BAD_INPUT ${message}`]);
      assert.deepEqual(body.data, { image: { width: 32, caption: null } });
    });
  }

  test('numBeams: 40 on a list of regions is BAD_INPUT on each, not a query "too costly" (the estimate prices the default)', async () => {
    const query = 'query($b: String!) { image(base64: $b) { objects { label segment(generation: { numBeams: 40 }) { area } } } }';
    assert.equal(
      await estimate(query, { b: base64 }),
      await estimate(query.replace('generation: { numBeams: 40 }', 'generation: {}'), { b: base64 }),
    );
    const { status, body } = await gateway.graphql<{ image: { objects: { segment: unknown }[] } }>(query, { b: base64 });
    assert.equal(status, 200);
    const objects = body.data!.image.objects;
    assert.ok(objects.length > 0, 'the tiny model (seed 1, structured bias) finds objects');
    assert.deepEqual(
      objects.map((object) => object.segment),
      objects.map(() => null),
    );
    assert.deepEqual(
      described(body.errors),
      objects.map((_, i) => `image.objects.${i}.segment: BAD_INPUT numBeams must be an integer from 1 to 16, got 40`),
    );
  });

  test('the same field in range runs', async () => {
    const { body } = await gateway.graphql(
      `query($b: String!) { image(base64: $b) { caption(generation: { numBeams: 2, maxNewTokens: 12, minNewTokens: 12 }) { text } } }`,
      { b: base64 },
    );
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  });
});

describe('image sources', () => {
  const ID = `sha256:${'0'.repeat(64)}`;
  const cases: [args: string, got: string][] = [
    ['', 'none'],
    [`id: "${ID}", base64: $b`, 'id and base64'],
    ['base64: $b, url: "https://example.com/a.png"', 'base64 and url'],
    [`url: "https://example.com/a.png", base64: $b, id: "${ID}"`, 'url, base64 and id'],
  ];
  for (const [args, got] of cases) {
    test(`image(${args}): got ${got}`, async () => {
      const call = args === '' ? 'image' : `image(${args})`;
      const { status, body } = await gateway.graphql(`query($b: String) { bad: ${call} { width } good: image(base64: $b) { width } }`, {
        b: base64,
      });
      assert.equal(status, 200);
      assert.deepEqual(described(body.errors), [`bad: BAD_INPUT give exactly one image source (url, base64 or id); got ${got}`]);
      assert.deepEqual(body.data, { bad: null, good: { width: 32 } });
    });
  }

  test('a source given as null does not count', async () => {
    const { body } = await gateway.graphql(`query($b: String, $u: String) { image(base64: $b, url: $u) { width } }`, {
      b: base64,
      u: null,
    });
    assert.deepEqual(body.data, { image: { width: 32 } });
  });
});
