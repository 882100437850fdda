/** The benchmark's results: the JSON shape written to disk, and the table printed for people. */
import type { ContenderName, WorkloadId } from './protocol.js';

export interface ContenderRun {
  readonly contender: ContenderName;
  readonly wallMs: number;
  /** Model tasks the contender ran for the workload. */
  readonly tasks: number;
  /** Time inside onnxruntime during the workload (null where it cannot be measured). */
  readonly ortBusyMs: number | null;
  /** Peak resident memory of the contender's process during the workload. */
  readonly peakRssBytes: number;
  readonly firstText: string;
}

export interface WorkloadResult {
  readonly workload: WorkloadId;
  readonly title: string;
  readonly round: number;
  readonly runs: readonly ContenderRun[];
}

export interface WarmResult {
  readonly connections: number;
  readonly durationS: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

export interface BenchReport {
  readonly date: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly memoryGiB: number; readonly node: string };
  readonly model: { readonly size: string; readonly dtype?: string; readonly dir: string; readonly tokensPerTask: number };
  readonly loadMs: Record<string, number>;
  /** Whole-run peak RSS per contender process. */
  readonly peakRssBytes: Record<string, number>;
  readonly workloads: readonly WorkloadResult[];
  readonly warm?: WarmResult;
}

const TARGETS: Partial<Record<WorkloadId, string>> = {
  cascade: '≥ 5× tjs',
  fourTasks: '≥ 3× tjs',
  throughput: '≥ 1.5× naive',
  cold: '≥ 1× tjs',
};

/** Markdown tables: per workload (median over rounds) and the warm-cache load test. */
export function formatReport(report: BenchReport): string {
  const lines: string[] = [];
  const mb = (bytes: number | undefined) => (bytes === undefined ? '–' : `${Math.round(bytes / 1024 ** 2)}`);
  lines.push(
    `Synthetic Florence-2-${report.model.size}, ${report.model.dtype ?? 'fp32'}, ${report.model.tokensPerTask} tokens per task; ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}; ${report.date.slice(0, 10)}`,
    '',
    '| workload | ours (s) | naive (s) | transformers.js (s) | speed-up vs tjs | vs naive | target | ORT busy ÷ wall (ours) | peak RSS MB ours / naive / tjs |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  const ids = [...new Set(report.workloads.map((result) => result.workload))];
  for (const id of ids) {
    const rounds = report.workloads.filter((result) => result.workload === id);
    const wall = (name: ContenderName) => median(rounds.flatMap((result) => result.runs.filter((run) => run.contender === name).map((run) => run.wallMs)));
    const ours = wall('gateway');
    const naive = wall('naive');
    const tjs = wall('transformers.js');
    const busy = median(rounds.flatMap((result) => result.runs.filter((run) => run.contender === 'gateway' && run.ortBusyMs !== null).map((run) => run.ortBusyMs! / run.wallMs)));
    const peak = (name: ContenderName) => Math.max(...rounds.flatMap((result) => result.runs.filter((run) => run.contender === name).map((run) => run.peakRssBytes)));
    const seconds = (ms: number | undefined) => (ms === undefined ? '–' : (ms / 1000).toFixed(2));
    const ratio = (theirs: number | undefined) => (theirs === undefined || ours === undefined ? '–' : `${(theirs / ours).toFixed(2)}×`);
    const peaks = (['gateway', 'naive', 'transformers.js'] as const).map((name) => (Number.isFinite(peak(name)) ? mb(peak(name)) : '–')).join(' / ');
    lines.push(
      `| ${rounds[0]!.title} | ${seconds(ours)} | ${seconds(naive)} | ${seconds(tjs)} | ${ratio(tjs)} | ${ratio(naive)} | ${TARGETS[id] ?? ''} | ${busy === undefined ? '–' : busy.toFixed(2)} | ${peaks} |`,
    );
  }
  if (report.warm) {
    const warm = report.warm;
    lines.push(
      '',
      `4. warm cache (the cascade by id, ${warm.connections} connections, ${warm.durationS} s): p50 ${warm.p50Ms} ms, p99 ${warm.p99Ms} ms, ${Math.round(warm.requestsPerSecond)} requests/s, ${warm.non2xx} non-2xx, ${warm.errors} errors (targets: p50 ≤ 3 ms, ≥ 1500 requests/s)`,
    );
  }
  lines.push('', `Whole-run peak RSS (MB): ${Object.entries(report.peakRssBytes).map(([name, bytes]) => `${name} ${mb(bytes)}`).join(', ')}`);
  return lines.join('\n');
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
