#!/usr/bin/env node
// Bundles the GraphiQL page (src/graphiql) with esbuild into dist/graphiql: index.html, one JS and
// one CSS bundle, Monaco's three web workers and the editor's icon font. Everything the page needs
// is in that folder, so GraphiQL works offline and never loads from a CDN.
//
// File names carry content hashes, so the server can cache them for long (index.html itself is
// served no-cache; see src/server/routes/graphiql.ts).
import { readFileSync, rmSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = join(root, 'src', 'graphiql');
const outdir = join(root, 'dist', 'graphiql');
const started = performance.now();

/** Shared by the page and the workers: a modern browser, minified, no Node globals. */
const common = {
  absWorkingDir: root,
  bundle: true,
  minify: true,
  platform: 'browser',
  target: ['es2022'],
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  define: { 'process.env.NODE_ENV': '"production"' },
};

rmSync(outdir, { recursive: true, force: true });

// Monaco asks MonacoEnvironment.getWorker for a worker by label: "graphql" (monaco-graphql's
// language service), "json" (the variables and headers editors) and the plain editor worker.
const WORKERS = {
  editor: 'monaco-editor/esm/vs/editor/editor.worker.js',
  json: 'monaco-editor/esm/vs/language/json/json.worker.js',
  graphql: 'monaco-graphql/esm/graphql.worker.js',
};
const workers = await build({
  ...common,
  entryPoints: Object.entries(WORKERS).map(([label, path]) => ({ in: path, out: `${label}.worker` })),
  // Classic (not module) workers: every browser that runs GraphiQL starts them.
  format: 'iife',
  outdir: join(outdir, 'workers'),
  entryNames: '[name]-[hash]',
});
/** label → path of its bundle relative to dist/graphiql, e.g. "workers/json.worker-AB12CD.js". */
const workerFiles = Object.fromEntries(
  Object.entries(workers.metafile.outputs)
    .filter(([, output]) => output.entryPoint)
    .map(([file]) => [basename(file).split('.worker-')[0], relative(outdir, join(root, file))]),
);
for (const label of Object.keys(WORKERS)) {
  if (!workerFiles[label]) throw new Error(`no bundle for the ${label} worker`);
}

const page = await build({
  ...common,
  entryPoints: { main: join(source, 'main.jsx') },
  format: 'esm',
  jsx: 'automatic',
  outdir,
  entryNames: '[name]-[hash]',
  assetNames: 'assets/[name]-[hash]',
  // Monaco's codicon font is referenced from its CSS, the example picture from main.jsx: both
  // ship as files of our own.
  loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.jpg': 'file' },
  define: { ...common.define, __WORKER_FILES__: JSON.stringify(workerFiles) },
});
const outputs = Object.keys(page.metafile.outputs).map((file) => relative(outdir, join(root, file)));
const js = outputs.find((file) => /^main-[\w]+\.js$/.test(file));
const css = outputs.find((file) => /^main-[\w]+\.css$/.test(file));
if (!js || !css) throw new Error(`esbuild did not emit main.js and main.css: ${outputs.join(', ')}`);

const html = readFileSync(join(source, 'index.html'), 'utf8').replace('%JS%', `./${js}`).replace('%CSS%', `./${css}`);
writeFileSync(join(outdir, 'index.html'), html);

const files = listFiles(outdir);
const bytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`graphiql: ${files.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB in ${relative(root, outdir)} (${seconds} s)`);

/** @param {string} dir @returns {string[]} */
function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
