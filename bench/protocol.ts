/** Messages between the benchmark orchestrator and its contender processes (over IPC). */

/** The three contenders of every workload. */
export type ContenderName = 'gateway' | 'naive' | 'transformers.js';

/** One task, as every contender runs it. `input` may name a value produced earlier (see workloads.ts). */
export interface TaskStep {
  readonly task: string;
  readonly input?: string;
}

export type Command =
  | { readonly type: 'start'; readonly modelDir: string; readonly dtype: 'fp32' | 'q8' }
  /** Runs a workload's tasks the contender's way on the given images (PNG bytes, base64). */
  | { readonly type: 'run'; readonly workload: WorkloadId; readonly images: readonly string[]; readonly tokens: number }
  | { readonly type: 'usage' }
  | { readonly type: 'stop' };

export type WorkloadId = 'cascade' | 'fourTasks' | 'throughput' | 'cold';

export type Reply =
  | { readonly type: 'ready'; readonly url?: string; readonly loadMs: number }
  | { readonly type: 'done'; readonly wallMs: number; readonly texts: readonly string[] }
  /** ORT busy ms since start (null where unknown), the process's peak RSS, and the peak since the previous usage reply. */
  | { readonly type: 'usage'; readonly ortBusyMs: number | null; readonly maxRssBytes: number; readonly peakRssBytes: number }
  | { readonly type: 'error'; readonly message: string };
