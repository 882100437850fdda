/**
 * Production mode (NODE_ENV=production): introspection is refused with the setting named, GraphiQL
 * is not served, ordinary queries work. INTROSPECTION and GRAPHIQL override either way.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getIntrospectionQuery } from 'graphql';
import { loadConfig } from '../../../src/server/config.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';

describe('NODE_ENV=production', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({ NODE_ENV: 'production' });
  });
  after(() => gateway.stop());

  test('introspection is 400 INTROSPECTION_DISABLED', async () => {
    const { status, body } = await gateway.graphql(getIntrospectionQuery());
    assert.equal(status, 400);
    assert.equal(body.data, undefined);
    assert.deepEqual(
      [...new Set(body.errors!.map((error) => `${error.extensions?.code}: ${error.message}`))],
      ['INTROSPECTION_DISABLED: introspection (__schema) is turned off on this server (production mode; INTROSPECTION=true turns it on)'],
    );
    assert.equal((await gateway.graphql('{ __type(name: "Image") { name } }')).status, 400);
  });

  test('GraphiQL is not served', async () => {
    const page = await fetch(`${gateway.url}/`);
    assert.equal(page.status, 404);
    await page.arrayBuffer();
  });

  test('ordinary queries, __typename included, work', async () => {
    const { status, body } = await gateway.graphql<{ __typename: string; model: { id: string } }>('{ __typename model { id } }');
    assert.equal(status, 200);
    assert.equal(body.errors, undefined);
    assert.equal(body.data!.__typename, 'Query');
  });
});

describe('the switches', () => {
  test('default on outside production, off in it; INTROSPECTION and GRAPHIQL override', () => {
    const pick = (env: Record<string, string>) => {
      const { production, introspection, graphiql } = loadConfig(env);
      return { production, introspection, graphiql };
    };
    assert.deepEqual(pick({}), { production: false, introspection: true, graphiql: true });
    assert.deepEqual(pick({ NODE_ENV: 'production' }), { production: true, introspection: false, graphiql: false });
    assert.deepEqual(pick({ NODE_ENV: 'production', INTROSPECTION: 'true', GRAPHIQL: 'on' }), {
      production: true,
      introspection: true,
      graphiql: true,
    });
    assert.deepEqual(pick({ INTROSPECTION: 'false', GRAPHIQL: '0' }), { production: false, introspection: false, graphiql: false });
  });
});
