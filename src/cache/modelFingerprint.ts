/**
 * A short hash of a Florence-2 model folder that changes whenever any file that shapes the model's
 * answers changes: every top-level `*.json` (config.json, generation_config.json,
 * preprocessor_config.json, tokenizer.json, tokenizer_config.json, vocab, added tokens…) and every
 * file under `onnx/` (`*.onnx` and external `*.onnx_data`). It leads every result key, so a new
 * model never serves old answers (DESIGN.md §4).
 *
 * Contents are hashed, not dates: a re-download of the same files keeps the cache. Files are
 * streamed (the base model is ~1 GB, a few seconds), and each file's digest is memoised per process
 * by (path, size, mtime), so asking again is a few stat calls.
 *
 * The folder may hold several dtypes while the runtime loads one; pass that choice as `variant`
 * (e.g. "fp16") so fp32 and fp16 answers do not share keys.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface ModelFingerprintOptions {
  /** Anything else that changes answers for the same files: dtype, execution provider. */
  readonly variant?: string | undefined;
}

/** Hex digits of the fingerprint: 64 bits tell model versions apart and keep keys short. */
export const FINGERPRINT_HEX_LENGTH = 16;
/** Subfolder holding the ONNX graphs and their external data. */
const ONNX_DIR = 'onnx';

interface FileDigest {
  readonly size: number;
  readonly mtimeMs: number;
  readonly digest: Promise<string>;
}

/** Per-process memo: absolute path → digest of the contents it had at (size, mtimeMs). */
const digests = new Map<string, FileDigest>();

/** The fingerprint of the model in `modelDir`. Rejects if the folder is missing or holds no model files. */
export async function modelFingerprint(modelDir: string, options: ModelFingerprintOptions = {}): Promise<string> {
  const root = resolve(modelDir);
  const files = await modelFiles(root);
  if (files.length === 0) {
    throw new Error(`model folder ${root} holds no model files; expected config.json, tokenizer.json and onnx/*.onnx`);
  }
  const fileDigests = await Promise.all(files.map(async (relative) => `${relative}\0${await fileDigest(join(root, relative))}`));
  const fingerprint = createHash('sha256');
  fingerprint.update(`variant\0${options.variant ?? ''}\n`);
  for (const line of fileDigests) fingerprint.update(`${line}\n`);
  return fingerprint.digest('hex').slice(0, FINGERPRINT_HEX_LENGTH);
}

/** Relative paths of the files that make up the model, sorted so the order is stable. */
async function modelFiles(root: string): Promise<string[]> {
  let top;
  try {
    top = await readdir(root, { withFileTypes: true });
  } catch (error) {
    throw new Error(`cannot read model folder ${root}: ${(error as Error).message}`, { cause: error });
  }
  const files = top.filter((entry) => entry.isFile() && entry.name.endsWith('.json')).map((entry) => entry.name);
  if (top.some((entry) => entry.isDirectory() && entry.name === ONNX_DIR)) {
    const onnx = await readdir(join(root, ONNX_DIR), { withFileTypes: true });
    files.push(...onnx.filter((entry) => entry.isFile()).map((entry) => `${ONNX_DIR}/${entry.name}`));
  }
  return files.sort();
}

async function fileDigest(path: string): Promise<string> {
  const { size, mtimeMs } = await stat(path);
  const known = digests.get(path);
  if (known && known.size === size && known.mtimeMs === mtimeMs) return known.digest;
  const digest = hashFile(path);
  digests.set(path, { size, mtimeMs, digest });
  // A failed read must not be remembered: the next call tries again.
  digest.catch(() => {
    if (digests.get(path)?.digest === digest) digests.delete(path);
  });
  return digest;
}

function hashFile(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}
