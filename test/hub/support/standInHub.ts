/**
 * A stand-in for the Hugging Face hub on 127.0.0.1, serving a model folder as one repository with
 * the real hub's protocol: resolve URLs with `x-repo-commit`, `etag` and, for LFS files (the
 * .onnx graphs), `x-linked-size` / `x-linked-etag`; the revision and tree APIs; Range requests;
 * and optionally the hub's redirect of LFS files to a CDN on another origin. Faults can be
 * injected per file: drop the connection after N bytes, serve corrupted bytes, answer 500 once.
 * Every request is recorded so tests can assert what was (and was not) asked and sent.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, sep } from 'node:path';

export interface StandInHubOptions {
  /** The folder served as the repository's files. */
  readonly sourceDir: string;
  readonly repo?: string;
  /** The commit `main` resolves to (40 hex). */
  readonly commit?: string;
  /** Redirect LFS files to a second server, as the hub does to its CDN. */
  readonly redirectLfs?: boolean;
  /** Serve the revision and tree APIs (default true); false answers them 404, like a resolve-only mirror. */
  readonly api?: boolean;
  /** Entries appended to the tree listing, e.g. an unsafe path. */
  readonly extraTreeEntries?: readonly unknown[];
  /** Answer 401 to hub requests without `Authorization: Bearer <token>`. */
  readonly requiredToken?: string;
}

export interface RecordedRequest {
  readonly server: 'hub' | 'cdn';
  readonly method: string;
  /** The repository file path for resolve and CDN requests; the URL path otherwise. */
  readonly file: string | undefined;
  readonly url: string;
  readonly range: string | undefined;
  readonly authorization: string | undefined;
  status: number;
  /** Body bytes written (before any injected drop). */
  bytesSent: number;
}

interface HostedFile {
  readonly path: string;
  readonly bytes: Buffer;
  readonly sha256: string;
  readonly gitOid: string;
  readonly lfs: boolean;
}

export const STAND_IN_REPO = 'onnx-community/Florence-2-base-ft';
export const STAND_IN_COMMIT = 'c0ffee'.padEnd(40, '0');
/** What the real hub's LFS pointer files weigh; only reported in the tree listing. */
const LFS_POINTER_SIZE = 134;

export class StandInHub {
  readonly requests: RecordedRequest[] = [];
  readonly files: ReadonlyMap<string, HostedFile>;
  readonly repo: string;
  readonly commit: string;
  endpoint = '';
  cdnOrigin = '';
  /** Answer Range requests with the whole file (200), as some proxies do. */
  ignoreRange = false;
  readonly #options: StandInHubOptions;
  readonly #hub: Server;
  readonly #cdn: Server;
  readonly #drops = new Map<string, { after: number; times: number; stall: boolean }>();
  readonly #corrupt = new Set<string>();
  readonly #failures = new Map<string, { status: number; times: number }>();

  private constructor(options: StandInHubOptions) {
    this.#options = options;
    this.repo = options.repo ?? STAND_IN_REPO;
    this.commit = options.commit ?? STAND_IN_COMMIT;
    this.files = loadFiles(options.sourceDir);
    this.#hub = createServer((req, res) => this.#onHub(req, res));
    this.#cdn = createServer((req, res) => this.#onCdn(req, res));
  }

  static async start(options: StandInHubOptions): Promise<StandInHub> {
    const hub = new StandInHub(options);
    hub.endpoint = `http://127.0.0.1:${await listen(hub.#hub)}`;
    hub.cdnOrigin = `http://127.0.0.1:${await listen(hub.#cdn)}`;
    return hub;
  }

  async close(): Promise<void> {
    for (const server of [this.#hub, this.#cdn]) {
      if (!server.listening) continue;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** The CDN goes away (its port refuses connections) while the hub keeps answering, as behind a firewall that blocks it. */
  async closeCdn(): Promise<void> {
    this.#cdn.closeAllConnections();
    await new Promise<void>((resolve) => this.#cdn.close(() => resolve()));
  }

  /** The next `times` downloads of `path` send `after` body bytes, then the connection drops. */
  dropAfter(path: string, after: number, times = 1): void {
    this.#drops.set(path, { after, times, stall: false });
  }

  /** The next `times` downloads of `path` send `after` body bytes, then nothing more (the connection stays open). */
  stallAfter(path: string, after: number, times = 1): void {
    this.#drops.set(path, { after, times, stall: true });
  }

  /** Downloads of `path` carry one flipped byte (same size, wrong hash) until `reset`. */
  corrupt(path: string): void {
    this.#corrupt.add(path);
  }

  /** The next `times` requests for `path` (HEAD or GET, hub or CDN) answer `status`. */
  fail(path: string, status = 500, times = 1): void {
    this.#failures.set(path, { status, times });
  }

  /** Clears faults and the request log. */
  reset(): void {
    this.#drops.clear();
    this.#corrupt.clear();
    this.#failures.clear();
    this.requests.length = 0;
  }

  /** The GET requests that transferred `path`'s bytes (the CDN's for redirected files). */
  downloadsOf(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.file === path && r.method === 'GET' && (r.status === 200 || r.status === 206));
  }

  #record(server: 'hub' | 'cdn', req: IncomingMessage, file: string | undefined): RecordedRequest {
    const entry: RecordedRequest = {
      server,
      method: req.method ?? 'GET',
      file,
      url: req.url ?? '',
      range: header(req, 'range'),
      authorization: header(req, 'authorization'),
      status: 0,
      bytesSent: 0,
    };
    this.requests.push(entry);
    return entry;
  }

  #onHub(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = decodeURIComponent(url.pathname);
    const resolvePrefix = `/${this.repo}/resolve/`;
    const file = path.startsWith(resolvePrefix) ? path.slice(resolvePrefix.length).split('/').slice(1).join('/') : undefined;
    const record = this.#record('hub', req, file);
    const { requiredToken } = this.#options;
    if (requiredToken !== undefined && record.authorization !== `Bearer ${requiredToken}`) {
      return end(res, record, 401, { 'x-error-code': 'GatedRepo', 'x-error-message': 'Access to this repository is restricted.' });
    }
    const apiPrefix = `/api/models/${this.repo}/`;
    if (path.startsWith(apiPrefix)) {
      if (this.#options.api === false) return end(res, record, 404);
      const [kind, ...rest] = path.slice(apiPrefix.length).split('/');
      const revision = rest.join('/');
      if (!this.#knownRevision(revision)) return end(res, record, 404, { 'x-error-code': 'RevisionNotFound' });
      if (kind === 'revision') {
        return json(res, record, { id: this.repo, sha: this.commit, siblings: [...this.files.keys()].map((rfilename) => ({ rfilename })) });
      }
      if (kind === 'tree' && url.searchParams.get('recursive') === 'true')
        return json(res, record, [...this.#tree(), ...(this.#options.extraTreeEntries ?? [])]);
      return end(res, record, 404);
    }
    if (file === undefined) return end(res, record, 404, { 'x-error-code': 'RepoNotFound' });
    const revision = path.slice(resolvePrefix.length).split('/')[0] ?? '';
    if (!this.#knownRevision(revision)) return end(res, record, 404, { 'x-error-code': 'RevisionNotFound' });
    const hosted = this.files.get(file);
    if (!hosted) return end(res, record, 404, { 'x-error-code': 'EntryNotFound' });
    if (this.#failed(res, record, file)) return;
    const headers: Record<string, string> = { 'x-repo-commit': this.commit, etag: `"${hosted.lfs ? hosted.sha256 : hosted.gitOid}"` };
    if (hosted.lfs) {
      headers['x-linked-size'] = String(hosted.bytes.length);
      headers['x-linked-etag'] = `"${hosted.sha256}"`;
    }
    if (hosted.lfs && this.#options.redirectLfs) {
      // The hub signs CDN URLs; the signature in the query string must not reach any log.
      return end(res, record, 302, {
        ...headers,
        location: `${this.cdnOrigin}/repos/lfs/${hosted.sha256}?X-Amz-Signature=secret-signature`,
      });
    }
    this.#serveBytes(req, res, record, hosted, headers);
  }

  #onCdn(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://cdn');
    const sha = /^\/repos\/lfs\/([0-9a-f]{64})$/.exec(url.pathname)?.[1];
    const hosted = [...this.files.values()].find((file) => file.sha256 === sha);
    const record = this.#record('cdn', req, hosted?.path);
    if (!hosted) return end(res, record, 404);
    if (this.#failed(res, record, hosted.path)) return;
    // A CDN's etag describes its storage object, not the file's hash.
    this.#serveBytes(req, res, record, hosted, { etag: `"cdn-${hosted.sha256.slice(0, 8)}"` });
  }

  #failed(res: ServerResponse, record: RecordedRequest, file: string): boolean {
    const failure = this.#failures.get(file);
    if (!failure || failure.times <= 0) return false;
    failure.times--;
    end(res, record, failure.status);
    return true;
  }

  #serveBytes(
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    hosted: HostedFile,
    headers: Record<string, string>,
  ): void {
    let bytes = hosted.bytes;
    if (this.#corrupt.has(hosted.path)) {
      bytes = Buffer.from(bytes);
      const middle = Math.floor(bytes.length / 2);
      bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    }
    const size = bytes.length;
    let start = 0;
    let status = 200;
    const range = this.ignoreRange ? undefined : record.range;
    const responseHeaders: Record<string, string> = { ...headers, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
    if (range !== undefined) {
      const match = /^bytes=(\d+)-(\d*)$/.exec(range);
      if (!match) return end(res, record, 400);
      start = Number(match[1]);
      if (start >= size) return end(res, record, 416, { ...responseHeaders, 'content-range': `bytes */${size}` });
      status = 206;
      responseHeaders['content-range'] = `bytes ${start}-${size - 1}/${size}`;
    }
    const body = bytes.subarray(start);
    responseHeaders['content-length'] = String(body.length);
    record.status = status;
    res.writeHead(status, responseHeaders);
    if (req.method === 'HEAD') return void res.end();
    const drop = this.#drops.get(hosted.path);
    if (drop && drop.times > 0) {
      drop.times--;
      const sent = body.subarray(0, Math.min(drop.after, body.length));
      record.bytesSent = sent.length;
      if (drop.stall) return void res.write(sent);
      // Destroy only once the bytes are handed to the kernel, so the client really receives them.
      res.write(sent, () => res.socket?.destroy());
      return;
    }
    record.bytesSent = body.length;
    res.end(body);
  }

  #knownRevision(revision: string): boolean {
    return revision === 'main' || revision === this.commit;
  }

  #tree(): unknown[] {
    const dirs = new Set<string>();
    const entries: unknown[] = [];
    for (const file of this.files.values()) {
      const parts = file.path.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
      entries.push({
        type: 'file',
        // For an LFS file the git oid is the pointer's, not the content's.
        oid: file.lfs ? sha1(`pointer ${file.sha256}`) : file.gitOid,
        size: file.bytes.length,
        path: file.path,
        ...(file.lfs ? { lfs: { oid: file.sha256, size: file.bytes.length, pointerSize: LFS_POINTER_SIZE } } : {}),
      });
    }
    return [...[...dirs].map((path) => ({ type: 'directory', oid: sha1(`tree ${path}`), size: 0, path })), ...entries];
  }
}

function loadFiles(root: string): Map<string, HostedFile> {
  const files = new Map<string, HostedFile>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const path = relative(root, full).split(sep).join('/');
        const bytes = readFileSync(full);
        const git = createHash('sha1');
        git.update(`blob ${bytes.length}\0`);
        git.update(bytes);
        files.set(path, {
          path,
          bytes,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          gitOid: git.digest('hex'),
          lfs: path.endsWith('.onnx'),
        });
      }
    }
  };
  walk(root);
  return files;
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function end(res: ServerResponse, record: RecordedRequest, status: number, headers: Record<string, string> = {}): void {
  record.status = status;
  res.writeHead(status, headers);
  res.end();
}

function json(res: ServerResponse, record: RecordedRequest, body: unknown): void {
  const text = JSON.stringify(body);
  record.status = 200;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}
