/** Paths tests use: the repository root and the read-only `../shared` folder beside it. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (tests run from dist/test/…, two or three levels below it). */
export const repoRoot: string = findRoot(dirname(fileURLToPath(import.meta.url)));

/** `../shared` beside the checkout: the real tokenizer, configs and conformance vectors. */
export const sharedDir: string = resolve(repoRoot, '..', 'shared');

/** The real Florence-2-base tokenizer, when `../shared` is present (never committed here). */
export const realTokenizerPath: string = join(sharedDir, 'florence2', 'model-config', 'tokenizer.json');

export const vectorsDir: string = join(sharedDir, 'vectors');

export const hasShared: boolean = existsSync(realTokenizerPath);

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}
