/**
 * Loads the model and assembles the process-wide services the resolvers use. The model runs on
 * worker threads (src/engine/worker/), so the request thread stays free while it works.
 */
import { basename } from 'node:path';
import type { ResultCache } from '../cache/resultCache.js';
import type { Logger } from '../shared/logger.js';
import { modelFingerprint } from '../cache/modelFingerprint.js';
import { Engine, type EngineObserver } from '../engine/engine.js';
import { ModelWorkers } from '../engine/worker/modelWorkers.js';
import type { GatewayServices } from '../graphql/services.js';
import { UploadStore } from '../graphql/uploads.js';
import type { GatewayConfig } from './config.js';

export interface LoadedModel {
  readonly services: GatewayServices;
  /** The engine the services' runner is: closing it stops the model workers. */
  readonly engine: Engine;
  readonly workers: ModelWorkers;
}

export async function loadServices(
  config: GatewayConfig,
  modelDir: string,
  cache: ResultCache,
  logger: Logger,
  observer?: EngineObserver,
): Promise<LoadedModel> {
  const started = performance.now();
  const workers = await ModelWorkers.start({
    modelDir,
    dtype: config.dtype,
    threads: config.threads,
    device: config.device,
    imageLimits: { maxPixels: config.imageLimits.maxPixels },
    visionStages: config.visionStages,
  });
  const dtype =
    typeof config.dtype === 'string'
      ? config.dtype
      : Object.entries(config.dtype)
          .map(([module, d]) => `${module}=${d}`)
          .join(',');
  let fingerprint: string;
  try {
    fingerprint = await modelFingerprint(modelDir, { variant: dtype });
  } catch (error) {
    await workers.close();
    throw error;
  }
  if (workers.deviceFallback) logger.warn({ requested: config.device, device: workers.device }, workers.deviceFallback);
  logger.info({ modelDir, dtype, fingerprint, ms: Math.round(performance.now() - started) }, 'model loaded');
  const engine = new Engine(workers, { modelFingerprint: fingerprint, ...config.engine, ...(observer ? { observer } : {}) });
  const { config: modelConfig } = workers.folder;
  return {
    engine,
    workers,
    services: {
      runner: engine,
      cache,
      model: {
        id: basename(modelDir),
        fingerprint,
        dtype,
        device: workers.device,
        hiddenSize: modelConfig.dModel,
        decoderLayers: modelConfig.decoderLayers,
      },
      imageLimits: config.imageLimits,
      generationDefaults: { numBeams: config.numBeams, maxNewTokens: config.maxNewTokens },
      uploads: new UploadStore(cache, config.uploadTtlMs),
      maxImagesPerQuery: config.maxImagesPerQuery,
      logger,
    },
  };
}
