/**
 * What a repository holds at a revision, with sizes and hashes up front.
 *
 * Decision: the revision API (`/api/models/{repo}/revision/{rev}`) pins the revision to a commit,
 * so every file comes from the same snapshot even if the branch moves mid-pull; then the tree API
 * (`/api/models/{repo}/tree/{commit}?recursive=true`) lists every file with its size, git oid and,
 * for LFS files, the sha256, in one request. Mirrors that serve only resolve URLs lack these APIs:
 * then each candidate file gets a HEAD request on its resolve URL and its size and hash come from
 * the `x-linked-*` / `etag` / `content-length` headers (a 404 means absent).
 *
 * Every path the hub returns is untrusted: one unsafe path refuses the whole listing, since a hub
 * that sends one is broken or hostile.
 */
import { HubError } from './errors.js';
import type { HubClient } from './http.js';
import { withRetries, type RetryOptions } from './retry.js';
import { checkRepoPath } from './safePaths.js';

export interface RemoteFile {
  readonly path: string;
  readonly size: number | undefined;
  /** The content's sha256 (an LFS file's oid, or an x-linked-etag). */
  readonly sha256: string | undefined;
  /** The git blob sha1 (a regular file's oid, or its etag). */
  readonly gitOid: string | undefined;
}

export interface RepoListing {
  /** The commit the revision resolved to, when the hub said. */
  readonly commit: string | undefined;
  readonly source: 'tree' | 'head';
  readonly files: ReadonlyMap<string, RemoteFile>;
}

const SHA256 = /^[0-9a-f]{64}$/;
const GIT_OID = /^[0-9a-f]{40}$/;
/** The tree API pages at 1000 entries (via a Link header); Florence repos have < 100 files, so a few pages is plenty. */
const MAX_TREE_PAGES = 20;
/** Parallel HEAD probes in the fallback: enough to hide latency, few enough not to look like a flood. */
const HEAD_CONCURRENCY = 8;
/** API statuses after which the resolve-URL fallback is worth trying (a mirror without the API). */
const NO_API_STATUSES = new Set([400, 404, 405, 410, 501]);

/**
 * The listing is a couple of small requests: one retry covers a blip, and an unreachable hub (no
 * network, DNS failure) must not hold up `serve` start-up for the download's full retry schedule.
 */
const LISTING_ATTEMPTS = 2;

export async function listRepo(
  client: HubClient,
  repo: string,
  revision: string,
  candidates: readonly string[],
  downloadRetry: RetryOptions,
): Promise<RepoListing> {
  const retry: RetryOptions = { ...downloadRetry, attempts: Math.min(downloadRetry.attempts, LISTING_ATTEMPTS) };
  const commit = await resolveCommit(client, repo, revision, retry);
  const files = await withRetries(retry, () => listTree(client, repo, commit ?? revision));
  if (files) return { commit, source: 'tree', files };
  return headListing(client, repo, commit ?? revision, candidates, retry, commit);
}

/** The commit sha of `revision`, or undefined when the revision API is unavailable. */
async function resolveCommit(client: HubClient, repo: string, revision: string, retry: RetryOptions): Promise<string | undefined> {
  const url = client.apiUrl(repo, `revision/${encodeURIComponent(revision)}`);
  const reply = await withRetries(retry, async () => {
    const result = await client.getJson(url);
    if (result.status === 401 || result.status === 403) throw client.statusError(result.status, result.headers, `${repo}@${revision}`);
    if (result.status >= 500 || result.status === 429) throw client.statusError(result.status, result.headers, url);
    return result;
  });
  const sha = isRecord(reply.body) ? reply.body['sha'] : undefined;
  return typeof sha === 'string' && GIT_OID.test(sha) ? sha : undefined;
}

/** Every file of the tree, or undefined when the tree API is not served here. */
async function listTree(client: HubClient, repo: string, revision: string): Promise<Map<string, RemoteFile> | undefined> {
  const files = new Map<string, RemoteFile>();
  let url: string | undefined = client.apiUrl(repo, `tree/${encodeURIComponent(revision)}?recursive=true`);
  for (let page = 0; url !== undefined; page++) {
    if (page >= MAX_TREE_PAGES) throw new HubError('protocol', `the tree listing of ${repo} has more than ${MAX_TREE_PAGES} pages`);
    const reply = await client.getJson(url);
    if (reply.status !== 200) {
      const error = client.statusError(reply.status, reply.headers, `the file listing of ${repo}@${revision}`);
      if (error.kind === 'auth' || error.kind === 'network') throw error;
      if (page === 0 && NO_API_STATUSES.has(reply.status)) return undefined;
      throw error;
    }
    if (!Array.isArray(reply.body)) {
      if (page === 0) return undefined;
      throw new HubError('protocol', `the tree listing of ${repo} is not a JSON array`);
    }
    for (const entry of reply.body) {
      const file = parseTreeEntry(entry, repo);
      if (file) files.set(file.path, file);
    }
    url = nextPage(reply.headers.get('link'), client.endpoint);
  }
  return files;
}

function parseTreeEntry(entry: unknown, repo: string): RemoteFile | undefined {
  if (!isRecord(entry) || typeof entry['path'] !== 'string')
    throw new HubError('protocol', `malformed tree entry from ${repo}: ${JSON.stringify(entry)?.slice(0, 200)}`);
  // Directories are checked too: an unsafe name anywhere says the listing cannot be trusted.
  const path = checkRepoPath(entry['path'], `the tree listing of ${repo}`);
  if (entry['type'] !== 'file') return undefined;
  const lfs = isRecord(entry['lfs']) ? entry['lfs'] : undefined;
  const size = lfs && isSize(lfs['size']) ? lfs['size'] : isSize(entry['size']) ? entry['size'] : undefined;
  const lfsOid = lfs && typeof lfs['oid'] === 'string' && SHA256.test(lfs['oid']) ? lfs['oid'] : undefined;
  const oid = typeof entry['oid'] === 'string' && GIT_OID.test(entry['oid']) ? entry['oid'] : undefined;
  // An LFS entry's own oid hashes the pointer file, not the content; only lfs.oid describes the bytes.
  return { path, size, sha256: lfsOid, gitOid: lfs ? undefined : oid };
}

/** The `rel="next"` URL of a Link header, only when it stays on the hub. */
function nextPage(link: string | null, endpoint: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (!match?.[1]) continue;
    const next = new URL(match[1], endpoint);
    if (next.origin !== new URL(endpoint).origin) throw new HubError('protocol', `refusing a tree page on another host: ${next.origin}`);
    return next.href;
  }
  return undefined;
}

/** The fallback: one HEAD per candidate path; absent files answer 404. */
async function headListing(
  client: HubClient,
  repo: string,
  revision: string,
  candidates: readonly string[],
  retry: RetryOptions,
  knownCommit: string | undefined,
): Promise<RepoListing> {
  const files = new Map<string, RemoteFile>();
  let commit = knownCommit;
  const queue = [...candidates];
  const worker = async (): Promise<void> => {
    for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
      const file = await withRetries(retry, () => headFile(client, repo, revision, path));
      if (!file) continue;
      files.set(path, file.file);
      commit ??= file.commit;
    }
  };
  await Promise.all(Array.from({ length: Math.min(HEAD_CONCURRENCY, queue.length) }, worker));
  // Keep the candidates' order so plans and progress read the same on every run.
  const ordered = new Map(candidates.flatMap((path) => (files.has(path) ? [[path, files.get(path) as RemoteFile] as const] : [])));
  return { commit, source: 'head', files: ordered };
}

async function headFile(
  client: HubClient,
  repo: string,
  revision: string,
  path: string,
): Promise<{ file: RemoteFile; commit: string | undefined } | undefined> {
  const reply = await client.request(client.fileUrl(repo, revision, path), { method: 'HEAD', redirects: 'hub-only' });
  reply.close();
  const status = reply.response.status;
  if (status === 404) return undefined;
  if (status >= 400) throw client.statusError(status, reply.response.headers, `${repo}/${path}`);
  return { file: remoteFileFromMetadata(path, reply.metadata), commit: reply.metadata.commit };
}

/** Size and hash from resolve-URL headers: an LFS etag is a sha256, a regular file's is its git oid. */
export function remoteFileFromMetadata(
  path: string,
  metadata: { size: number | undefined; etag: string | undefined; lfs: boolean },
): RemoteFile {
  const etag = metadata.etag?.toLowerCase();
  return {
    path,
    size: metadata.size,
    sha256: etag !== undefined && SHA256.test(etag) ? etag : undefined,
    gitOid: etag !== undefined && !metadata.lfs && GIT_OID.test(etag) ? etag : undefined,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
