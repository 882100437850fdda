#!/usr/bin/env node
// Writes schema.graphql from the code-first schema (run after `npm run build`; `npm run schema` does both).
import { writeFileSync } from 'node:fs';
import { schemaSdl } from '../dist/src/graphql/schema.js';

const target = new URL('../schema.graphql', import.meta.url);
writeFileSync(target, await schemaSdl());
console.log(`wrote ${target.pathname}`);
