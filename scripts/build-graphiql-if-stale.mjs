#!/usr/bin/env node
// `npm run build`'s second step: bundles GraphiQL with scripts/build-graphiql.mjs unless the bundle is
// newer than everything it is made from, so an `npm start` with nothing changed does not spend seconds
// (and both cores) bundling 7 MB again. What it is made from: src/graphiql/**, the bundling script, and
// package.json / package-lock.json (the versions of graphiql, react and monaco; npm gives the files it
// installs old timestamps, so the lockfile stands in for them). The bundler writes
// dist/graphiql/index.html last, only once the rest is in place, so that file's time is the bundle's.
// `rm -rf dist` forces a full build.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const output = join(root, 'dist', 'graphiql', 'index.html');
const inputs = [
  ...listFiles(join(root, 'src', 'graphiql')),
  join(root, 'scripts', 'build-graphiql.mjs'),
  join(root, 'package.json'),
  join(root, 'package-lock.json'),
].filter((file) => existsSync(file));

const builtAt = existsSync(output) ? statSync(output).mtimeMs : undefined;
const changed = builtAt === undefined ? undefined : inputs.find((file) => statSync(file).mtimeMs > builtAt);
if (builtAt !== undefined && changed === undefined) {
  console.log(`graphiql: up to date in ${relative(root, join(root, 'dist', 'graphiql'))} (nothing it is built from changed)`);
} else {
  await import('./build-graphiql.mjs');
}

/** @param {string} dir @returns {string[]} */
function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
