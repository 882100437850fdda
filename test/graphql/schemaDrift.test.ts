/** schema.graphql at the root is the emitted schema: it must never drift from the code. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { subgraphSdl } from '../../src/graphql/federation.js';
import { schemaSdl } from '../../src/graphql/schema.js';
import { repoRoot } from '../helpers/paths.js';

test('schema.graphql equals the schema built from the resolvers (run `npm run schema` after changing them)', async () => {
  const committed = readFileSync(join(repoRoot, 'schema.graphql'), 'utf8');
  assert.equal(committed, await schemaSdl());
});

test('schema.subgraph.graphql equals the Federation subgraph SDL (FEDERATION=true; `npm run schema` writes both)', async () => {
  const committed = readFileSync(join(repoRoot, 'schema.subgraph.graphql'), 'utf8');
  assert.equal(committed, await subgraphSdl());
});
