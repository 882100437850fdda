/**
 * Process-wide services the resolvers use: one instance per server, shared by every request.
 */
import type { ResultCache } from '../cache/resultCache.js';
import type { Logger } from '../shared/logger.js';
import type { TaskRunner } from '../engine/taskRunner.js';
import type { ImageLimits } from '../images/limits.js';
import type { GenerationOptions } from '../vision/generation/settings.js';
import type { UploadStore } from './uploads.js';

/** What `Query.model` reports. */
export interface ModelDescription {
  readonly id: string;
  readonly fingerprint: string;
  readonly dtype: string;
  readonly device: string;
  readonly hiddenSize: number;
  readonly decoderLayers: number;
}

export interface GatewayServices {
  readonly runner: TaskRunner;
  /** Results, uploads (and, later, spilled features) live here. */
  readonly cache: ResultCache;
  readonly model: ModelDescription;
  readonly imageLimits: ImageLimits;
  /** Server-wide generation defaults; a field's `generation` argument overrides them. */
  readonly generationDefaults: GenerationOptions;
  /** Uploaded images by content id (POST /images), with their time to live. */
  readonly uploads: UploadStore;
  /** Most URLs one `images(urls:)` call may name. */
  readonly maxImagesPerQuery: number;
  readonly logger: Logger;
}
