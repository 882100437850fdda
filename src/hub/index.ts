/** Downloading Florence-2 model folders from the Hugging Face hub (or a mirror at HF_ENDPOINT). */
export { HubError, isRetryable, type HubErrorKind } from './errors.js';
export { HubClient, normalizeEtag, type FetchLike, type FileMetadata, type HubClientOptions, type HubResponse } from './http.js';
export { listRepo, type RemoteFile, type RepoListing } from './listing.js';
export { MANIFEST_NAME, readManifest, type ManifestFile, type PullManifest } from './manifest.js';
export { DEFAULT_MODEL_REPO, cachedModelDir, modelCacheRoot } from './modelCache.js';
export { INCOMPLETE_SUFFIX, downloadFile } from './download.js';
export {
  OPTIONAL_JSON_FILES,
  REQUIRED_JSON_FILES,
  availableDtypes,
  describeDtypes,
  onnxPath,
  parseDtypeSpec,
  requiredPaths,
  toDtypeMap,
  type DtypeMap,
} from './plan.js';
export { createProgressReporter, formatBytes, formatDuration, silentProgress, type ProgressStream, type PullProgress } from './progress.js';
export { checkCachedModel, pullModel, type CacheCheck, type PullOptions, type PullResult } from './pull.js';
export { DEFAULT_RETRY, type RetryOptions } from './retry.js';
export { checkRepoPath, isSafeRepoPath, parseRepoId, safeJoin } from './safePaths.js';
export { DEFAULT_HF_ENDPOINT, DEFAULT_REVISION, hubSettingsFromEnv, type HubSettings } from './settings.js';
