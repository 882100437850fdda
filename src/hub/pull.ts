/**
 * `model pull`: list the repository, pick the files for the dtype, skip what is already verified,
 * download the rest (resumable, hashed, renamed into place), record them in the manifest, and
 * check the folder loads. With HF_HUB_OFFLINE no request is made: the manifest decides.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { openModelFolder, type DtypeOption, type ModelFolder } from '../vision/modelFiles.js';
import { downloadFile } from './download.js';
import { HubError } from './errors.js';
import { hashFile } from './hashing.js';
import { HubClient, type FetchLike } from './http.js';
import { listRepo, type RemoteFile } from './listing.js';
import { acquirePullLock } from './lock.js';
import { MANIFEST_FORMAT, readManifest, writeManifest, type ManifestFile, type PullManifest } from './manifest.js';
import { DEFAULT_MODEL_REPO, cachedModelDir } from './modelCache.js';
import { candidatePaths, describeDtypes, requiredPaths, selectFiles, toDtypeMap, type DtypeMap } from './plan.js';
import { silentProgress, type PullProgress } from './progress.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry.js';
import { checkRevision, parseRepoId, safeJoin } from './safePaths.js';
import { DEFAULT_REVISION, hubSettingsFromEnv, normalizeEndpoint } from './settings.js';

export interface PullOptions {
  /** `owner/name`; default onnx-community/Florence-2-base-ft. */
  readonly repo?: string;
  /** Branch, tag or commit; default main. */
  readonly revision?: string;
  /** One dtype or a per-module map; default fp32 (what the node CPU runtime uses). */
  readonly dtype?: DtypeOption;
  /** Target folder; default the user's cache folder for the repo. */
  readonly outDir?: string;
  /** HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE, XDG_CACHE_HOME come from here (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Overrides of the environment's settings. */
  readonly endpoint?: string;
  readonly token?: string;
  readonly offline?: boolean;
  readonly fetch?: FetchLike;
  readonly responseTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  readonly retry?: Partial<RetryOptions>;
  readonly progress?: PullProgress;
}

export interface PullResult {
  readonly dir: string;
  readonly repo: string;
  readonly revision: string;
  readonly commit: string | undefined;
  readonly dtypes: DtypeMap;
  /** Paths downloaded by this run. */
  readonly downloaded: readonly string[];
  /** Paths that were already complete and verified. */
  readonly skipped: readonly string[];
  /** Bytes received by this run. */
  readonly bytes: number;
  readonly offline: boolean;
  /** The validated folder (openModelFolder). */
  readonly folder: ModelFolder;
}

export type CacheCheck =
  | { readonly complete: true; readonly manifest: PullManifest }
  | { readonly complete: false; readonly missing: readonly string[]; readonly reason: string };

/** Downloads (or, offline, checks) a Florence-2 model folder; throws HubError or ModelFilesError. */
export async function pullModel(options: PullOptions = {}): Promise<PullResult> {
  const env = options.env ?? process.env;
  const repo = options.repo ?? DEFAULT_MODEL_REPO;
  parseRepoId(repo);
  const explicitRevision = options.revision !== undefined;
  const revision = checkRevision(options.revision ?? DEFAULT_REVISION);
  const dtypes = toDtypeMap(options.dtype ?? 'fp32');
  const dir = options.outDir ?? cachedModelDir(repo, env);
  const settings = hubSettingsFromEnv(env);
  const label = `${repo}@${revision} (${describeDtypes(dtypes)})`;

  if (options.offline ?? settings.offline) {
    const check = checkCachedModel(dir, { repo, dtypes, ...(explicitRevision ? { revision } : {}) });
    if (!check.complete) {
      throw new HubError(
        'offline',
        `HF_HUB_OFFLINE is set and ${dir} does not hold ${label}: ${check.reason}. ` +
          `Unset HF_HUB_OFFLINE and run \`florence-gateway model pull ${repo}\` (with the same --dtype) to download it.`,
      );
    }
    const folder = validate(dir, dtypes);
    return {
      dir,
      repo,
      revision,
      commit: check.manifest.commit,
      dtypes,
      downloaded: [],
      skipped: requiredPaths(dtypes),
      bytes: 0,
      offline: true,
      folder,
    };
  }

  const client = new HubClient({
    endpoint: options.endpoint !== undefined ? normalizeEndpoint(options.endpoint) : settings.endpoint,
    token: options.token ?? settings.token,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.responseTimeoutMs !== undefined ? { responseTimeoutMs: options.responseTimeoutMs } : {}),
    ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
  });
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...options.retry };
  const progress = options.progress ?? silentProgress;

  const listing = await listRepo(client, repo, revision, candidatePaths(), retry);
  const files = selectFiles(listing, dtypes, label);

  await mkdir(dir, { recursive: true });
  const release = await acquirePullLock(dir);
  try {
    const previous = readManifest(dir);
    // A manifest of another repository (a reused --out folder) vouches for nothing here.
    const recorded: Record<string, ManifestFile> = previous?.repo === repo ? { ...previous.files } : {};
    let commit = listing.commit;
    const manifest = (): PullManifest => ({
      format: MANIFEST_FORMAT,
      repo,
      revision,
      commit,
      dtypes,
      files: Object.fromEntries(Object.entries(recorded).sort(([a], [b]) => a.localeCompare(b))),
      updatedAt: new Date().toISOString(),
    });

    const skipped: string[] = [];
    const toDownload: RemoteFile[] = [];
    for (const file of files) {
      const verified = await verifiedCopy(safeJoin(dir, file.path), file, recorded[file.path]);
      if (verified) {
        recorded[file.path] = verified;
        skipped.push(file.path);
      } else {
        delete recorded[file.path];
        toDownload.push(file);
      }
    }

    let bytes = 0;
    const counting: PullProgress = {
      plan: (info) => progress.plan(info),
      fileStart: (path, size, resumeFrom) => progress.fileStart(path, size, resumeFrom),
      bytes: (count) => {
        bytes += count;
        progress.bytes(count);
      },
      rewind: (count) => progress.rewind(count),
      fileDone: (path) => progress.fileDone(path),
      retry: (message, delayMs) => progress.retry(message, delayMs),
      done: (summary) => progress.done(summary),
      fail: () => progress.fail(),
    };
    if (toDownload.length > 0) {
      const totalBytes = toDownload.reduce((sum, file) => sum + (file.size ?? 0), 0);
      progress.plan({ label, dir, files: toDownload.length, bytes: totalBytes, skipped: skipped.length });
    }
    try {
      for (const file of toDownload) {
        const target = safeJoin(dir, file.path);
        const result = await downloadFile({ client, repo, revision: listing.commit ?? revision, retry, progress: counting }, file, target);
        commit ??= result.commit;
        const { mtimeMs } = await stat(target);
        recorded[file.path] = {
          size: result.digest.size,
          sha256: result.digest.sha256,
          mtimeMs,
          ...(file.gitOid !== undefined && result.digest.gitOid !== undefined ? { gitOid: result.digest.gitOid } : {}),
        };
        // Recorded file by file: an interrupted pull still knows what it finished.
        await writeManifest(dir, manifest());
        progress.fileDone(file.path);
      }
    } catch (error) {
      progress.fail();
      throw error;
    }
    if (toDownload.length > 0) progress.done({ files: toDownload.length, bytes });
    await writeManifest(dir, manifest());
    const folder = validate(dir, dtypes);
    return { dir, repo, revision, commit, dtypes, downloaded: toDownload.map((file) => file.path), skipped, bytes, offline: false, folder };
  } finally {
    await release();
  }
}

/**
 * Whether `dir` holds a complete pull of `repo` for these dtypes, by the manifest and file sizes
 * alone (no hashing, no request): fast enough for every server start.
 */
export function checkCachedModel(
  dir: string,
  wanted: { readonly repo: string; readonly dtypes: DtypeMap; readonly revision?: string },
): CacheCheck {
  const paths = requiredPaths(wanted.dtypes);
  const manifest = readManifest(dir);
  if (!manifest) {
    return {
      complete: false,
      missing: paths,
      reason: existsSync(dir) ? 'it has no readable pull manifest (.florence-pull.json)' : 'the folder does not exist',
    };
  }
  if (manifest.repo !== wanted.repo) return { complete: false, missing: paths, reason: `it holds ${manifest.repo}` };
  if (wanted.revision !== undefined && wanted.revision !== manifest.revision && wanted.revision !== manifest.commit) {
    return {
      complete: false,
      missing: paths,
      reason: `it holds revision ${manifest.revision}${manifest.commit ? ` (${manifest.commit})` : ''}`,
    };
  }
  const missing = paths.filter((path) => {
    const entry = manifest.files[path];
    if (!entry) return true;
    try {
      return statSync(safeJoin(dir, path)).size !== entry.size;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) return { complete: false, missing, reason: `missing or incomplete: ${missing.join(', ')}` };
  return { complete: true, manifest };
}

/** The manifest entry for a file already in place and matching the hub's size and hash, else undefined. */
async function verifiedCopy(path: string, file: RemoteFile, entry: ManifestFile | undefined): Promise<ManifestFile | undefined> {
  if (!existsSync(path)) return undefined;
  const { size, mtimeMs } = await stat(path);
  if (file.size !== undefined && size !== file.size) return undefined;
  const hashKnown = file.sha256 !== undefined || file.gitOid !== undefined;
  if (entry && entry.size === size && entry.mtimeMs === mtimeMs) {
    const sameSha = file.sha256 === undefined || entry.sha256 === file.sha256;
    const sameOid = file.gitOid === undefined || entry.gitOid === file.gitOid;
    if (sameSha && sameOid) return entry;
  }
  // Without a hash to compare with, an unrecorded file cannot be vouched for: download it.
  if (!hashKnown) return undefined;
  // Unrecorded or touched since: hashing is far cheaper than downloading again.
  const digest = await hashFile(path, file.gitOid !== undefined ? size : undefined);
  if (file.sha256 !== undefined && digest.sha256 !== file.sha256) return undefined;
  if (file.gitOid !== undefined && digest.gitOid !== file.gitOid) return undefined;
  return { size, sha256: digest.sha256, mtimeMs, ...(digest.gitOid !== undefined ? { gitOid: digest.gitOid } : {}) };
}

function validate(dir: string, dtypes: DtypeMap): ModelFolder {
  try {
    return openModelFolder(dir, dtypes);
  } catch (error) {
    throw new HubError('integrity', `the pulled folder does not load: ${(error as Error).message}`, { cause: error });
  }
}
