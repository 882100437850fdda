/**
 * Prometheus metrics (`GET /metrics`): what an operator needs to see a model gateway's health —
 * requests by operation and outcome, task runs and latencies by task and stage, batch sizes,
 * cache hits by layer, queue depth, model load time and device, and the process itself.
 *
 * Counters owned elsewhere (engine, caches) are read when scraped, so the hot paths only bump
 * their own plain counters.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CacheStats } from '../cache/resultCache.js';
import type { WorkLockStats } from '../cache/workLock.js';
import type { EngineObserver, EngineStage, EngineStats } from '../engine/engine.js';

/** Seconds: from a cached field (~1 ms) to a long OCR on a CPU (minutes). */
const LATENCY_BUCKETS = [0.001, 0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Jobs per batch: powers of two up to the engine's largest batch. */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128];

export interface MetricSources {
  engine?: () => EngineStats;
  resultCache?: () => CacheStats;
  responseCache?: () => { hits: number; misses: number };
  workLock?: () => WorkLockStats;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly sources: MetricSources = {};

  readonly requests = new Counter({
    name: 'florence_graphql_requests_total',
    help:
      'GraphQL requests by operation name and outcome (ok, partial: data with errors, error: no data, refused: rejected before ' +
      'execution).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly requestDuration = new Histogram({
    name: 'florence_graphql_request_duration_seconds',
    help: 'Time from receiving a GraphQL request to sending its response.',
    labelNames: ['operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly taskRuns = new Counter({
    name: 'florence_task_runs_total',
    help: 'Model computations by task and outcome (cached and coalesced answers are not runs).',
    labelNames: ['task', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly taskDuration = new Histogram({
    name: 'florence_task_duration_seconds',
    help: 'Time from queueing a computation to its result, by task.',
    labelNames: ['task'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly stageDuration = new Histogram({
    name: 'florence_stage_duration_seconds',
    help: 'Time per batch in each stage: preprocess, vision, encoder, decode, parse.',
    labelNames: ['stage'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly batchJobs = new Histogram({
    name: 'florence_batch_jobs',
    help: 'Computations per engine batch.',
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });

  readonly batchImages = new Histogram({
    name: 'florence_batch_images',
    help: 'Distinct images per engine batch.',
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });

  readonly modelLoadSeconds = new Gauge({
    name: 'florence_model_load_seconds',
    help: 'How long loading the model took.',
    registers: [this.registry],
  });

  readonly modelInfo = new Gauge({
    name: 'florence_model_info',
    help: 'The model served (always 1), with its id, dtype, device and fingerprint as labels.',
    labelNames: ['model', 'dtype', 'device', 'fingerprint'] as const,
    registers: [this.registry],
  });

  readonly deviceFallbacks = new Counter({
    name: 'florence_device_fallbacks_total',
    help: 'Times the configured device could not start and the CPU was used instead.',
    labelNames: ['requested'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const last = { resultHits: 0, resultMisses: 0, featureHits: 0, featureMisses: 0, responseHits: 0, responseMisses: 0 };
    const registry = this.registry;
    const sources = this.sources;
    new Counter({
      name: 'florence_cache_requests_total',
      help:
        'Cache lookups by layer (result: per-field results; features: vision-encoder outputs; response: whole responses), store and ' +
        'outcome.',
      labelNames: ['layer', 'store', 'outcome'] as const,
      registers: [registry],
      // The caches keep their own counters; a scrape adds what each grew by since the last one.
      collect() {
        const grow = (labels: { layer: string; store: string; outcome: string }, key: keyof typeof last, now: number) => {
          if (now > last[key]) this.inc(labels, now - last[key]);
          last[key] = now;
        };
        const engine = sources.engine?.();
        if (engine) {
          grow({ layer: 'features', store: 'memory', outcome: 'hit' }, 'featureHits', engine.features.hits);
          grow({ layer: 'features', store: 'memory', outcome: 'miss' }, 'featureMisses', engine.features.misses);
        }
        const result = sources.resultCache?.();
        if (result) {
          grow({ layer: 'result', store: result.store, outcome: 'hit' }, 'resultHits', result.hits);
          grow({ layer: 'result', store: result.store, outcome: 'miss' }, 'resultMisses', result.misses);
        }
        const response = sources.responseCache?.();
        if (response) {
          grow({ layer: 'response', store: 'memory', outcome: 'hit' }, 'responseHits', response.hits);
          grow({ layer: 'response', store: 'memory', outcome: 'miss' }, 'responseMisses', response.misses);
        }
      },
    });
    const lockSeen: Record<keyof WorkLockStats, number> = { claimed: 0, waited: 0, servedByOthers: 0, takeovers: 0, unlocked: 0 };
    new Counter({
      name: 'florence_work_lock_keys_total',
      help:
        'Missed results by what the cross-replica lock decided: claimed, waited (another replica held it), servedByOthers, takeovers ' +
        '(holder gone), unlocked (Redis could not coordinate).',
      labelNames: ['outcome'] as const,
      registers: [registry],
      collect() {
        const now = sources.workLock?.();
        if (!now) return;
        for (const outcome of Object.keys(lockSeen) as (keyof WorkLockStats)[]) {
          if (now[outcome] > lockSeen[outcome]) this.inc({ outcome }, now[outcome] - lockSeen[outcome]);
          lockSeen[outcome] = now[outcome];
        }
      },
    });
    new Gauge({
      name: 'florence_engine_queue_depth',
      help: 'Computations waiting for a batch.',
      registers: [registry],
      collect() {
        this.set(sources.engine?.().queued ?? 0);
      },
    });
    new Gauge({
      name: 'florence_engine_busy_refusals',
      help: 'Computations refused with BUSY since start.',
      registers: [registry],
      collect() {
        this.set(sources.engine?.().refused ?? 0);
      },
    });
    new Gauge({
      name: 'florence_feature_cache_bytes',
      help: 'Bytes of vision-encoder outputs held in memory.',
      registers: [registry],
      collect() {
        this.set(sources.engine?.().features.bytes ?? 0);
      },
    });
    new Gauge({
      name: 'florence_cache_degraded',
      help: '1 while the results store (e.g. Redis) is unreachable and the in-process fallback serves.',
      registers: [registry],
      collect() {
        this.set(sources.resultCache?.().degraded ? 1 : 0);
      },
    });
  }

  /** Where scrape-time values come from (set once the model and caches exist). */
  attach(sources: MetricSources): void {
    Object.assign(this.sources, sources);
  }

  /** An EngineObserver that records into these metrics. */
  engineObserver(): EngineObserver {
    return {
      batch: (jobs, images) => {
        this.batchJobs.observe(jobs);
        this.batchImages.observe(images);
      },
      stage: (stage: EngineStage, ms) => this.stageDuration.observe({ stage }, ms / 1000),
      task: (task, ms, outcome) => {
        const name = task.replace(/[<>]/g, '');
        this.taskRuns.inc({ task: name, outcome });
        if (outcome === 'ok') this.taskDuration.observe({ task: name }, ms / 1000);
      },
    };
  }
}
