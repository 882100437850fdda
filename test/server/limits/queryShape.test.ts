/**
 * The shape rules as graphql validation rules, case by case with exact messages: depth, aliases,
 * task fields (fragments counted where spread), introspection; a fragment bomb is measured fast.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getIntrospectionQuery } from 'graphql';
import { DEFAULT_MAX_QUERY_DEPTH } from '../../../src/server/pipeline/queryShapeRules.js';
import { shapeErrors } from './support.js';

describe('depth', () => {
  test('at the limit passes; one deeper is refused with the depth and the limit', async () => {
    const query = 'query Deep { image(id: "x") { caption { phrases { regions { box { x1 } } } } } }'; // 6 deep
    assert.deepEqual(await shapeErrors(query, { maxDepth: 6 }), []);
    assert.deepEqual(await shapeErrors(query, { maxDepth: 5 }), [
      { message: 'query Deep nests fields 6 levels deep; the limit is 5', code: 'QUERY_TOO_DEEP' },
    ]);
  });

  test('the Region.image cycle is bounded; fragments count at the depth they are spread', async () => {
    const query =
      '{ image(id: "x") { objects { ...Up } } } fragment Up on Region { image { objects { image { objects { image { id } } } } } }';
    assert.deepEqual(await shapeErrors(query, { maxDepth: 7 }), [
      { message: 'the query nests fields 8 levels deep; the limit is 7', code: 'QUERY_TOO_DEEP' },
    ]);
  });

  test("GraphiQL's introspection query fits the default depth", async () => {
    assert.deepEqual(await shapeErrors(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true })), []);
    assert.ok(DEFAULT_MAX_QUERY_DEPTH >= 15);
  });
});

describe('aliases', () => {
  test('counted across the operation, fragments as often as they are spread', async () => {
    const query =
      'query Many { image(id: "x") { a: caption { text } ...Two ...Two } } fragment Two on Image { b: objects { label } c: text }';
    assert.deepEqual(await shapeErrors(query, { maxAliases: 5 }), []);
    assert.deepEqual(await shapeErrors(query, { maxAliases: 4 }), [
      { message: 'query Many uses 5 aliases; the limit is 4', code: 'TOO_MANY_ALIASES' },
    ]);
  });

  test('200 aliased cascades are refused under the defaults', async () => {
    const aliased = Array.from({ length: 200 }, (_, i) => `i${i}: image(id: "x") { caption { phrases { regions { segment { area } } } } }`);
    const errors = await shapeErrors(`{ ${aliased.join(' ')} }`);
    assert.deepEqual(
      errors.map((error) => error.code),
      ['TOO_MANY_ALIASES', 'TOO_MANY_TASK_FIELDS'],
    );
    assert.equal(errors[0]!.message, 'the query uses 200 aliases; the limit is 30');
  });
});

describe('task fields', () => {
  test('each selection of a task-running field counts, whatever its list holds; plain fields do not', async () => {
    const query =
      `query Tasks { image(id: "x") { id width caption { text phrases { phrase regions { box { x1 } segment { area } } } } ` +
      `objects { label category } } }`;
    // caption, phrases, segment, objects, category
    assert.deepEqual(await shapeErrors(query, { maxTaskFields: 5 }), []);
    assert.deepEqual(await shapeErrors(query, { maxTaskFields: 4 }), [
      { message: 'query Tasks selects 5 fields that run model tasks; the limit is 4', code: 'TOO_MANY_TASK_FIELDS' },
    ]);
  });
});

describe('fragment bombs and cycles', () => {
  test('a fragment spread 2^20 times is measured in linear time and refused', async () => {
    const levels = 20;
    const fragments = Array.from(
      { length: levels },
      (_, i) => `fragment F${i} on Image { ${i + 1 < levels ? `...F${i + 1} ...F${i + 1}` : 'a: text'} }`,
    );
    const started = performance.now();
    const errors = await shapeErrors(`{ image(id: "x") { ...F0 } } ${fragments.join(' ')}`);
    assert.ok(performance.now() - started < 1_000, 'measured without expanding the spreads');
    assert.ok(
      errors.some((error) => error.message === `the query uses ${2 ** (levels - 1)} aliases; the limit is 30`),
      JSON.stringify(errors),
    );
  });

  test("a fragment cycle is graphql's own error, not a hang", async () => {
    const errors = await shapeErrors('{ image(id: "x") { ...A } } fragment A on Image { objects { image { ...A } } }');
    assert.ok(
      errors.some((error) => /^Cannot spread fragment "A" within itself/.test(error.message)),
      JSON.stringify(errors),
    );
  });
});

describe('introspection switch', () => {
  test('off: __schema and __type are refused with the setting named; __typename stays', async () => {
    assert.deepEqual(await shapeErrors('{ __schema { queryType { name } } }', { introspection: false }), [
      {
        message: 'introspection (__schema) is turned off on this server (production mode; INTROSPECTION=true turns it on)',
        code: 'INTROSPECTION_DISABLED',
      },
    ]);
    assert.equal((await shapeErrors('{ __type(name: "Image") { name } }', { introspection: false }))[0]!.code, 'INTROSPECTION_DISABLED');
    assert.deepEqual(await shapeErrors('{ __typename model { __typename id } }', { introspection: false }), []);
    assert.deepEqual(await shapeErrors('{ __schema { queryType { name } } }'), []);
  });

  test('bad options are refused when the rules are built', async () => {
    await assert.rejects(shapeErrors('{ model { id } }', { maxDepth: 0 }), /maxDepth must be a whole number of at least 1; got 0/);
    await assert.rejects(shapeErrors('{ model { id } }', { maxAliases: -1 }), /maxAliases must be a whole number of at least 0; got -1/);
  });
});
