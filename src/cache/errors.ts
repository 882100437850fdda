/**
 * Typed errors of the cache layer. Only configuration and key-building mistakes throw: store
 * failures never reach callers (they degrade to memory), so there is no error type for them here.
 */
import { CodedError } from '../shared/errors.js';

/** Stable machine-readable codes, so callers map failures without parsing messages. */
export type CacheErrorCode = 'CACHE_CONFIG' | 'CACHE_KEY';

export class CacheError extends CodedError<CacheErrorCode> {}

/** A `CACHE_URL` or cache option that cannot be used: bad URL, unknown scheme, unsupported store. */
export class CacheConfigError extends CacheError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CACHE_CONFIG', message, options);
  }
}

/** A key part that would make an ambiguous or unsafe cache key (empty, wrong shape, not hashable). */
export class CacheKeyError extends CacheError {
  constructor(message: string) {
    super('CACHE_KEY', message);
  }
}
