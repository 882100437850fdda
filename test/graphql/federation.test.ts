/**
 * FEDERATION=true: the schema as an Apollo Federation 2 subgraph. `_service { sdl }` names the link
 * and the key, `_entities` resolves Image references like `image(id:)` (model fields included),
 * failures stay per entity, the limits still price and bound entity queries, ordinary queries are
 * unchanged, and without the flag the federation fields do not exist.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { composeServices } from '@apollo/composition';
import { isInterfaceType, isObjectType, parse, print } from 'graphql';
import { buildSubgraphGatewaySchema, FEDERATION_SPEC_URL, MAX_ENTITY_REPRESENTATIONS } from '../../src/graphql/federation.js';
import { VISION_ENCODER_UNITS } from '../../src/graphql/cost/prices.js';
import { buildGatewaySchema, schemaSdl } from '../../src/graphql/schema.js';
import { loadConfig } from '../../src/server/config.js';
import { patternPng } from '../helpers/images.js';
import { startTestGateway, type GraphQLErrorBody, type TestGateway } from '../helpers/gateway.js';

let federated: TestGateway;
let plain: TestGateway;
let png: Buffer;
let uploadedId: string;

const MISSING_ID = `sha256:${'0'.repeat(64)}`;

const ENTITIES = `query($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Image { id width height caption { text } } }
}`;

interface EntityImage {
  id: string;
  width: number;
  height: number;
  caption: { text: string };
}

before(async () => {
  png = await patternPng(96, 64, 3);
  [federated, plain] = await Promise.all([startTestGateway({ FEDERATION: 'true' }), startTestGateway()]);
  const response = await fetch(`${federated.url}/images`, {
    method: 'POST',
    body: png,
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(response.status, 201);
  uploadedId = ((await response.json()) as { id: string }).id;
});
after(async () => {
  await Promise.all([federated.stop(), plain.stop()]);
});

function image(id: unknown): Record<string, unknown> {
  return { __typename: 'Image', id };
}

function onlyError(errors: GraphQLErrorBody[] | undefined): GraphQLErrorBody {
  assert.equal(errors?.length, 1, JSON.stringify(errors));
  return errors[0]!;
}

describe('the subgraph schema', () => {
  test('_service { sdl } links Federation 2 with @key and keys Image by id', async () => {
    const { body } = await federated.graphql<{ _service: { sdl: string } }>('{ _service { sdl } }');
    assert.equal(body.errors, undefined);
    const sdl = body.data!._service.sdl;
    assert.ok(sdl.includes(`@link(url: "${FEDERATION_SPEC_URL}", import: ["@key"])`), sdl.slice(0, 400));
    assert.match(sdl, /type Image\s+@key\(fields: "id"\)\s*\{/);
    // The same types and fields as the default schema.
    assert.match(sdl, /caption\(/);
    assert.match(sdl, /model: ModelInfo!/);
  });

  test("the key is declared on the Image class; the default schema's SDL (schema.graphql) shows no federation", async () => {
    const imageType = (await buildGatewaySchema()).getType('Image');
    assert.deepEqual(
      imageType?.astNode?.directives?.map((directive) => print(directive)),
      ['@key(fields: "id")'],
    );
    assert.doesNotMatch(await schemaSdl(), /@key|@link|federation|_Entity|_service/);
  });

  test('every field keeps its cost estimator (the limits read them from field extensions)', async () => {
    const [base, subgraph] = await Promise.all([buildGatewaySchema(), buildSubgraphGatewaySchema()]);
    let priced = 0;
    for (const [name, type] of Object.entries(base.getTypeMap())) {
      if (name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
      const target = subgraph.getType(name);
      assert.ok(target && (isObjectType(target) || isInterfaceType(target)), name);
      for (const [fieldName, field] of Object.entries(type.getFields())) {
        const complexity: unknown = field.extensions['complexity'];
        if (complexity === undefined) continue;
        priced++;
        assert.equal(target.getFields()[fieldName]?.extensions['complexity'], complexity, `${name}.${fieldName}`);
      }
    }
    assert.ok(priced > 10, `only ${priced} priced fields found`);
  });

  test('composes into a supergraph with another subgraph that extends Image (what rover and the router do)', async () => {
    const { body } = await federated.graphql<{ _service: { sdl: string } }>('{ _service { sdl } }');
    const reviews = `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.0", import: ["@key"])
      type Image @key(fields: "id") { id: ID! reviews: [String!]! }
      type Query { recentlyReviewed: [Image!]! }
    `;
    const result = composeServices([
      { name: 'florence', typeDefs: parse(body.data!._service.sdl), url: 'http://florence.invalid/graphql' },
      { name: 'reviews', typeDefs: parse(reviews), url: 'http://reviews.invalid/graphql' },
    ]);
    assert.equal(result.errors, undefined, result.errors?.map((error) => error.message).join('\n'));
    const supergraph = result.supergraphSdl ?? '';
    assert.match(supergraph, /type Image\s+@join__type\(graph: FLORENCE, key: "id"\)\s+@join__type\(graph: REVIEWS, key: "id"\)/);
    assert.match(supergraph, /reviews: \[String!\]! @join__field\(graph: REVIEWS\)/);
    assert.match(supergraph, /caption\(/);
  });

  test('FEDERATION is a validated flag, off by default', () => {
    assert.equal(loadConfig({}).federation, false);
    assert.equal(loadConfig({ FEDERATION: 'on' }).federation, true);
    assert.throws(
      () => loadConfig({ FEDERATION: 'maybe' }),
      /^ConfigError: FEDERATION must be true or false \(default false\); got "maybe"$/,
    );
  });

  test('without FEDERATION, _entities and _service do not exist', async () => {
    for (const query of ['{ _service { sdl } }', `{ _entities(representations: []) { __typename } }`]) {
      const { status, body } = await plain.graphql(query);
      assert.equal(status, 400, query);
      assert.equal(onlyError(body.errors).extensions!.code, 'GRAPHQL_VALIDATION_FAILED');
    }
  });
});

describe('_entities', () => {
  test('an Image reference resolves like image(id:), model fields included', async () => {
    const { body } = await federated.graphql<{ _entities: EntityImage[] }>(ENTITIES, { representations: [image(uploadedId)] });
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    const [entity] = body.data!._entities;
    assert.deepEqual({ ...entity!, caption: undefined }, { id: uploadedId, width: 96, height: 64, caption: undefined });
    assert.equal(typeof entity!.caption.text, 'string');
    // The same answer as the root field.
    const direct = await federated.graphql<{ image: EntityImage }>(
      `query($id: ID!) { image(id: $id) { id width height caption { text } } }`,
      { id: uploadedId },
    );
    assert.deepEqual(direct.body.data!.image, entity);
  });

  test('an unknown id is a null entity with IMAGE_NOT_FOUND at its path; the others resolve', async () => {
    const { status, body } = await federated.graphql<{ _entities: (EntityImage | null)[] }>(ENTITIES, {
      representations: [image(uploadedId), image(MISSING_ID), image(uploadedId)],
    });
    assert.equal(status, 200);
    const entities = body.data!._entities;
    assert.equal(entities.length, 3);
    assert.equal(entities[0]!.id, uploadedId);
    assert.equal(entities[1], null);
    assert.equal(entities[2]!.id, uploadedId);
    const error = onlyError(body.errors);
    assert.equal(error.extensions!.code, 'IMAGE_NOT_FOUND');
    assert.deepEqual(error.path, ['_entities', 1]);
  });

  test('a malformed or missing id is BAD_INPUT for that entity only', async () => {
    const { body } = await federated.graphql<{ _entities: ({ id: string } | null)[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Image { id } } }`,
      {
        r: [image('../../etc/passwd'), image(uploadedId), { __typename: 'Image' }],
      },
    );
    assert.deepEqual(
      body.data!._entities.map((entity) => entity?.id ?? null),
      [null, uploadedId, null],
    );
    const codes = Object.fromEntries(body.errors!.map((error) => [error.path!.join('.'), error.extensions!.code]));
    assert.deepEqual(codes, { '_entities.0': 'BAD_INPUT', '_entities.2': 'BAD_INPUT' });
  });

  test('a representation of a type that is not an entity here is BAD_INPUT, not an internal error', async () => {
    const { body } = await federated.graphql(`query($r: [_Any!]!) { _entities(representations: $r) { __typename } }`, {
      r: [image(uploadedId), { __typename: 'Product', upc: '1' }],
    });
    const error = onlyError(body.errors);
    assert.equal(error.extensions!.code, 'BAD_INPUT');
    assert.match(error.message, /representation 1 .*"Product"/);
  });

  test('a reasonable entities query passes the limits; a huge one is refused before running', async () => {
    const reasonable = await federated.graphql<{ _entities: EntityImage[] }>(ENTITIES, {
      representations: Array.from({ length: 8 }, () => image(uploadedId)),
    });
    assert.equal(reasonable.body.errors, undefined, JSON.stringify(reasonable.body.errors));
    assert.equal(reasonable.body.data!._entities.length, 8);

    // Model work is priced per representation, like images(urls:).
    const costly = await federated.graphql(ENTITIES, { representations: Array.from({ length: 200 }, () => image(uploadedId)) });
    assert.equal(costly.status, 400);
    const costError = onlyError(costly.body.errors);
    assert.equal(costError.extensions!.code, 'QUERY_TOO_COSTLY');
    // At least the vision encoder per representation (without the estimator it would be ~2 units).
    const estimate = Number(/estimated at (\d+) cost units/.exec(costError.message)?.[1]);
    assert.ok(estimate >= 200 * VISION_ENCODER_UNITS, costError.message);

    // Lookups that run no model work are bounded by count.
    const many = await federated.graphql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Image { id } } }`, {
      r: Array.from({ length: MAX_ENTITY_REPRESENTATIONS + 1 }, () => image(MISSING_ID)),
    });
    const countError = onlyError(many.body.errors);
    assert.equal(countError.extensions!.code, 'BAD_INPUT');
    assert.match(
      countError.message,
      new RegExp(`at most ${MAX_ENTITY_REPRESENTATIONS} representations; got ${MAX_ENTITY_REPRESENTATIONS + 1}`),
    );
  });
});

describe('ordinary queries in federation mode', () => {
  test('image(base64:) and model work as without the flag', async () => {
    const query = `query($b: String!) { image(base64: $b) { id width caption { text } } model { id } }`;
    const [withFlag, without] = await Promise.all([
      federated.graphql(query, { b: png.toString('base64') }),
      plain.graphql(query, { b: png.toString('base64') }),
    ]);
    assert.equal(withFlag.body.errors, undefined, JSON.stringify(withFlag.body.errors));
    assert.deepEqual(withFlag.body.data, without.body.data);
  });

  test('task-field limits still apply (their markers survive the rebuild)', async () => {
    const fields = Array.from({ length: 33 }, (_, i) => `c${i}: caption { text }`).join(' ');
    const fragments = `fragment F on Image { ${fields} }`;
    const { status, body } = await federated.graphql(`query($b: String!) { image(base64: $b) { ...F } } ${fragments}`, {
      b: png.toString('base64'),
    });
    assert.equal(status, 400);
    assert.ok(
      body.errors!.some((error) => error.extensions!.code === 'TOO_MANY_TASK_FIELDS'),
      JSON.stringify(body.errors),
    );
  });
});
