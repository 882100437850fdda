/**
 * Optional API keys. When keys are configured, a request must carry one as `Authorization: Bearer
 * <key>` or `x-api-key: <key>`; otherwise it is answered 401 (UNAUTHENTICATED) before any work.
 *
 * Keys are compared as SHA-256 digests with `timingSafeEqual`, against every configured key, so
 * the time taken says nothing about how much of a guess was right or which key matched. Keys are
 * never logged or echoed; downstream (the rate limiter, logs) sees only a pseudonymous client id.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendGraphQLError } from './graphqlErrorResponse.js';

export interface ApiKeyOptions {
  /** The accepted keys; at least one. Parse `API_KEYS` with `parseApiKeys`. */
  readonly keys: readonly string[];
  /** The realm in `WWW-Authenticate`. Default `florence-gateway`: names the service to a client that asks. */
  readonly realm?: string;
}

/** Shorter keys can be guessed or brute-forced; `openssl rand -hex 32` gives 64 characters. */
export const MIN_API_KEY_LENGTH = 16;
/** Longer than any sane secret; bounds what a header may make us hash. */
export const MAX_API_KEY_LENGTH = 256;
/** Visible ASCII without commas (the list separator): what survives headers and env files intact. */
const KEY_CHARACTERS = /^[\x21-\x2b\x2d-\x7e]+$/;
/** Hex digits of the key digest in a client id: unique enough to tell clients apart, useless to an attacker. */
const CLIENT_ID_HEX_DIGITS = 16;
/** Where the middleware leaves the authenticated client id for later middleware (`res.locals`). */
const CLIENT_ID_LOCAL = 'apiClientId';

/**
 * `API_KEYS` → the keys: comma-separated, blanks around them ignored. Unset or empty means no keys
 * (the API is open). Throws an Error naming the entry (by position, never by value) that is unusable.
 */
export function parseApiKeys(text: string | undefined): string[] {
  if (text === undefined || text.trim() === '') return [];
  const keys = text.split(',').map((key) => key.trim());
  keys.forEach((key, i) => {
    const entry = `API_KEYS entry ${i + 1} of ${keys.length}`;
    if (key === '') throw new Error(`${entry} is empty; separate keys with single commas`);
    if (!KEY_CHARACTERS.test(key)) throw new Error(`${entry} has a character other than visible ASCII (no spaces or commas inside a key)`);
    if (key.length < MIN_API_KEY_LENGTH || key.length > MAX_API_KEY_LENGTH) {
      throw new Error(
        `${entry} is ${key.length} characters; keys must be ${MIN_API_KEY_LENGTH} to ${MAX_API_KEY_LENGTH} (e.g. \`openssl rand -hex 32\`)`,
      );
    }
  });
  return keys;
}

/** The pseudonymous id of the client the API key middleware let through, if it did. */
export function authenticatedClientId(res: Response): string | undefined {
  const id: unknown = res.locals[CLIENT_ID_LOCAL];
  return typeof id === 'string' ? id : undefined;
}

/** What a presented key amounts to: the client's id, or why it is refused. */
export type ApiKeyVerdict = { readonly clientId: string } | { readonly refusal: 'missing' | 'invalid'; readonly message: string };

/** Checks presented keys against the accepted ones (HTTP requests and WebSocket connections alike). */
export function createApiKeyCheck(keys: readonly string[]): (presented: string | undefined) => ApiKeyVerdict {
  if (keys.length === 0) throw new RangeError('apiKeyMiddleware needs at least one key; leave it out to keep the API open');
  const digests = keys.map(digest);
  return (presented) => {
    if (presented === undefined) {
      return { refusal: 'missing', message: 'this server needs an API key: send "Authorization: Bearer <key>" or "x-api-key: <key>"' };
    }
    const candidate = digest(presented.slice(0, MAX_API_KEY_LENGTH + 1));
    let matched = false;
    // Every key is compared, whatever matched earlier: no early exit for timing to reveal.
    for (const known of digests) matched = timingSafeEqual(candidate, known) || matched;
    if (!matched) return { refusal: 'invalid', message: 'the API key is not valid' };
    return { clientId: `key:${candidate.toString('hex').slice(0, CLIENT_ID_HEX_DIGITS)}` };
  };
}

export function apiKeyMiddleware(options: ApiKeyOptions): RequestHandler {
  const check = createApiKeyCheck(options.keys);
  const realm = options.realm ?? 'florence-gateway';
  return (req: Request, res: Response, next: NextFunction) => {
    // CORS preflights carry no credentials by design and run nothing.
    if (req.method === 'OPTIONS') return next();
    const verdict = check(presentedKey(req.headers));
    if ('refusal' in verdict) {
      res.setHeader(
        'www-authenticate',
        verdict.refusal === 'missing' ? `Bearer realm="${realm}"` : `Bearer realm="${realm}", error="invalid_token"`,
      );
      sendGraphQLError(res, 401, 'UNAUTHENTICATED', verdict.message);
      return;
    }
    res.locals[CLIENT_ID_LOCAL] = verdict.clientId;
    next();
  };
}

/**
 * The key from `Authorization: Bearer …` or else `x-api-key`; undefined when neither holds one.
 * Works on request headers and on a WebSocket's connection parameters (same names).
 */
export function presentedKey(headers: Readonly<Record<string, unknown>>): string | undefined {
  const authorization = headers['authorization'] ?? headers['Authorization'];
  const bearer = typeof authorization === 'string' ? authorization.match(/^Bearer\s+(\S+)\s*$/i)?.[1] : undefined;
  if (bearer) return bearer.slice(0, MAX_API_KEY_LENGTH + 1);
  const header = headers['x-api-key'];
  const first: unknown = Array.isArray(header) ? header[0] : header;
  const value = typeof first === 'string' ? first.trim() : undefined;
  return value ? value.slice(0, MAX_API_KEY_LENGTH + 1) : undefined;
}

/** Equal-length digests, as timingSafeEqual requires, whatever the lengths of the keys. */
function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
