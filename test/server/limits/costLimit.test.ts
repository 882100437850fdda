/**
 * The limits of a gateway with default settings, over HTTP: queries under the estimate run, one over
 * it is 400 QUERY_TOO_COSTLY with the estimate and the limit; shape limits are 400 with their own
 * codes; bad variables stay 400 client errors (never a 500 from the estimate); introspection works
 * outside production.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getIntrospectionQuery } from 'graphql';
import { patternPng } from '../../helpers/images.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';

let gateway: TestGateway;
let image: string;

before(async () => {
  gateway = await startTestGateway();
  image = (await patternPng(160, 120, 5)).toString('base64');
});
after(() => gateway.stop());

const CASCADE = `query Cascade($image: String!) {
  image(base64: $image) { caption { text phrases { phrase regions { box { x1 y1 x2 y2 } segment { area svgPath } } } } }
}`;

/** Over 500 without an alias, past no shape limit: every region task on every list of one image. */
const REGION_TASKS = 'category description text segment { area }';
const EVERYTHING_ON_EVERY_REGION = `query Everything($image: String!) {
  image(base64: $image) {
    objects { ${REGION_TASKS} }
    denseRegions { ${REGION_TASKS} }
    regionProposals { ${REGION_TASKS} }
    find(query: "car") { ${REGION_TASKS} }
    caption(detail: MORE_DETAILED) { phrases { regions { ${REGION_TASKS} } } }
  }
}`;

describe('estimated cost', () => {
  test('the README cascade runs under the default limit', async () => {
    const { status, body } = await gateway.graphql<{ image: { caption: { text: string } } }>(CASCADE, { image });
    assert.equal(status, 200);
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    assert.ok(body.data!.image.caption.text.length > 0, 'a caption (the default test model, tiny seed 1 structured, writes one)');
  });

  test('a query over the limit is 400 QUERY_TOO_COSTLY with the estimate and the limit, and runs nothing', async () => {
    const before = gateway.services.runner.stats();
    const { status, body } = await gateway.graphql(EVERYTHING_ON_EVERY_REGION, { image });
    assert.equal(status, 400);
    assert.equal(body.data, undefined);
    assert.deepEqual(
      body.errors!.map((error) => error.extensions?.code),
      ['QUERY_TOO_COSTLY'],
    );
    assert.match(
      body.errors![0]!.message,
      /^the query is estimated at 583 cost units of model work; the limit is 500 \(list fields are assumed to hold 10 regions/,
    );
    assert.deepEqual(gateway.services.runner.stats(), before);
  });

  test('a fragment bomb of plain fields is refused by the estimate (node cap), as a 400', async () => {
    const levels = 16;
    const fragments = Array.from(
      { length: levels },
      (_, i) => `fragment F${i} on Image { ${i + 1 < levels ? `...F${i + 1} ...F${i + 1}` : 'id'} }`,
    );
    const { status, body } = await gateway.graphql(`query($image: String!) { image(base64: $image) { ...F0 } } ${fragments.join(' ')}`, {
      image,
    });
    assert.equal(status, 400);
    assert.equal(body.errors![0]!.extensions?.code, 'QUERY_TOO_COSTLY');
    assert.match(body.errors![0]!.message, /could not be estimated: Query exceeds the maximum allowed number of nodes/);
  });

  test('bad variables are 400 BAD_USER_INPUT from validation, never a 500 from the estimate', async () => {
    for (const variables of [{ image: 5 }, {}, { image: ['a'] }]) {
      const { status, body } = await gateway.graphql(CASCADE, variables);
      assert.equal(status, 400, JSON.stringify(body));
      assert.equal(body.errors![0]!.extensions?.code, 'BAD_USER_INPUT');
      assert.match(body.errors![0]!.message, /^Variable "\$image"/);
    }
    const enumVariable = await gateway.graphql(
      'query($d: CaptionDetail!, $image: String!) { image(base64: $image) { caption(detail: $d) { text } } }',
      { d: 'HUGE', image },
    );
    assert.equal(enumVariable.status, 400);
    assert.equal(enumVariable.body.errors![0]!.extensions?.code, 'BAD_USER_INPUT');
  });
});

describe('shape limits over HTTP', () => {
  test('200 aliased cascades: 400, TOO_MANY_ALIASES and TOO_MANY_TASK_FIELDS', async () => {
    const aliased = Array.from(
      { length: 200 },
      (_, i) => `i${i}: image(base64: $image) { caption { phrases { regions { segment { area } } } } }`,
    );
    const { status, body } = await gateway.graphql(`query Flood($image: String!) { ${aliased.join(' ')} }`, { image });
    assert.equal(status, 400);
    assert.deepEqual(
      body.errors!.map((error) => [error.extensions?.code, error.message]),
      [
        ['TOO_MANY_ALIASES', 'query Flood uses 200 aliases; the limit is 30'],
        ['TOO_MANY_TASK_FIELDS', 'query Flood selects 600 fields that run model tasks; the limit is 32'],
      ],
    );
  });

  test('a query nested past the depth limit: 400 QUERY_TOO_DEEP; at the limit it runs', async () => {
    // Region.image leads back to the image: each round trip is two levels and costs nothing.
    const nested = (trips: number) =>
      `query($image: String!) { image(base64: $image) { ${'region(box: { x1: 1, y1: 1, x2: 9, y2: 9 }) { image { '.repeat(trips)} id ` +
      `${'} } '.repeat(trips)} } }`;
    const atLimit = await gateway.graphql(nested(7), { image }); // 1 + 7 × 2 + 1 = 16
    assert.equal(atLimit.status, 200, JSON.stringify(atLimit.body));
    const { status, body } = await gateway.graphql(nested(8), { image });
    assert.equal(status, 400);
    assert.deepEqual(
      body.errors!.map((error) => [error.extensions?.code, error.message]),
      [['QUERY_TOO_DEEP', 'the query nests fields 18 levels deep; the limit is 16']],
    );
  });

  test('introspection (what GraphiQL sends) works outside production', async () => {
    const { status, body } = await gateway.graphql<{ __schema: { queryType: { name: string } } }>(
      getIntrospectionQuery({ descriptions: true }),
    );
    assert.equal(status, 200);
    assert.equal(body.data!.__schema.queryType.name, 'Query');
  });
});
