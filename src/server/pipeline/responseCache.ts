/**
 * Whole-response cache for repeated queries, in two layers:
 *
 * 1. An Apollo plugin answers a query seen before with the same variables from process memory,
 *    skipping execution (key: model fingerprint, query hash, operation name, canonical variables).
 * 2. An express middleware in front of body parsing answers a byte-identical repeat of a request
 *    with the bytes sent last time, skipping body parsing and Apollo altogether (key: fingerprint,
 *    Accept header, raw body). This is what makes a warm repeat cost well under a millisecond.
 *
 * Every answer is a function of (model, image content, task, input, options), and a query whose
 * images come by id or base64 names its content in its variables, so the key determines the
 * response. Queries with URL images are not stored (the content behind a URL can change), nor
 * are responses with any error (a budget, a deadline, a fetch may go otherwise next time). The
 * per-field results cache (memory or Redis) still serves everything else.
 */
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLResponse } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { LRUCache } from 'lru-cache';
import { variablesDigest } from '../../cache/cacheKey.js';
import type { GatewayContext } from '../../graphql/context.js';

export interface ResponseCacheOptions {
  /** Bytes of cached responses (each layer). 0 turns the cache off. Default 64 MiB. */
  readonly maxBytes?: number;
}

/** 64 MiB per layer: thousands of typical responses (a cascade answer is a few kB). */
export const DEFAULT_RESPONSE_CACHE_BYTES = 64 * 1024 * 1024;

/** What Apollo answers a single JSON result with (it stringifies as JSON + newline). */
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export interface ResponseCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly stored: number;
}

/** A response stored for byte-identical repeats. */
interface StoredBytes {
  readonly body: Buffer;
  readonly operation: string;
}

/** Told about requests the middleware answers itself (they never reach Apollo's plugins). */
export type FastPathObserver = (operation: string, seconds: number) => void;

export class ResponseCache {
  private readonly byQuery: LRUCache<string, { data: Record<string, unknown>; size: number }> | undefined;
  private readonly byBytes: LRUCache<string, StoredBytes> | undefined;
  private counters = { hits: 0, misses: 0, stored: 0 };

  constructor(options: ResponseCacheOptions = {}) {
    const maxBytes = options.maxBytes ?? DEFAULT_RESPONSE_CACHE_BYTES;
    if (maxBytes > 0) {
      this.byQuery = new LRUCache({ maxSize: maxBytes, sizeCalculation: (entry) => entry.size });
      this.byBytes = new LRUCache({ maxSize: maxBytes, sizeCalculation: (entry) => Math.max(1, entry.body.length) });
    }
  }

  stats(): ResponseCacheStats {
    return { ...this.counters };
  }

  /**
   * Express middleware for POST /graphql, in front of body parsing. A hit is answered here; on a
   * miss the body it read is parsed into `req.body` (body-parser then skips the finished request)
   * and the raw key is left in `res.locals.rawResponseKey` for the plugin to store under.
   */
  middleware(fingerprint: () => string | undefined, bodyLimit: number, observe?: FastPathObserver): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const model = fingerprint();
      if (!this.byBytes || model === undefined || !fastPathEligible(req)) return next();
      const started = performance.now();
      readBody(req, bodyLimit).then(
        (raw) => {
          const key = createHash('sha256')
            .update(`${model}\0${req.headers.accept ?? ''}\0`)
            .update(raw)
            .digest('base64url');
          const hit = this.byBytes!.get(key);
          if (hit) {
            this.counters.hits++;
            res.status(200).set({ 'content-type': JSON_CONTENT_TYPE, 'x-response-cache': 'hit' }).end(hit.body);
            observe?.(hit.operation, (performance.now() - started) / 1000);
            return;
          }
          try {
            req.body = JSON.parse(raw.toString('utf8')) as unknown;
          } catch {
            return next(Object.assign(new Error('invalid JSON body'), { status: 400, type: 'entity.parse.failed' }));
          }
          res.locals['rawResponseKey'] = key;
          next();
        },
        (error: unknown) => next(error),
      );
    };
  }

  /** The Apollo plugin: serves semantic repeats, and stores successful deterministic responses in both layers. */
  plugin(): ApolloServerPlugin<GatewayContext> {
    const byQuery = this.byQuery;
    const byBytes = this.byBytes;
    const counters = this.counters;
    return {
      async requestDidStart() {
        if (!byQuery) return;
        let key: string | undefined;
        return {
          async responseForOperation(requestContext): Promise<GraphQLResponse | null> {
            if (requestContext.operation.operation !== 'query') return null;
            key = queryKey(
              requestContext.contextValue.services.model.fingerprint,
              requestContext.queryHash ?? requestContext.source ?? '',
              requestContext.operationName,
              requestContext.request.variables,
            );
            if (key === undefined) return null;
            const hit = byQuery.get(key);
            if (!hit) {
              counters.misses++;
              return null;
            }
            counters.hits++;
            return {
              http: { headers: new HeaderMap([['x-response-cache', 'hit']]) },
              body: { kind: 'single', singleResult: { data: hit.data } },
            };
          },
          async willSendResponse(requestContext) {
            const { body } = requestContext.response;
            if (key === undefined || body.kind !== 'single' || body.singleResult.errors || !body.singleResult.data) return;
            if (!requestContext.contextValue.determinism.fromVariables) return;
            const data = body.singleResult.data;
            const serialized = `${JSON.stringify({ data })}\n`;
            if (requestContext.response.http.headers.get('x-response-cache') !== 'hit') {
              byQuery.set(key, { data, size: Math.max(1, serialized.length) });
              counters.stored++;
            }
            const rawKey = requestContext.contextValue.rawResponseKey;
            if (rawKey && byBytes)
              byBytes.set(rawKey, { body: Buffer.from(serialized), operation: requestContext.operationName ?? 'anonymous' });
          },
        };
      },
    };
  }
}

/**
 * Only plain JSON POSTs take the fast path: compressed or non-UTF-8 bodies, and clients that ask for
 * another response media type, go the normal way (body-parser and Apollo handle them).
 */
function fastPathEligible(req: Request): boolean {
  if (req.method !== 'POST') return false;
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;\s*charset=utf-8\s*)?$/i.test(type)) return false;
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  const accept = req.headers.accept;
  return accept === undefined || !accept.includes('graphql-response');
}

/** The whole body, refusing (as body-parser would) past `limit` bytes. */
function readBody(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      req.resume();
      reject(Object.assign(new Error('request entity too large'), { status: 413, type: 'entity.too.large' }));
      return;
    }
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(Object.assign(new Error('request entity too large'), { status: 413, type: 'entity.too.large' }));
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks, length)));
    req.once('error', reject);
  });
}

/** The semantic key, or undefined for variables that have no canonical form (never cached). */
function queryKey(
  fingerprint: string,
  queryHash: string,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
): string | undefined {
  const digest = variablesDigest(variables);
  if (digest === undefined) return undefined;
  return createHash('sha256')
    .update(`${fingerprint}\0${queryHash}\0${operationName ?? ''}\0${digest}`)
    .digest('base64url');
}
