#!/usr/bin/env node
// Writes schema.graphql from the code-first schema (run after `npm run build`; `npm run schema` does both),
// and schema.subgraph.graphql, the same schema as a Federation 2 subgraph (FEDERATION=true) for a
// supergraph composer (`rover supergraph compose`).
import { writeFileSync } from 'node:fs';
import { subgraphSdl } from '../dist/src/graphql/federation.js';
import { schemaSdl } from '../dist/src/graphql/schema.js';

for (const [file, sdl] of [
  ['schema.graphql', schemaSdl],
  ['schema.subgraph.graphql', subgraphSdl],
]) {
  const target = new URL(`../${file}`, import.meta.url);
  writeFileSync(target, await sdl());
  console.log(`wrote ${target.pathname}`);
}
