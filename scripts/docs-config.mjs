#!/usr/bin/env node
// Writes the README's configuration table from the configuration table (src/server/configVariables.ts,
// compiled to dist/ by `npm run build`). `--check` writes nothing and exits 1 when README.md differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const { renderConfigTable, spliceConfigTable } = await import(join(root, 'dist', 'src', 'server', 'configDocs.js'));
const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const updated = spliceConfigTable(readme, renderConfigTable());
if (process.argv.includes('--check')) {
  if (updated !== readme) {
    console.error("README.md's configuration table differs from src/server/configVariables.ts: run npm run docs:config");
    process.exit(1);
  }
} else if (updated !== readme) {
  writeFileSync(readmePath, updated);
  console.error('README.md: configuration table rewritten');
} else {
  console.error('README.md: configuration table already up to date');
}
