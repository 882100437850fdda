/**
 * A folder cache of synthetic models for tests and benchmarks:
 *   <cacheRoot>/<generator hash>/<size>-s<seed>-<bias|plain>[-q8]-<options hash>/
 * The generator hash covers the generator's own compiled code (and the task table it reads), so a
 * changed generator regenerates; folders of older generator versions are pruned once they have
 * been idle for a while. The options hash covers the options and the tokenizer file's bytes.
 * Generation writes to a private temp folder that is renamed into place atomically: concurrent
 * test processes may all generate, the first rename wins, the others discard their copy and use
 * the winner's.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesizeModel } from './synthesize.js';
import type { BiasOption } from './synthesize.js';
import { DEFAULT_SEED } from './synthesize.js';
import type { ModelSize } from './sizes.js';

export interface CachedModelOptions {
  readonly size: ModelSize;
  readonly seed?: number;
  readonly bias?: BiasOption;
  readonly q8?: boolean;
  readonly tokenizerFile?: string;
}

const HERE = dirname(fileURLToPath(import.meta.url));
/** Temp folders older than this are leftovers of killed processes. */
const STALE_TEMP_MS = 60 * 60 * 1000;
/** Folders of an older generator untouched this long are no longer used by anyone. */
const STALE_GENERATION_MS = 30 * 60 * 1000;
const TEMP_PREFIX = '.tmp-';
const OPTIONS_HASH_CHARS = 16;
const CODE_HASH_CHARS = 12;

/** `<repo>/.cache/models`, found from this module's location (src/synth or dist/src/synth). */
export function defaultCacheRoot(): string {
  let dir = HERE;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${HERE}`);
    dir = parent;
  }
  return join(dir, '.cache', 'models');
}

/** Returns the folder of a synthetic model with these options, generating it if absent. */
export async function ensureSyntheticModel(options: CachedModelOptions, cacheRoot: string = defaultCacheRoot()): Promise<string> {
  const generation = join(cacheRoot, (await generatorCodeHash()).slice(0, CODE_HASH_CHARS));
  const name = await cacheFolderName(options);
  const target = join(generation, name);
  if (existsSync(target)) return target;
  await mkdir(generation, { recursive: true });
  await removeStale(generation, (entry) => entry.startsWith(TEMP_PREFIX), STALE_TEMP_MS);
  const temp = join(generation, `${TEMP_PREFIX}${name}-${process.pid}-${randomUUID()}`);
  try {
    await synthesizeModel({
      size: options.size,
      outDir: temp,
      seed: options.seed ?? DEFAULT_SEED,
      ...(options.q8 ? { q8: true } : {}),
      ...(options.bias !== undefined ? { bias: options.bias } : {}),
      ...(options.tokenizerFile ? { tokenizerFile: options.tokenizerFile } : {}),
    });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    // Lost the race: another process renamed its complete copy into place first.
    if (existsSync(target)) return target;
    throw error;
  }
  await removeStale(cacheRoot, (entry) => join(cacheRoot, entry) !== generation, STALE_GENERATION_MS);
  return target;
}

/**
 * `<size>-s<seed>-<bias|plain>[-q8]-<hash>`: readable, and unique per options and tokenizer bytes
 * (the generator version is the parent folder).
 */
export async function cacheFolderName(options: CachedModelOptions): Promise<string> {
  const seed = options.seed ?? DEFAULT_SEED;
  const bias = options.bias === undefined ? 'plain' : typeof options.bias === 'string' ? options.bias : options.bias.pattern;
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ size: options.size, seed, bias: options.bias ?? null, q8: options.q8 === true }));
  hash.update(options.tokenizerFile ? await readFile(options.tokenizerFile) : 'synthetic-tokenizer');
  const tag = `${options.size}-s${seed}-${bias}${options.q8 ? '-q8' : ''}`;
  return `${tag}-${hash.digest('hex').slice(0, OPTIONS_HASH_CHARS)}`;
}

let codeHash: Promise<string> | undefined;

/**
 * Hash of the generator's modules (the compiled .js beside this file, or the .ts sources when run
 * uncompiled) and of the task table it reads, so any change to the generator regenerates.
 */
export function generatorCodeHash(): Promise<string> {
  codeHash ??= (async () => {
    const entries = await readdir(HERE);
    const compiled = entries.some((f) => f.endsWith('.js'));
    const isCode = (f: string): boolean => (compiled ? f.endsWith('.js') : f.endsWith('.ts') && !f.endsWith('.d.ts'));
    const hash = createHash('sha256');
    for (const f of entries.filter(isCode).sort()) {
      hash.update(f);
      hash.update(await readFile(join(HERE, f)));
    }
    const tasks = join(HERE, '..', 'vision', compiled ? 'tasks.js' : 'tasks.ts');
    if (existsSync(tasks)) hash.update(await readFile(tasks));
    return hash.digest('hex');
  })();
  return codeHash;
}

/** Removes entries of `dir` chosen by `select` whose mtime is older than `ageMs`. */
async function removeStale(dir: string, select: (entry: string) => boolean, ageMs: number): Promise<void> {
  const now = Date.now();
  for (const entry of await readdir(dir)) {
    if (!select(entry)) continue;
    const path = join(dir, entry);
    try {
      if (now - (await stat(path)).mtimeMs > ageMs) await rm(path, { recursive: true, force: true });
    } catch {
      // Another process removed or renamed it meanwhile.
    }
  }
}
