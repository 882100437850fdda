/** Messages between the benchmark orchestrator and its contender processes (over IPC). */
import type { GraphUsage } from '../src/engine/work.js';

/**
 * The contenders: workloads 1–5 run `gateway`, `naive` and `transformers.js`; workload 6 and the
 * latency probes compare `gateway` (SCHEDULER=continuous, the default) with `gateway-batch`
 * (SCHEDULER=batch, the batch-at-a-time engine).
 */
export type ContenderName = 'gateway' | 'gateway-batch' | 'naive' | 'transformers.js';

export type Command =
  | { readonly type: 'start'; readonly modelDir: string; readonly dtype: 'fp32' | 'q8' }
  /** Runs a workload's tasks the contender's way on the given images (PNG bytes, base64). */
  | { readonly type: 'run'; readonly workload: WorkloadId; readonly images: readonly string[]; readonly tokens: number }
  | { readonly type: 'usage' }
  /** The process's event-loop delay since the last reset; `reset`: start a new window after reading. */
  | { readonly type: 'eventLoop'; readonly reset: boolean }
  | { readonly type: 'stop' };

export type WorkloadId = 'cascade' | 'fourTasks' | 'throughput' | 'cold';

/**
 * How late the main thread's timers fired (perf_hooks.monitorEventLoopDelay), in ms. The histogram
 * records the interval between ticks of a timer of period `resolutionMs`; these values are that
 * interval less the period, so 0 is a loop that was never late.
 */
export interface EventLoopDelay {
  readonly samples: number;
  readonly resolutionMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

export type Reply =
  | { readonly type: 'ready'; readonly url?: string; readonly loadMs: number }
  | { readonly type: 'done'; readonly wallMs: number; readonly texts: readonly string[] }
  /**
   * ORT busy ms since start in total and per graph (null where unknown), the process's peak RSS,
   * and the peak since the previous usage reply.
   */
  | {
      readonly type: 'usage';
      readonly ortBusyMs: number | null;
      readonly graphs: GraphUsage | null;
      readonly maxRssBytes: number;
      readonly peakRssBytes: number;
    }
  | ({ readonly type: 'eventLoop' } & EventLoopDelay)
  | { readonly type: 'error'; readonly message: string };
