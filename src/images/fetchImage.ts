/**
 * Fetches a user-given image URL without letting the user aim the gateway at its own network
 * (DESIGN.md §6). Every host is resolved by `createCheckedLookup`, which node:net calls in place of
 * dns.lookup: it checks every address the name resolves to and hands net only those, so the
 * address checked is the address connected to and DNS rebinding between check and connect cannot
 * happen. IP-literal hosts, which net connects to without a lookup, are checked before the request.
 * Redirects are followed by hand so each target is checked the same way.
 *
 * The body is returned as bytes, not trusted as an image: the caller sniffs it with sharp.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { formatByteLimit } from '../shared/bytes.js';
import { CodedError } from '../shared/errors.js';
import { TaskInputError, ImageTooLargeError } from '../vision/errors.js';
import { classifyAddress, describeAddressClass, isIpAddress, type AllowHosts } from './addressPolicy.js';
import { FetchFailedError, FetchRefusedError } from './errors.js';

/** Redirects followed before refusing: enough for http→https plus a CDN hop, short of a loop. */
export const DEFAULT_MAX_REDIRECTS = 3;

/** Sent to every host, so operators can recognise (and rate-limit) the gateway's fetches. */
export const USER_AGENT = 'florence-gateway';

/** Longest URL accepted: far above real image URLs, and bounds what we parse and echo. */
const MAX_URL_LENGTH = 8192;

/** Longest piece of a user's URL quoted back in a message. */
const MAX_ECHO_LENGTH = 200;

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

export interface FetchImageOptions {
  /** Hosts and addresses that skip the address-class check (ALLOW_HOSTS). */
  readonly allowHosts: AllowHosts;
  /** Largest body accepted, checked from Content-Length and again while streaming. */
  readonly maxBytes: number;
  /** One deadline for the whole fetch: every redirect's connect, headers and body together. */
  readonly timeoutMs: number;
  /** Redirects followed before refusing; default DEFAULT_MAX_REDIRECTS (3). */
  readonly maxRedirects?: number;
  /** Cancels the fetch (for example the GraphQL request's deadline). */
  readonly signal?: AbortSignal;
  /** Resolves host names; default dns.lookup. Whatever it returns is still checked before use. */
  readonly resolveHost?: HostResolver;
}

export interface FetchedImage {
  readonly bytes: Uint8Array;
  /** The URL the bytes came from, after redirects. */
  readonly finalUrl: string;
  /** As the server declared it; informative only (the bytes are sniffed, never trusted by type). */
  readonly contentType: string | undefined;
}

/** Every address of `hostname` in the requested family (0: both). */
export type HostResolver = (hostname: string, family: 0 | 4 | 6) => Promise<readonly LookupAddress[]>;

/**
 * GETs `url` (http: or https:) under the address policy, redirect limit, byte limit and deadline.
 * Throws TaskInputError (malformed URL), FetchRefusedError (scheme, credentials, address, redirect
 * limit), FetchFailedError (DNS, connection, status ≥ 400, deadline, cancellation) or
 * ImageTooLargeError (body over maxBytes).
 */
export async function fetchImage(url: string, options: FetchImageOptions): Promise<FetchedImage> {
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  checkOptions(options.maxBytes, options.timeoutMs, maxRedirects);
  const deadline = new Deadline(options.timeoutMs, options.signal);
  const lookup = createCheckedLookup(options.allowHosts, options.resolveHost);
  try {
    let target = parseImageUrl(url);
    for (let redirects = 0; ; redirects++) {
      const outcome = await getOnce(target, lookup, options, deadline, redirects > 0);
      if (outcome.kind === 'body') return { bytes: outcome.bytes, finalUrl: target.href, contentType: outcome.contentType };
      if (redirects >= maxRedirects) {
        throw new FetchRefusedError(
          'redirects',
          `the image URL redirected more than ${maxRedirects} time${maxRedirects === 1 ? '' : 's'}; the limit is ${maxRedirects} redirects`,
        );
      }
      target = redirectTarget(outcome.location, target, outcome.status);
    }
  } finally {
    deadline.dispose();
  }
}

/**
 * A net `lookup` that resolves `hostname`, refuses it if ANY address is outside the policy (a name
 * mixing public and private addresses is an attack, not an accident), and otherwise answers with
 * exactly the addresses it checked. Names and addresses opened by ALLOW_HOSTS skip the check.
 */
export function createCheckedLookup(allowHosts: AllowHosts, resolveHost: HostResolver = resolveWithDns): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    const family = lookupFamily(lookupOptions.family);
    resolveHost(hostname, family)
      .then(
        (addresses) => checkResolved(hostname, family, addresses, allowHosts),
        (error: unknown) => dnsFailure(hostname, error),
      )
      .then((checked) => {
        if (checked instanceof Error) callback(checked, []);
        else if (lookupOptions.all === true) callback(null, [...checked]);
        else callback(null, checked[0]!.address, checked[0]!.family);
      });
  };
}

/** The addresses when every one may be connected to, else the error to fail the connection with. */
function checkResolved(
  hostname: string,
  family: 0 | 4 | 6,
  addresses: readonly LookupAddress[],
  allowHosts: AllowHosts,
): readonly LookupAddress[] | FetchFailedError | FetchRefusedError {
  if (addresses.length === 0)
    return new FetchFailedError('dns', `the image host ${hostname} has no ${family === 0 ? 'IP' : `IPv${family}`} address`);
  const nameAllowed = allowHosts.allowsHost(hostname);
  for (const { address } of addresses) {
    // Only a custom resolver could answer with a non-address; it cannot be classified, so it is not used.
    if (!isIpAddress(address))
      return new FetchFailedError('dns', `the image host ${hostname} resolved to something that is not an IP address`);
    const refusal = nameAllowed ? undefined : addressRefusal(address, allowHosts);
    if (refusal !== undefined) return new FetchRefusedError('address', `the image host ${hostname} resolves to ${refusal}; ${POLICY_HINT}`);
  }
  return addresses;
}

function lookupFamily(family: number | 'IPv4' | 'IPv6' | undefined): 0 | 4 | 6 {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return 0;
}

const POLICY_HINT = 'only public addresses are fetched unless ALLOW_HOSTS lists the host';

type Outcome =
  | { readonly kind: 'body'; readonly bytes: Uint8Array; readonly contentType: string | undefined }
  | { readonly kind: 'redirect'; readonly location: string | undefined; readonly status: number };

/** One GET, without following redirects. */
function getOnce(
  target: URL,
  lookup: LookupFunction,
  options: FetchImageOptions,
  deadline: Deadline,
  redirected: boolean,
): Promise<Outcome> {
  const host = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
  // net connects to IP literals without calling `lookup`, so they are checked here.
  if (isIpAddress(host) && !options.allowHosts.allowsHost(host)) {
    const refusal = addressRefusal(host, options.allowHosts);
    if (refusal !== undefined) {
      const what = redirected ? `the image URL redirected to ${target.hostname}, which is` : `the image host ${target.hostname} is`;
      return Promise.reject(new FetchRefusedError('address', `${what} ${refusal}; ${POLICY_HINT}`));
    }
  }
  if (deadline.signal.aborted) return Promise.reject(deadline.signal.reason);

  return new Promise<Outcome>((resolve, reject) => {
    const transport = target.protocol === 'https:' ? https : http;
    const request = transport.request({
      protocol: target.protocol,
      hostname: host,
      port: target.port === '' ? undefined : Number(target.port),
      path: `${target.pathname}${target.search}`,
      method: 'GET',
      headers: { Host: target.host, 'User-Agent': USER_AGENT, Accept: 'image/*', 'Accept-Encoding': 'identity' },
      lookup,
      // A fresh connection per request: a pooled socket would bypass `lookup`, and so the check.
      agent: false,
    });
    let settled = false;
    const settle = (error: unknown, outcome?: Outcome): void => {
      if (settled) return;
      settled = true;
      deadline.signal.removeEventListener('abort', onAbort);
      if (error !== undefined) {
        request.destroy();
        reject(toFetchError(error, target, redirected));
      } else {
        resolve(outcome!);
      }
    };
    const onAbort = (): void => settle(deadline.signal.reason);
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => settle(error));
    request.on('response', (response) => readResponse(response, options.maxBytes, target, settle));
    request.end();
  });
}

function readResponse(response: IncomingMessage, maxBytes: number, target: URL, settle: (error: unknown, outcome?: Outcome) => void): void {
  const status = response.statusCode ?? 0;
  response.on('error', (error) => settle(error));
  if (REDIRECT_STATUSES.has(status)) {
    response.destroy();
    settle(undefined, { kind: 'redirect', location: response.headers.location, status });
    return;
  }
  if (status < 200 || status >= 300) {
    response.destroy();
    // The server's own reason phrase and body are not echoed: both are whatever the server chose.
    const reason = http.STATUS_CODES[status];
    settle(
      new FetchFailedError(
        'status',
        `${target.host} answered HTTP ${status}${reason === undefined ? '' : ` (${reason})`}; expected 200 with an image`,
        {
          status,
        },
      ),
    );
    return;
  }
  const declared = response.headers['content-length'];
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    settle(
      new ImageTooLargeError(
        `the image at ${target.host} is ${declared} bytes (Content-Length); the limit is ${formatByteLimit(maxBytes)}`,
      ),
    );
    return;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  response.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > maxBytes) {
      settle(
        new ImageTooLargeError(
          `the image at ${target.host} is over ${formatByteLimit(maxBytes)} (received ${received} bytes so far); the limit is ` +
            `${formatByteLimit(maxBytes)}`,
        ),
      );
      return;
    }
    chunks.push(chunk);
  });
  response.on('end', () => {
    const bytes = Buffer.concat(chunks, received);
    settle(undefined, { kind: 'body', bytes, contentType: response.headers['content-type'] });
  });
  response.on('close', () => {
    if (!response.complete) settle(new FetchFailedError('connect', `${target.host} closed the connection before the image was complete`));
  });
}

/** Parses the user's URL: absolute, http(s), no credentials. */
function parseImageUrl(text: string): URL {
  if (text.length > MAX_URL_LENGTH) {
    throw new TaskInputError(`the image URL is ${text.length} characters; the limit is ${MAX_URL_LENGTH}`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TaskInputError(`the image URL is not a valid absolute URL: expected http(s)://host/path, got ${echo(text)}`);
  }
  checkFetchable(url, 'the image URL');
  return url;
}

/** Where a redirect points, checked like the original URL (relative Locations resolve against it). */
function redirectTarget(location: string | undefined, from: URL, status: number): URL {
  if (location === undefined || location === '') {
    throw new FetchFailedError('status', `${from.host} answered HTTP ${status} (a redirect) without a Location header`, { status });
  }
  let url: URL;
  try {
    url = new URL(location, from);
  } catch {
    throw new FetchFailedError('status', `${from.host} answered HTTP ${status} with a Location that is not a valid URL`, { status });
  }
  checkFetchable(url, `the image URL redirected to ${url.protocol === 'http:' || url.protocol === 'https:' ? url.host : 'a URL'}, which`);
  return url;
}

function checkFetchable(url: URL, subject: string): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchRefusedError('scheme', `${subject} uses the ${url.protocol} scheme; only http: and https: images are fetched`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new FetchRefusedError('credentials', `${subject} contains a user name or password; image URLs with credentials are refused`);
  }
}

/** "a loopback address" when `address` is refused, undefined when it may be fetched. */
function addressRefusal(address: string, allowHosts: AllowHosts): string | undefined {
  if (allowHosts.allowsAddress(address)) return undefined;
  const addressClass = classifyAddress(address);
  return addressClass === 'public' ? undefined : describeAddressClass(addressClass);
}

/** Our typed errors pass through; Node's become FetchFailedError naming only the error code. */
function toFetchError(error: unknown, target: URL, redirected: boolean): unknown {
  if (error instanceof FetchRefusedError && redirected && error.reason === 'address') {
    return new FetchRefusedError('address', `the image URL redirected to ${target.hostname}, which was refused: ${error.message}`);
  }
  if (error instanceof CodedError) return error;
  // Node's messages name the resolved IP and port ("connect ECONNREFUSED 10.0.0.5:80"); the code does not.
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
  const what =
    CONNECT_FAILURES[code] ??
    (/CERT|SELF_SIGNED|VERIFY/.test(code)
      ? `its TLS certificate was not accepted (${code})`
      : code.startsWith('HPE_')
        ? `the response is not valid HTTP (${code})`
        : `the connection failed (${code})`);
  return new FetchFailedError('connect', `could not fetch the image from ${target.host}: ${what}`, { cause: error });
}

const CONNECT_FAILURES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'the connection was refused (ECONNREFUSED)',
  ECONNRESET: 'the connection was reset (ECONNRESET)',
  EHOSTUNREACH: 'the host is unreachable (EHOSTUNREACH)',
  ENETUNREACH: 'the network is unreachable (ENETUNREACH)',
  ETIMEDOUT: 'the connection timed out (ETIMEDOUT)',
  EPIPE: 'the connection was closed (EPIPE)',
};

function dnsFailure(hostname: string, error: unknown): FetchFailedError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
  const what = code === 'ENOTFOUND' ? 'no such host' : `DNS lookup failed (${code})`;
  return new FetchFailedError('dns', `the image host ${hostname} could not be resolved: ${what}`, { cause: error });
}

function resolveWithDns(hostname: string, family: 0 | 4 | 6): Promise<readonly LookupAddress[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, family }, (error, addresses) => (error === null ? resolve(addresses) : reject(error)));
  });
}

/** One abort signal for the whole fetch: fires with a typed error at the deadline or on the caller's signal. */
class Deadline {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #onCallerAbort = (): void => {
    this.#controller.abort(new FetchFailedError('cancelled', 'the image fetch was cancelled', { cause: this.#callerSignal?.reason }));
  };

  constructor(timeoutMs: number, callerSignal: AbortSignal | undefined) {
    this.#callerSignal = callerSignal;
    this.#timer = setTimeout(() => {
      this.#controller.abort(
        new FetchFailedError('timeout', `the image was not fetched within ${timeoutMs} ms (connect, headers and body together)`),
      );
    }, timeoutMs);
    if (callerSignal?.aborted === true) this.#onCallerAbort();
    else callerSignal?.addEventListener('abort', this.#onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
  }
}

function checkOptions(maxBytes: number, timeoutMs: number, maxRedirects: number): void {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1)
    throw new RangeError(`fetchImage: maxBytes must be a positive integer, got ${maxBytes}`);
  // setTimeout fires at once for delays over 2^31−1 ms, which would turn a long timeout into none.
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 2 ** 31 - 1) {
    throw new RangeError(`fetchImage: timeoutMs must be an integer from 1 to ${2 ** 31 - 1}, got ${timeoutMs}`);
  }
  if (!Number.isSafeInteger(maxRedirects) || maxRedirects < 0) {
    throw new RangeError(`fetchImage: maxRedirects must be a non-negative integer, got ${maxRedirects}`);
  }
}

function echo(text: string): string {
  return JSON.stringify(text.length > MAX_ECHO_LENGTH ? `${text.slice(0, MAX_ECHO_LENGTH)}…` : text);
}
