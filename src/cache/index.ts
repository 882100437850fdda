/** The cache layer's public surface: build a store from CACHE_URL, build keys, fingerprint a model. */
export { createCacheStore, parseCacheUrl, DEFAULT_CACHE_URL, type CacheStoreOptions, type CacheTarget } from './createStore.js';
export { ResilientResultCache, type CacheStats, type ResultCache, type Validator } from './resultCache.js';
export { RedisWorkLock, DEFAULT_WORK_LOCK_TTL_MS, type WorkLock, type WorkLockStats, type ComputeOnceOptions } from './workLock.js';
export { resultCacheKey, uploadKey, featureKey, canonicalJson, type ResultKeyParts } from './cacheKey.js';
export { modelFingerprint, type ModelFingerprintOptions } from './modelFingerprint.js';
export { CacheConfigError, CacheError, CacheKeyError, type CacheErrorCode } from './errors.js';
