/**
 * The hub's HTTP protocol as huggingface_hub and @huggingface/hub use it: resolve URLs, bearer
 * auth, redirects followed by hand (so the token never reaches the CDN an LFS file redirects to),
 * and the metadata headers (`x-repo-commit`, `x-linked-size`, `x-linked-etag`, `etag`). Requests
 * time out while waiting for headers and while a body stalls; both surface as retryable
 * `network` errors.
 */
import { HubError } from './errors.js';
import { describeNetworkFailure } from './networkFailure.js';
import { encodeRepoPath, parseRepoId } from './safePaths.js';

/** The subset of `fetch` this client uses; tests may inject their own. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface HubClientOptions {
  /** e.g. https://huggingface.co (HF_ENDPOINT). */
  readonly endpoint: string;
  /** HF_TOKEN: sent as a bearer token to the endpoint's origin only. */
  readonly token?: string | undefined;
  readonly fetch?: FetchLike;
  /** Wait for response headers at most this long. */
  readonly responseTimeoutMs?: number;
  /** Give up on a body that delivers nothing for this long. */
  readonly idleTimeoutMs?: number;
}

/** Hub and CDN answer within seconds; 30 s covers a cold CDN edge without hanging on a dead host. */
export const DEFAULT_RESPONSE_TIMEOUT_MS = 30_000;
/** A stalled body for a minute is a dead connection; resume on a fresh one. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** The hub redirects at most twice (renamed repo, then CDN); ten catches loops. */
const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Statuses that mean "try again later" rather than "this will never work". */
const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const USER_AGENT = 'florence-gateway (node; hub client)';

/** What the hub says about a file: size and hash before the bytes arrive. */
export interface FileMetadata {
  /** `x-linked-size` (LFS) or the content length of the hub's own 200 response. */
  readonly size: number | undefined;
  /** `x-linked-etag` (LFS: the sha256) or the hub's `etag` (regular files: the git blob sha1), unquoted. */
  readonly etag: string | undefined;
  /** `x-repo-commit`: the commit the revision resolved to. */
  readonly commit: string | undefined;
  /** True when the hub sent the x-linked-* headers (an LFS file). */
  readonly lfs: boolean;
}

export interface HubResponse {
  /** The final, non-redirect response (the CDN's for a redirected LFS file). */
  readonly response: Response;
  readonly url: string;
  readonly metadata: FileMetadata;
  /** The body as chunks, each read under the idle timeout. */
  chunks(): AsyncIterable<Uint8Array>;
  /** Drops the connection (unread body included) and clears the timers. */
  close(): void;
}

export interface RequestOptions {
  readonly method?: 'GET' | 'HEAD';
  readonly headers?: Readonly<Record<string, string>>;
  /** 'hub-only' stops at a redirect to another origin (a HEAD needs only the hub's headers). */
  readonly redirects?: 'follow' | 'hub-only';
}

export class HubClient {
  readonly endpoint: string;
  readonly #origin: string;
  readonly #token: string | undefined;
  readonly #fetch: FetchLike;
  readonly #responseTimeoutMs: number;
  readonly #idleTimeoutMs: number;

  constructor(options: HubClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.#origin = new URL(this.endpoint).origin;
    this.#token = options.token || undefined;
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.#responseTimeoutMs = options.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  }

  get hasToken(): boolean {
    return this.#token !== undefined;
  }

  /** `${endpoint}/${repo}/resolve/${revision}/${path}`, the URL every hub client downloads from. */
  fileUrl(repo: string, revision: string, path: string): string {
    parseRepoId(repo);
    return `${this.endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${encodeRepoPath(path)}`;
  }

  /** `${endpoint}/api/models/${repo}/${suffix}`. */
  apiUrl(repo: string, suffix: string): string {
    parseRepoId(repo);
    return `${this.endpoint}/api/models/${repo}/${suffix}`;
  }

  /** Issues a request, following redirects; the token goes only to the hub's own origin. */
  async request(url: string, options: RequestOptions = {}): Promise<HubResponse> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number, why: string): void => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new HubError('network', `${why} (${ms / 1000} s) for ${redact(url)}`)), ms);
    };
    const close = (): void => {
      clearTimeout(timer);
      if (!controller.signal.aborted) controller.abort(new HubError('network', 'request closed'));
    };
    const hubHops: Response[] = [];
    let current = new URL(url);
    // Once a redirect leaves the hub's origin the token stays behind, even if a later hop comes back.
    let sendToken = this.#token !== undefined && current.origin === this.#origin;
    try {
      for (let hop = 0; ; hop++) {
        const headers: Record<string, string> = {
          'user-agent': USER_AGENT,
          // Byte ranges and sizes refer to the stored bytes; a transparently decompressed body would not match them.
          'accept-encoding': 'identity',
          ...options.headers,
        };
        if (sendToken) headers['authorization'] = `Bearer ${this.#token}`;
        arm(this.#responseTimeoutMs, 'no response');
        const response = await this.#fetch(current.href, {
          method: options.method ?? 'GET',
          headers,
          redirect: 'manual',
          signal: controller.signal,
        });
        clearTimeout(timer);
        const onHub = current.origin === this.#origin;
        if (onHub) hubHops.push(response);
        if (!REDIRECT_STATUSES.has(response.status)) {
          return this.#wrap(response, current.href, hubHops, controller, arm, close);
        }
        const location = response.headers.get('location');
        if (!location) throw new HubError('protocol', `${response.status} redirect without a Location header from ${redact(current.href)}`);
        const next = new URL(location, current);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new HubError('protocol', `refusing a redirect to ${next.protocol} from ${redact(current.href)}`);
        }
        if (next.origin !== this.#origin) {
          sendToken = false;
          if (options.redirects === 'hub-only') return this.#wrap(response, current.href, hubHops, controller, arm, close);
        }
        await response.body?.cancel().catch(() => undefined);
        if (hop >= MAX_REDIRECTS) throw new HubError('protocol', `more than ${MAX_REDIRECTS} redirects from ${redact(url)}`);
        current = next;
      }
    } catch (error) {
      // The error first: close() aborts the controller, whose reason would then stand in for it.
      const failure = toHubError(error, controller.signal, current.href, 'cannot reach');
      close();
      throw failure;
    }
  }

  /** GET a JSON API document; returns the status and, for 200, the parsed body. */
  async getJson(url: string): Promise<{ status: number; body: unknown; headers: Headers }> {
    const reply = await this.request(url, { headers: { accept: 'application/json' } });
    try {
      if (reply.response.status !== 200) return { status: reply.response.status, body: undefined, headers: reply.response.headers };
      const chunks: Uint8Array[] = [];
      for await (const chunk of reply.chunks()) chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        return { status: 200, body: JSON.parse(text) as unknown, headers: reply.response.headers };
      } catch {
        // A mirror that answers API paths with an HTML page: not an API, so not JSON.
        return { status: 200, body: undefined, headers: reply.response.headers };
      }
    } finally {
      reply.close();
    }
  }

  /** The error for a non-success status, with the hub's own explanation when it sent one. */
  statusError(status: number, headers: Headers, what: string): HubError {
    const hubMessage = headers
      .get('x-error-message')
      ?.replace(/[\0-\x1f]/g, ' ')
      .slice(0, 300);
    const detail = hubMessage ? ` (${hubMessage})` : '';
    if (status === 401 || status === 403) {
      const hint = this.hasToken
        ? 'the HF_TOKEN was refused or lacks access to this repository'
        : 'the repository may be private or gated, or may not exist: set HF_TOKEN to a token with access';
      return new HubError('auth', `${status} for ${what}${detail}: ${hint}`);
    }
    if (status === 404) return new HubError('not-found', `404 for ${what}${detail}: no such repository, revision or file`);
    if (TRANSIENT_STATUSES.has(status)) return new HubError('network', `${status} for ${what}${detail}`);
    return new HubError('protocol', `unexpected ${status} for ${what}${detail}`);
  }

  #wrap(
    response: Response,
    url: string,
    hubHops: readonly Response[],
    controller: AbortController,
    arm: (ms: number, why: string) => void,
    close: () => void,
  ): HubResponse {
    const idleMs = this.#idleTimeoutMs;
    const metadata = readMetadata(hubHops, response);
    return {
      response,
      url,
      metadata,
      close,
      chunks: () => ({
        async *[Symbol.asyncIterator]() {
          const body = response.body;
          if (!body) return;
          const reader = body.getReader();
          try {
            for (;;) {
              arm(idleMs, 'no data');
              const { done, value } = (await reader.read()) as { done: boolean; value: unknown };
              if (done) break;
              if (!(value instanceof Uint8Array)) throw new HubError('protocol', `non-byte body chunk from ${redact(url)}`);
              yield value;
            }
          } catch (error) {
            throw toHubError(error, controller.signal, url, 'lost the connection to');
          } finally {
            close();
            reader.releaseLock();
          }
        },
      }),
    };
  }
}

/** Metadata from the hub's own responses; the CDN's headers describe its storage, not the file. */
function readMetadata(hubHops: readonly Response[], final: Response): FileMetadata {
  const first = (name: string): string | undefined => {
    for (const hop of hubHops) {
      const value = hop.headers.get(name);
      if (value) return value;
    }
    return undefined;
  };
  const linkedSize = first('x-linked-size');
  const linkedEtag = first('x-linked-etag');
  const finalIsHub = hubHops.includes(final);
  const contentLength = final.status === 200 ? final.headers.get('content-length') : null;
  const sizeText = linkedSize ?? contentLength ?? undefined;
  const size = sizeText !== undefined && /^\d+$/.test(sizeText) ? Number(sizeText) : undefined;
  const etagText = linkedEtag ?? (finalIsHub ? (final.headers.get('etag') ?? undefined) : undefined);
  return {
    size,
    etag: etagText === undefined ? undefined : normalizeEtag(etagText),
    commit: first('x-repo-commit'),
    lfs: linkedEtag !== undefined || linkedSize !== undefined,
  };
}

/** `W/"abc"` → `abc`: huggingface_hub's normalisation (weak marker and quotes are not part of the hash). */
export function normalizeEtag(etag: string): string {
  return etag
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
}

/** The URL without its query string: CDN URLs carry signatures that should not land in logs. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url;
  }
}

/**
 * A failed request or body as a `network` HubError: our own timeouts as they were raised, anything
 * else with its real reason, e.g. "cannot reach huggingface.co: DNS lookup failed (ENOTFOUND) for
 * https://huggingface.co/api/models/…".
 */
function toHubError(error: unknown, signal: AbortSignal, url: string, what: 'cannot reach' | 'lost the connection to'): HubError {
  if (error instanceof HubError) return error;
  if (signal.aborted && signal.reason instanceof HubError) return signal.reason;
  const host = URL.canParse(url) ? new URL(url).host : url;
  return new HubError('network', `${what} ${host}: ${describeNetworkFailure(error)} for ${redact(url)}`, { cause: error });
}
