/**
 * `.florence-pull.json` in a pulled folder: which files were downloaded and verified, with sizes
 * and hashes, so a later pull skips them without rehashing and `HF_HUB_OFFLINE=1` (or `serve` at
 * start-up) can tell a complete folder from a half-finished one without any request.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MODEL_MODULES, isModelDtype, type ModelDtype, type ModelModule } from '../vision/modelFiles.js';
import type { DtypeMap } from './plan.js';
import { isSafeRepoPath } from './safePaths.js';

export const MANIFEST_NAME = '.florence-pull.json';
/** Bumped when the format changes incompatibly; other versions are ignored (the next pull rewrites). */
export const MANIFEST_FORMAT = 1;

export interface ManifestFile {
  readonly size: number;
  readonly sha256: string;
  /** The git blob sha1, kept when the hub identified the file by it. */
  readonly gitOid?: string;
  /** mtime when verified: a changed mtime means someone touched the file, so it is rehashed. */
  readonly mtimeMs: number;
}

export interface PullManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly repo: string;
  /** The revision asked for (branch, tag or commit). */
  readonly revision: string;
  /** The commit it resolved to, when the hub said. */
  readonly commit: string | undefined;
  /** The dtypes of the latest pull. */
  readonly dtypes: DtypeMap;
  /** Every verified file in the folder, from this and earlier pulls. */
  readonly files: Readonly<Record<string, ManifestFile>>;
  readonly updatedAt: string;
}

/** The manifest, or undefined when absent or unreadable (then nothing counts as verified). */
export function readManifest(dir: string): PullManifest | undefined {
  const path = join(dir, MANIFEST_NAME);
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  if (
    !isRecord(parsed) ||
    parsed['format'] !== MANIFEST_FORMAT ||
    typeof parsed['repo'] !== 'string' ||
    typeof parsed['revision'] !== 'string'
  )
    return undefined;
  const files: Record<string, ManifestFile> = {};
  const rawFiles = isRecord(parsed['files']) ? parsed['files'] : {};
  for (const [path, value] of Object.entries(rawFiles)) {
    // The manifest is a file on disk anyone could edit: its paths get the same scrutiny as the hub's.
    if (!isSafeRepoPath(path) || !isRecord(value)) continue;
    const { size, sha256, gitOid, mtimeMs } = value;
    if (typeof size !== 'number' || typeof sha256 !== 'string' || typeof mtimeMs !== 'number') continue;
    files[path] = { size, sha256, mtimeMs, ...(typeof gitOid === 'string' ? { gitOid } : {}) };
  }
  const rawDtypes = isRecord(parsed['dtypes']) ? parsed['dtypes'] : {};
  const dtypes = Object.fromEntries(
    MODEL_MODULES.map((module) => {
      const value = rawDtypes[module];
      return [module, typeof value === 'string' && isModelDtype(value) ? value : 'fp32'];
    }),
  ) as Record<ModelModule, ModelDtype>;
  const commit = typeof parsed['commit'] === 'string' ? parsed['commit'] : undefined;
  const updatedAt = typeof parsed['updatedAt'] === 'string' ? parsed['updatedAt'] : '';
  return { format: MANIFEST_FORMAT, repo: parsed['repo'], revision: parsed['revision'], commit, dtypes, files, updatedAt };
}

/** Writes via a temp file and a rename, so a crash never leaves half a manifest. */
export async function writeManifest(dir: string, manifest: PullManifest): Promise<void> {
  const path = join(dir, MANIFEST_NAME);
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
