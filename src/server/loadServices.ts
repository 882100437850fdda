/**
 * Loads the model and assembles the process-wide services the resolvers use.
 */
import { basename } from 'node:path';
import type { ResultCache } from '../cache/resultCache.js';
import type { Logger } from '../cache/logger.js';
import { modelFingerprint } from '../cache/modelFingerprint.js';
import { Engine, type EngineObserver } from '../engine/engine.js';
import type { GatewayServices } from '../graphql/services.js';
import { UploadStore } from '../graphql/uploads.js';
import { Florence2 } from '../vision/florence2.js';
import type { GatewayConfig } from './config.js';

export interface LoadedModel {
  readonly services: GatewayServices;
  readonly florence: Florence2;
}

export async function loadServices(config: GatewayConfig, modelDir: string, cache: ResultCache, logger: Logger, observer?: EngineObserver): Promise<LoadedModel> {
  const started = performance.now();
  const florence = await Florence2.load(modelDir, { dtype: config.dtype, threads: config.threads, device: config.device, imageLimits: { maxPixels: config.imageLimits.maxPixels } });
  const dtype = typeof config.dtype === 'string' ? config.dtype : Object.entries(config.dtype).map(([module, d]) => `${module}=${d}`).join(',');
  const fingerprint = await modelFingerprint(modelDir, { variant: dtype });
  const { geometry } = florence;
  if (florence.deviceFallback) logger.warn({ requested: config.device, device: florence.device }, florence.deviceFallback);
  logger.info({ modelDir, dtype, fingerprint, ms: Math.round(performance.now() - started) }, 'model loaded');
  return {
    florence,
    services: {
      runner: new Engine(florence, { modelFingerprint: fingerprint, ...config.engine, ...(observer ? { observer } : {}) }),
      cache,
      model: {
        id: basename(modelDir),
        fingerprint,
        dtype,
        device: florence.device,
        hiddenSize: geometry.dModel,
        decoderLayers: geometry.decoderLayers,
      },
      imageLimits: config.imageLimits,
      generationDefaults: { numBeams: config.numBeams, maxNewTokens: config.maxNewTokens },
      uploads: new UploadStore(cache, config.uploadTtlMs),
      maxImagesPerQuery: config.maxImagesPerQuery,
      logger,
    },
  };
}
