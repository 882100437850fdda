/**
 * Whole-response cache for repeated queries: an Apollo plugin that answers a query seen before with
 * the same variables from process memory, skipping execution entirely.
 *
 * Every answer is a function of (model, image content, task, input, options), and a query whose
 * images come by id or base64 names its content in its variables, so (model fingerprint, query,
 * operation name, variables) determines the response. Queries with URL images are not stored (the
 * content behind a URL can change), nor are responses with any error (a budget, a deadline, a fetch
 * may go otherwise next time). The per-field results cache (memory or Redis) still serves every
 * other case; this layer only removes the cost of executing ~100 resolvers for a warm repeat.
 */
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLResponse } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { LRUCache } from 'lru-cache';
import { canonicalJson } from '../../cache/cacheKey.js';
import type { GatewayContext } from '../../graphql/context.js';

export interface ResponseCacheOptions {
  /** Bytes of cached response data (JSON length). 0 turns the cache off. Default 64 MiB. */
  readonly maxBytes?: number;
}

/** 64 MiB: thousands of typical responses (a cascade answer is a few kB). */
export const DEFAULT_RESPONSE_CACHE_BYTES = 64 * 1024 * 1024;

export interface ResponseCacheStats {
  hits: number;
  misses: number;
  stored: number;
}

export function responseCachePlugin(options: ResponseCacheOptions = {}): ApolloServerPlugin<GatewayContext> & { stats(): ResponseCacheStats } {
  const maxBytes = options.maxBytes ?? DEFAULT_RESPONSE_CACHE_BYTES;
  const stats: ResponseCacheStats = { hits: 0, misses: 0, stored: 0 };
  const cache = maxBytes > 0 ? new LRUCache<string, { data: Record<string, unknown>; size: number }>({ maxSize: maxBytes, sizeCalculation: (entry) => entry.size }) : undefined;

  return {
    stats: () => ({ ...stats }),
    async requestDidStart() {
      if (!cache) return;
      let key: string | undefined;
      return {
        async responseForOperation(requestContext): Promise<GraphQLResponse | null> {
          if (requestContext.operation.operation !== 'query') return null;
          key = responseKey(requestContext.contextValue.services.model.fingerprint, requestContext.queryHash ?? requestContext.source ?? '', requestContext.operationName, requestContext.request.variables);
          if (key === undefined) return null;
          const hit = cache.get(key);
          if (!hit) {
            stats.misses++;
            return null;
          }
          stats.hits++;
          return { http: { status: undefined, headers: new HeaderMap([['x-response-cache', 'hit']]) }, body: { kind: 'single', singleResult: { data: hit.data } } };
        },
        async willSendResponse(requestContext) {
          const { body } = requestContext.response;
          if (key === undefined || body.kind !== 'single' || body.singleResult.errors || !body.singleResult.data) return;
          if (!requestContext.contextValue.determinism.fromVariables) return;
          if (requestContext.response.http.headers.get('x-response-cache') === 'hit') return;
          const data = body.singleResult.data;
          cache.set(key, { data, size: Math.max(1, JSON.stringify(data).length) });
          stats.stored++;
        },
      };
    },
  };
}

/** The cache key, or undefined for variables that have no canonical form (never cached). */
function responseKey(fingerprint: string, queryHash: string, operationName: string | null | undefined, variables: Record<string, unknown> | undefined): string | undefined {
  let canonicalVariables: string;
  try {
    canonicalVariables = canonicalJson(variables ?? {});
  } catch {
    return undefined;
  }
  return createHash('sha256').update(`${fingerprint}\0${queryHash}\0${operationName ?? ''}\0`).update(canonicalVariables).digest('base64url');
}
