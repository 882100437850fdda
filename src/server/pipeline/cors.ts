/**
 * Cross-origin calls from browser frontends (CORS), with the `cors` package. Only the origins listed
 * in `CORS_ORIGINS` may read answers from `/graphql` and `/images`; with none listed (the default) a
 * browser allows same-origin pages only (the bundled GraphiQL). Preflights (OPTIONS) are answered here,
 * before the API-key and rate-limit guards: a browser sends them without credentials, and they run
 * nothing. Apollo's CSRF prevention stays on behind this: a cross-origin JSON POST passes it because the
 * browser preflighted it, which is exactly what CORS_ORIGINS allowed.
 *
 * Browsers do not apply CORS to WebSocket upgrades, so a WebSocket endpoint checks the `Origin` header
 * itself with `isAllowedOrigin`.
 */
import cors from 'cors';
import type { RequestHandler } from 'express';

/** What the middleware and `isAllowedOrigin` read from the gateway's configuration. */
export interface CorsSettings {
  /** Exact origins (`scheme://host[:port]`, as browsers send them) that may call the gateway. */
  readonly corsOrigins: readonly string[];
}

/**
 * Request headers our clients send: JSON bodies, the API key (either header), Apollo's CSRF
 * preflight headers, and a request id of the client's own.
 */
export const CORS_ALLOWED_HEADERS = [
  'content-type',
  'authorization',
  'x-api-key',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'x-request-id',
] as const;
/** Response headers a page may read besides the safelisted ones: the request id, and the rate limit's. */
export const CORS_EXPOSED_HEADERS = ['x-request-id', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'] as const;
/** GET and POST /graphql, POST /images and GET /images/{id}. */
const CORS_METHODS = ['GET', 'POST'] as const;
/** 10 min: a page preflights once per endpoint in a while, and a changed CORS_ORIGINS applies soon. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * `CORS_ORIGINS` → the origins: comma-separated, blanks around them ignored; unset or empty means
 * none. Each must be exactly what a browser sends in `Origin` (`https://app.example.com`,
 * `http://localhost:5173`): http or https, lower case, no path, no default port. `*` is refused, since
 * an operator should name who may call. Throws an Error naming the entry and echoing it.
 */
export function parseCorsOrigins(text: string | undefined): string[] {
  if (text === undefined || text.trim() === '') return [];
  const entries = text.split(',').map((entry) => entry.trim());
  return entries.map((entry, i) => {
    const where = `CORS_ORIGINS entry ${i + 1} of ${entries.length}`;
    if (entry === '') throw new Error(`${where} is empty; separate origins with single commas`);
    if (entry === '*')
      throw new Error(`CORS_ORIGINS does not take "*": list each origin that may call the gateway, e.g. https://app.example.com`);
    const shown = JSON.stringify(entry.slice(0, 100));
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new Error(`${where}, ${shown}, is not an origin: expected scheme://host[:port], e.g. https://app.example.com`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${where}, ${shown}, must be an http or https origin`);
    if (url.origin !== entry) {
      throw new Error(
        `${where}, ${shown}, is not an origin as browsers send it (scheme://host[:port]: lower case, no path, no default port); did you ` +
          `mean ${JSON.stringify(url.origin)}?`,
      );
    }
    return entry;
  });
}

/**
 * Whether a browser page at `origin` may call the gateway: its origin is listed in CORS_ORIGINS, or it
 * is the gateway's own (its host equals `ownHost`, the request's `Host` header, when given). A request
 * without an `Origin` header does not come from a page's script (browsers always send one on
 * WebSocket upgrades and cross-origin requests), so it is allowed; API keys guard those.
 */
export function isAllowedOrigin(settings: CorsSettings, origin: string | undefined, ownHost?: string): boolean {
  if (origin === undefined) return true;
  if (settings.corsOrigins.includes(origin)) return true;
  if (ownHost === undefined || !URL.canParse(origin)) return false;
  return new URL(origin).host === ownHost.toLowerCase();
}

/**
 * The CORS middleware for `/graphql` and `/images`: answers preflights itself (204, the allowed
 * methods and headers, `Vary: Origin`), and marks answers to listed origins readable. Credentials
 * (cookies) stay off: the gateway authenticates by header only.
 */
export function corsMiddleware(settings: CorsSettings): RequestHandler {
  return cors({
    // An array: the request's Origin is reflected when it is listed, and `Vary: Origin` is always set.
    origin: [...settings.corsOrigins],
    methods: [...CORS_METHODS],
    allowedHeaders: [...CORS_ALLOWED_HEADERS],
    exposedHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
    credentials: false,
    preflightContinue: false,
    optionsSuccessStatus: 204,
  });
}
