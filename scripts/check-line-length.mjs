#!/usr/bin/env node
// Fails when a line of a source file under src/, test/, bench/, scripts/ or examples/ is longer than
// 140 characters, naming each one. Why a script beside `prettier --check`: Prettier wraps code at 140
// columns (.prettierrc.json) but never splits a string, a comment or a template literal, and it does not
// look at Markdown (.prettierignore), so only this catches those lines.
//
// It skips what .prettierignore leaves as it is on purpose (generated code, fixtures, benchmark results,
// files awaiting a merge), read from its plain path lines; its glob lines (*.md, docs/*.png) are about
// formatting or binary files, not line length, so Markdown is checked here. Usage: node
// scripts/check-line-length.mjs [root] (default: this repository).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_LINE_LENGTH = 140;
const ROOTS = ['src', 'test', 'bench', 'scripts', 'examples'];
/** Text files people write; images, models and other binaries are not lines. */
const TEXT_EXTENSIONS = new Set([
  '.ts',
  '.tsx',
  '.mts',
  '.cts',
  '.js',
  '.jsx',
  '.mjs',
  '.cjs',
  '.css',
  '.html',
  '.json',
  '.md',
  '.sh',
  '.py',
  '.yml',
]);
/** Git-ignored output that can sit inside the roots. */
const NEVER = new Set(['node_modules', 'dist', '.cache', 'test-output']);

const root = process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url));

/**
 * The plain path lines of .prettierignore: `dir/` skips a folder, `a/b.ts` one file. A leading `/`
 * (Prettier's anchor at the root: plain `bench/` would match test/bench/ too) is dropped, since every
 * path here is from the root already.
 */
function skippedPaths() {
  const ignoreFile = join(root, '.prettierignore');
  if (!existsSync(ignoreFile)) return [];
  return readFileSync(ignoreFile, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !/[*?[\]!]/.test(line))
    .map((line) => line.replace(/^\//, ''));
}

const skipped = skippedPaths();
const isSkipped = (path) => skipped.some((entry) => (entry.endsWith('/') ? path.startsWith(entry) : path === entry));

/** @param {string} dir @returns {string[]} paths relative to root, with / */
function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    const rel = relative(root, path).split('\\').join('/');
    if (NEVER.has(entry.name) || isSkipped(entry.isDirectory() ? `${rel}/` : rel)) return [];
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.isFile() && TEXT_EXTENSIONS.has(extname(entry.name)) ? [rel] : [];
  });
}

const tooLong = [];
let checked = 0;
for (const file of ROOTS.flatMap((name) => sourceFiles(join(root, name)))) {
  checked++;
  readFileSync(join(root, file), 'utf8')
    .split('\n')
    .forEach((line, index) => {
      // Characters as people count them: an emoji or a CJK letter is one, not two UTF-16 units.
      const length = [...line].length;
      if (length > MAX_LINE_LENGTH) tooLong.push(`${file}:${index + 1}: ${length} characters`);
    });
}
if (tooLong.length > 0) {
  const lines = tooLong.length === 1 ? '1 line' : `${tooLong.length} lines`;
  console.error(`${lines} over ${MAX_LINE_LENGTH} characters (split long strings and comments by hand):`);
  for (const line of tooLong) console.error(`  ${line}`);
  process.exit(1);
}
console.log(`line length: ${checked} files, no line over ${MAX_LINE_LENGTH} characters`);
