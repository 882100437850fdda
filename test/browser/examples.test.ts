/**
 * The example tabs GraphiQL opens with: each must be a valid operation of the emitted schema with
 * variables that coerce, and each that needs no internet must answer without errors. No browser
 * needed; the Chromium test (graphiql.test.ts) runs the first one through the page itself.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildSchema, getOperationAST, getVariableValues, parse, validate, type GraphQLSchema } from 'graphql';
import { EXAMPLE_TABS, TINY_PNG_BASE64 } from '../../src/graphiql/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { repoRoot } from '../helpers/paths.js';

describe('GraphiQL example tabs', () => {
  let schema: GraphQLSchema;
  before(async () => {
    schema = buildSchema(await readFile(join(repoRoot, 'schema.graphql'), 'utf8'));
  });

  it('opens with the cascade, and every image example has a variable for its image', () => {
    const first = EXAMPLE_TABS[0];
    assert.ok(first);
    assert.match(first.query, /query Cascade\(\$base64: String\)/);
    assert.match(first.query, /phrases \{\s+phrase\s+regions \{\s+box \{ x1 y1 x2 y2 \}\s+segment \{ area svgPath \}/);
    for (const tab of EXAMPLE_TABS) {
      if (/image\(/.test(tab.query)) assert.match(tab.query, /image\((base64|url): \$(base64|url)\)/, tab.query);
    }
    assert.equal(Buffer.from(TINY_PNG_BASE64, 'base64').subarray(1, 4).toString('latin1'), 'PNG');
  });

  for (const [index, tab] of EXAMPLE_TABS.entries()) {
    const name = /query (\w+)/.exec(tab.query)?.[1] ?? `tab ${index}`;
    it(`${name} is valid against schema.graphql and its variables coerce`, () => {
      const document = parse(tab.query);
      assert.deepEqual(validate(schema, document).map(String), []);
      const operation = getOperationAST(document);
      assert.ok(operation, 'one operation per tab');
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], JSON.parse(tab.variables) as Record<string, unknown>);
      assert.equal(coerced.errors, undefined, coerced.errors?.map(String).join('\n'));
    });
  }

  describe('against a gateway over the tiny model', () => {
    let gateway: TestGateway;
    before(async () => {
      gateway = await startTestGateway();
    });
    after(async () => {
      await gateway?.stop();
    });

    // ByUrl fetches from the internet, which the gateway's URL guard and CI's network both refuse.
    for (const tab of EXAMPLE_TABS.filter((t) => !t.variables.includes('"url"'))) {
      const name = /query (\w+)/.exec(tab.query)?.[1];
      it(`${name} answers without errors`, async () => {
        const { status, body } = await gateway.graphql(tab.query, JSON.parse(tab.variables) as Record<string, unknown>);
        assert.equal(status, 200);
        assert.equal(body.errors, undefined, JSON.stringify(body.errors));
        assert.ok(body.data);
      });
    }
  });
});
