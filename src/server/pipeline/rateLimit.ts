/**
 * Per-client rate limiting with rate-limiter-flexible: a fixed window of `points` requests per
 * `durationSeconds` for each client, the client being its API key (when keys are on and it sent a
 * valid one) or else its IP address (IPv6 by /64, what one subscriber usually holds). Past the
 * limit: 429, `Retry-After`, and a GraphQL-shaped RATE_LIMITED error. Every answer carries
 * `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds).
 *
 * Counts live in memory, or in Redis when one is given, so that replicas share them. A Redis that
 * is down or not yet connected never fails a request: each process counts in memory meanwhile
 * (rate-limiter-flexible's insurance limiter), and Redis takes over again when it answers.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import ipaddr from 'ipaddr.js';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '../../shared/logger.js';
import { closeRedisClient, createRedisClient } from '../../cache/redisClient.js';
import { authenticatedClientId } from './apiKeys.js';
import { sendGraphQLError } from './graphqlErrorResponse.js';

/** A parsed `RATE_LIMIT`: `points` requests per `durationSeconds`. */
export interface RateLimitSetting {
  readonly points: number;
  readonly durationSeconds: number;
}

export interface RateLimitOptions {
  readonly limit: RateLimitSetting;
  /**
   * `redis://…` to share counts between replicas (the gateway passes CACHE_URL when it names Redis).
   * Default: none, counts in this process's memory.
   */
  readonly redisUrl?: string | undefined;
  /**
   * Prefix of the Redis keys (`<prefix>:<client>`). Default `DEFAULT_RATE_LIMIT_PREFIX`
   * (`florence:ratelimit`), beside the results cache's `florence::` keys; tests use their own.
   */
  readonly keyPrefix?: string;
  /** Who a request counts against. Default: the authenticated API key's id, else the IP (IPv6 by /64). */
  readonly clientKey?: (req: Request, res: Response) => string;
  /** Where Redis trouble is reported (debug) and limiter failures (warn). Default: silent. */
  readonly logger?: Logger;
}

/** The middleware, and `close()` to release its Redis connection at shutdown. */
export type RateLimitMiddleware = RequestHandler & { close(): Promise<void>; readonly limiter: RateLimiter };

/** Short, and next to the cache's `florence` namespace so an operator sees whose keys these are. */
export const DEFAULT_RATE_LIMIT_PREFIX = 'florence:ratelimit';
/** Window units `RATE_LIMIT` accepts, in seconds. */
const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  sec: 1,
  second: 1,
  min: 60,
  minute: 60,
  h: 3600,
  hour: 3600,
  d: 86_400,
  day: 86_400,
};
/** Longest window: one day. Counts in memory live that long, and longer windows are quotas, not rate limits. */
const MAX_WINDOW_SECONDS = 86_400;
/** Most requests per window (a sanity bound: beyond it the limit is not limiting anything). */
const MAX_POINTS = 1_000_000;
const RATE_LIMIT_SYNTAX = '<requests>/[<count>]<unit> with unit s, min, h or d, e.g. 60/min, 1000/h, 10/30s';

/**
 * `RATE_LIMIT` → a setting; unset or empty means off. The syntax is `<requests>/[<count>]<unit>`:
 * `60/min`, `1000/h`, `10/30s`, `5/second`. Throws an Error with the syntax when the text is not that.
 */
export function parseRateLimit(text: string | undefined): RateLimitSetting | undefined {
  const trimmed = text?.trim() ?? '';
  if (trimmed === '') return undefined;
  const match = /^(\d{1,7})\s*\/\s*(\d{1,6})?\s*([a-z]+?)s?$/i.exec(trimmed);
  const unit = match ? UNIT_SECONDS[match[3]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new Error(`RATE_LIMIT must be ${RATE_LIMIT_SYNTAX}; got ${JSON.stringify(trimmed.slice(0, 40))}`);
  const points = Number(match[1]);
  const durationSeconds = Number(match[2] ?? '1') * unit;
  if (points < 1 || points > MAX_POINTS) throw new Error(`RATE_LIMIT allows 1 to ${MAX_POINTS} requests per window; got ${points}`);
  if (durationSeconds < 1 || durationSeconds > MAX_WINDOW_SECONDS)
    throw new Error(`RATE_LIMIT's window must be 1 s to 1 day; got ${durationSeconds} s`);
  return { points, durationSeconds };
}

/** "60 requests per minute", "10 requests per 30 seconds". */
export function describeRateLimit({ points, durationSeconds }: RateLimitSetting): string {
  const requests = `${points} request${points === 1 ? '' : 's'}`;
  for (const [seconds, name] of [
    [86_400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ] as const) {
    if (durationSeconds % seconds === 0) {
      const count = durationSeconds / seconds;
      return count === 1 ? `${requests} per ${name}` : `${requests} per ${count} ${name}s`;
    }
  }
  return `${requests} per ${durationSeconds} seconds`;
}

/** A limiter's answer for one request: let through (with the window's state), or refused with when to retry. */
export type RateDecision =
  | { readonly allowed: true; readonly state: RateLimiterRes | undefined }
  | { readonly allowed: false; readonly state: RateLimiterRes; readonly retryAfterSeconds: number; readonly message: string };

/** The counting behind the middleware, for other entry points (WebSocket subscriptions) too. */
export interface RateLimiter {
  readonly points: number;
  consume(clientKey: string): Promise<RateDecision>;
  close(): Promise<void>;
}

export function createRateLimiter(options: Omit<RateLimitOptions, 'clientKey'>): RateLimiter {
  const { points, durationSeconds } = options.limit;
  const keyPrefix = options.keyPrefix ?? DEFAULT_RATE_LIMIT_PREFIX;
  const memory = new RateLimiterMemory({ points, duration: durationSeconds, keyPrefix });
  const redis = options.redisUrl
    ? redisLimiter(options.redisUrl, { points, duration: durationSeconds, keyPrefix, insuranceLimiter: memory }, options.logger)
    : undefined;
  const limiter = redis?.limiter ?? memory;
  const policy = describeRateLimit(options.limit);
  return {
    points,
    async consume(clientKey) {
      try {
        return { allowed: true, state: await limiter.consume(clientKey) };
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) {
          // Both stores failed (cannot happen with the memory insurance, but never block on our fault).
          options.logger?.warn({ err: rejection }, 'rate limiter failed; request let through');
          return { allowed: true, state: undefined };
        }
        const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        return {
          allowed: false,
          state: rejection,
          retryAfterSeconds,
          message: `too many requests: this server allows ${policy} per client; retry in ${retryAfterSeconds} s`,
        };
      }
    },
    close: redis?.close ?? (async () => undefined),
  };
}

export function rateLimitMiddleware(options: RateLimitOptions): RateLimitMiddleware {
  const limiter = createRateLimiter(options);
  const clientKey = options.clientKey ?? defaultClientKey;
  const handler = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const decision = await limiter.consume(clientKey(req, res));
    if (decision.state) setRateLimitHeaders(res, limiter.points, decision.state);
    if (decision.allowed) return next();
    res.setHeader('retry-after', String(decision.retryAfterSeconds));
    sendGraphQLError(res, 429, 'RATE_LIMITED', decision.message);
  };
  return Object.assign(handler, { close: limiter.close, limiter });
}

function setRateLimitHeaders(res: Response, points: number, state: RateLimiterRes): void {
  res.setHeader('ratelimit-limit', String(points));
  res.setHeader('ratelimit-remaining', String(Math.max(0, state.remainingPoints)));
  res.setHeader('ratelimit-reset', String(Math.max(0, Math.ceil(state.msBeforeNext / 1000))));
}

/** The authenticated API key's id, else the IP: IPv4-mapped IPv6 as IPv4, other IPv6 by its /64. */
function defaultClientKey(req: Request, res: Response): string {
  return clientKeyOf(req.ip ?? req.socket.remoteAddress, authenticatedClientId(res));
}

/** Who a request counts against: the authenticated API key's id, else the address (IPv6 by /64, one household's prefix). */
export function clientKeyOf(remoteAddress: string | undefined, apiClientId: string | undefined): string {
  if (apiClientId) return apiClientId;
  const address = remoteAddress ?? 'unknown';
  if (!ipaddr.isValid(address)) return `ip:${address}`;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return `ip:${parsed.toString()}`;
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `ip6:${parts.join(':')}::/64`;
}

function redisLimiter(
  url: string,
  limits: { points: number; duration: number; keyPrefix: string; insuranceLimiter: RateLimiterMemory },
  logger: Logger | undefined,
): { limiter: RateLimiterRedis; close(): Promise<void> } {
  // Fails at once while disconnected, so the memory insurance counts instead of requests waiting;
  // errors are only debug lines, since the insurance limiter covers.
  const client = createRedisClient({ url, onError: (error: unknown) => logger?.debug({ err: error }, 'rate limiter redis error') });
  // In the background: until it is ready, rejectIfRedisNotReady sends every count to memory.
  client.connect().catch((error: unknown) => logger?.debug({ err: error }, 'rate limiter redis connect failed; counting in memory'));
  const limiter = new RateLimiterRedis({
    storeClient: client,
    // node-redis v4+ API (eval with { keys, arguments }); its client is not detected by class name.
    useRedisPackage: true,
    rejectIfRedisNotReady: true,
    ...limits,
  });
  return {
    limiter,
    close: () => closeRedisClient(client, "the rate limiter's redis"),
  };
}
