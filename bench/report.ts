/** The benchmark's results: the JSON shape written to disk, and the Markdown tables printed for people. */
import { floorOf, type GraphBusy } from './floor.js';
import { HEALTH_MAX_MS, HEALTH_P99_MS, SHORT_DURING_LONG_FACTOR, STREAM_MARGIN_MS, healthMet, type Goal } from './goals.js';
import type { HealthProbeResult } from './healthProbe.js';
import type { ProbeResults } from './latencyProbes.js';
import type { PolicyRun, UnloadedLatencies } from './mixedTraffic.js';
import type { ContenderName, EventLoopDelay, WorkloadId } from './protocol.js';
import { median } from './stats.js';
import { TRAFFIC_CLASSES, type Capacity, type ClassOutcome, type TrafficClass } from './trafficSummary.js';

export interface ContenderRun {
  readonly contender: ContenderName;
  readonly wallMs: number;
  /** Model tasks the contender ran for the workload. */
  readonly tasks: number;
  /** Time inside onnxruntime during the workload (null where it cannot be measured). */
  readonly ortBusyMs: number | null;
  /** The same per graph (null where it cannot be measured): the floor's parts. */
  readonly graphBusyMs: GraphBusy | null;
  /** Peak resident memory of the contender's process during the workload. */
  readonly peakRssBytes: number;
  readonly firstText: string;
  /** `/healthz` probed during the run (the gateway's cold cascade). */
  readonly health?: HealthProbeResult;
  /** The contender's event-loop delay over the run (the gateway's cold cascade). */
  readonly eventLoop?: EventLoopDelay;
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

/** Workload 6: the unloaded figures, the traffic derived from them, and one run per policy. */
export interface MixedTrafficResult {
  readonly seed: number;
  /** Arrival rate ÷ capacity. */
  readonly loadFactor: number;
  readonly windowMs: number;
  readonly unloaded: UnloadedLatencies;
  readonly capacity: Capacity;
  readonly ratePerSecond: number;
  readonly arrivals: Readonly<Record<TrafficClass, number>>;
  readonly runs: readonly PolicyRun[];
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
  readonly mixed?: MixedTrafficResult;
  /** The latency probes per scheduling policy (`continuous`: the gateway contender; `batch`: gateway-batch). */
  readonly probes?: Partial<Record<'continuous' | 'batch', ProbeResults>>;
  readonly goals: readonly Goal[];
}

const TARGETS: Partial<Record<WorkloadId, string>> = {
  cascade: '≥ 4.3× tjs',
  fourTasks: '≥ 3× tjs',
  throughput: '≥ 1.35× naive',
  cold: '≥ 1× tjs',
};

/** Markdown tables: workloads 1–5 with their floors, the warm cache, workload 6, the probes, responsiveness, goals. */
export function formatReport(report: BenchReport): string {
  const lines: string[] = [
    `Synthetic Florence-2-${report.model.size}, ${report.model.dtype ?? 'fp32'}, ${report.model.tokensPerTask} tokens per task; ` +
      `${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGiB} GiB, ` +
      `Node ${report.machine.node}; ${report.date.slice(0, 10)}`,
  ];
  if (report.workloads.length > 0) lines.push('', ...workloadTable(report), '', ...floorTable(report));
  if (report.warm) {
    const warm = report.warm;
    lines.push(
      '',
      `4. warm cache (the cascade by id, ${warm.connections} connections, ${warm.durationS} s): ` +
        `p50 ${warm.p50Ms} ms, p99 ${warm.p99Ms} ms, ${Math.round(warm.requestsPerSecond)} requests/s, ` +
        `${warm.non2xx} non-2xx, ${warm.errors} errors (targets: p50 ≤ 3 ms, ≥ 1500 requests/s)`,
    );
  }
  if (report.mixed) lines.push('', ...mixedTables(report.mixed));
  if (report.probes && (report.probes.continuous || report.probes.batch)) lines.push('', ...probeTable(report.probes));
  const responsiveness = responsivenessTable(report);
  if (responsiveness.length > 0) lines.push('', ...responsiveness);
  if (report.goals.length > 0) {
    lines.push('', 'Goals:', '');
    for (const goal of report.goals) lines.push(`- ${goal.met ? 'met' : '**missed**'}: ${goal.goal} (${goal.measured})`);
  }
  lines.push(
    '',
    `Whole-run peak RSS (MB): ${Object.entries(report.peakRssBytes)
      .map(([name, bytes]) => `${name} ${mb(bytes)}`)
      .join(', ')}`,
  );
  return lines.join('\n');
}

/** Workloads 1–5: wall times (medians over rounds), our floor next to our time, ratios measured and at the floor. */
function workloadTable(report: BenchReport): string[] {
  const lines = [
    '| workload | ours (s) | floor (s) | naive (s) | transformers.js (s) | speed-up vs tjs | at the floor | vs naive | target | ' +
      'ORT busy ÷ wall (ours) | peak RSS MB ours / naive / tjs |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const rounds of byWorkload(report.workloads)) {
    const id = rounds[0]!.workload;
    const wall = (name: ContenderName) => median(runsOf(rounds, name).map((run) => run.wallMs));
    const ours = wall('gateway');
    const naive = wall('naive');
    const tjs = wall('transformers.js');
    const floor = median(runsOf(rounds, 'gateway').flatMap((run) => (run.graphBusyMs ? [floorOf(run.graphBusyMs).totalMs] : [])));
    const busy = median(runsOf(rounds, 'gateway').flatMap((run) => (run.ortBusyMs === null ? [] : [run.ortBusyMs / run.wallMs])));
    const peak = (name: ContenderName) => {
      const peaks = runsOf(rounds, name).map((run) => run.peakRssBytes);
      return peaks.length > 0 ? mb(Math.max(...peaks)) : '–';
    };
    const ratio = (theirs: number | undefined, base: number | undefined) =>
      theirs === undefined || base === undefined ? '–' : `${(theirs / base).toFixed(2)}×`;
    const peaks = (['gateway', 'naive', 'transformers.js'] as const).map(peak).join(' / ');
    lines.push(
      tableRow([
        rounds[0]!.title,
        seconds(ours),
        seconds(floor),
        seconds(naive),
        seconds(tjs),
        ratio(tjs, ours),
        ratio(tjs, floor),
        ratio(naive, ours),
        TARGETS[id] ?? '',
        busy === undefined ? '–' : busy.toFixed(2),
        peaks,
      ]),
    );
  }
  return lines;
}

/** Where our floor goes, per stage, and what the wall time adds to it. */
function floorTable(report: BenchReport): string[] {
  const lines = [
    'Our floor (summed ORT busy time, medians over rounds) by stage; every graph runs on one thread, one call at a time:',
    '',
    '| workload | vision encoder (s) | text encoder (s) | decoder (s) | floor (s) | ours (s) | ours − floor (s) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const rounds of byWorkload(report.workloads)) {
    const runs = runsOf(rounds, 'gateway').filter((run) => run.graphBusyMs !== null);
    if (runs.length === 0) continue;
    const floors = runs.map((run) => floorOf(run.graphBusyMs!));
    const part = (pick: (floor: ReturnType<typeof floorOf>) => number) => median(floors.map(pick));
    const ours = median(runs.map((run) => run.wallMs));
    const total = part((floor) => floor.totalMs);
    lines.push(
      tableRow([
        rounds[0]!.title,
        seconds(part((floor) => floor.visionMs)),
        seconds(part((floor) => floor.textEncoderMs)),
        seconds(part((floor) => floor.decoderMs)),
        seconds(total),
        seconds(ours),
        ours === undefined || total === undefined ? '–' : seconds(ours - total),
      ]),
    );
  }
  return lines.length > 4 ? lines : [];
}

function mixedTables(mixed: MixedTrafficResult): string[] {
  const continuous = mixed.runs.find((run) => run.policy === 'continuous');
  const batch = mixed.runs.find((run) => run.policy === 'batch');
  const counts = TRAFFIC_CLASSES.map(({ name }) => `${mixed.arrivals[name]} ${name}`).join(', ');
  const total = TRAFFIC_CLASSES.reduce((sum, { name }) => sum + mixed.arrivals[name], 0);
  const lines = [
    `6. open-loop mixed traffic: Poisson arrivals at ${mixed.ratePerSecond.toFixed(3)}/s ` +
      `(${mixed.loadFactor} × a capacity of ${mixed.capacity.tasksPerSecond.toFixed(3)}/s = 1 / E[S], ` +
      `E[S] = ${seconds(mixed.capacity.meanServiceMs)} s from the unloaded latencies) for ${(mixed.windowMs / 1000).toFixed(0)} s, ` +
      `seed ${mixed.seed}: ${total} requests (${counts}), the same schedule for both policies, each on fresh images. ` +
      'Latency from the scheduled send to the answer, in seconds:',
    '',
    '| class | unloaded (s) | continuous p50 / p95 / p99 | batch p50 / p95 / p99 | ' +
      'continuous answered: in window + after (failed) | batch answered |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  const outcomeOf = (run: PolicyRun | undefined, name: TrafficClass | 'all') =>
    name === 'all' ? run?.all : run?.classes.find((outcome) => outcome.className === name);
  for (const spec of [...TRAFFIC_CLASSES, undefined]) {
    const name = spec?.name ?? 'all';
    const unloaded = spec ? seconds(mixed.unloaded.medianMs[spec.name]) : `E[S] ${seconds(mixed.capacity.meanServiceMs)}`;
    lines.push(
      tableRow([
        spec?.title ?? 'all',
        unloaded,
        percentiles(outcomeOf(continuous, name)),
        percentiles(outcomeOf(batch, name)),
        answered(outcomeOf(continuous, name)),
        answered(outcomeOf(batch, name)),
      ]),
    );
  }
  lines.push(
    '',
    '| policy | tasks/s in the window | tokens/s in the window | drained at (s) | ORT busy ÷ wall | ' +
      'floor (s): vision / text encoder / decoder | decoder calls (ms each) | latest send (ms) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const run of [continuous, batch]) {
    if (!run) continue;
    const floor = run.graphBusyMs ? floorOf(run.graphBusyMs) : undefined;
    const floorParts = floor
      ? `${seconds(floor.totalMs)}: ${seconds(floor.visionMs)} / ${seconds(floor.textEncoderMs)} / ${seconds(floor.decoderMs)}`
      : '–';
    const decoderCalls = run.graphCalls?.decoder_model_merged;
    const decoderMs = run.graphBusyMs?.decoder_model_merged;
    const calls = decoderCalls && decoderMs !== undefined ? `${decoderCalls} (${(decoderMs / decoderCalls).toFixed(1)})` : '–';
    const busyShare = run.ortBusyMs === null ? '–' : (run.ortBusyMs / run.drainMs).toFixed(2);
    lines.push(
      tableRow([
        run.policy,
        run.tasksPerSecond.toFixed(3),
        run.tokensPerSecond.toFixed(1),
        seconds(run.drainMs),
        busyShare,
        floorParts,
        calls,
        run.maxSendLagMs.toFixed(0),
      ]),
    );
  }
  return lines;
}

function probeTable(probes: NonNullable<BenchReport['probes']>): string[] {
  const { continuous, batch } = probes;
  const samples = (continuous ?? batch)?.streaming.oneTokenMs.length ?? 0;
  const cell = (probe: ProbeResults | undefined, pick: (probe: ProbeResults) => string) => (probe ? pick(probe) : '–');
  const row = (label: string, pick: (probe: ProbeResults) => string, goal: string) =>
    `| ${label} | ${cell(continuous, pick)} | ${cell(batch, pick)} | ${goal} |`;
  return [
    'Latency probes, each on a quiet gateway:',
    '',
    '| probe | continuous | batch | goal |',
    '| --- | --- | --- | --- |',
    row(
      `short task alone (20 tokens, cached features; median of ${samples})`,
      (probe) => `${seconds(probe.shortDuringLong.aloneMedianMs)} s`,
      '',
    ),
    row(
      'the same while a 400-token detailed caption decodes',
      ({ shortDuringLong: { duringMs, aloneMedianMs, shortFinishedFirst } }) =>
        `${seconds(duringMs)} s (${(duringMs / aloneMedianMs).toFixed(1)}×${shortFinishedFirst ? '' : ', after the long one'})`,
      `≤ ${SHORT_DURING_LONG_FACTOR}× alone`,
    ),
    row(`one-token task over HTTP (median of ${samples})`, (probe) => `${probe.streaming.oneTokenMedianMs.toFixed(0)} ms`, ''),
    row(
      `first streamed event of a detailed caption (median of ${samples})`,
      (probe) => `${probe.streaming.firstEventMedianMs.toFixed(0)} ms`,
      `≤ one-token + ${STREAM_MARGIN_MS} ms`,
    ),
  ];
}

/** `/healthz` latency and event-loop delay: during the cold cascade (worst round) and during workload 6. */
function responsivenessTable(report: BenchReport): string[] {
  const rows: string[] = [];
  const cascade = report.workloads.filter((result) => result.workload === 'cascade').flatMap((result) => runsOf([result], 'gateway'));
  const worstRun = cascade.filter((run) => run.health?.latency).sort((a, b) => b.health!.latency!.p99Ms - a.health!.latency!.p99Ms)[0];
  if (worstRun?.health && worstRun.eventLoop)
    rows.push(
      responsivenessRow(`1. cold cascade, continuous${cascade.length > 1 ? ' (worst round)' : ''}`, worstRun.health, worstRun.eventLoop),
    );
  for (const run of report.mixed?.runs ?? []) rows.push(responsivenessRow(`6. mixed traffic, ${run.policy}`, run.health, run.eventLoop));
  if (rows.length === 0) return [];
  const periodMs = (worstRun?.health ?? report.mixed?.runs[0]?.health)?.periodMs ?? 100;
  return [
    `Responsiveness of the gateway's request thread: \`/healthz\` probed every ${periodMs} ms by the orchestrator, ` +
      "and the gateway process's `monitorEventLoopDelay` (how late its timer fired, less the timer's period):",
    '',
    '| window | /healthz p50 / p99 / max (ms) | probes (failed) | event-loop delay p50 / p99 / max (ms) | ' +
      `goal: /healthz p99 ≤ ${HEALTH_P99_MS} ms, max ≤ ${HEALTH_MAX_MS} ms |`,
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ];
}

function responsivenessRow(window: string, health: HealthProbeResult, eventLoop: EventLoopDelay): string {
  const latency = health.latency;
  const probes = latency ? `${latency.p50Ms.toFixed(1)} / ${latency.p99Ms.toFixed(1)} / ${latency.maxMs.toFixed(1)}` : '–';
  const delay = `${eventLoop.p50Ms.toFixed(1)} / ${eventLoop.p99Ms.toFixed(1)} / ${eventLoop.maxMs.toFixed(1)}`;
  const count = `${(latency?.count ?? 0) + health.failures} (${health.failures})`;
  return tableRow([window, probes, count, delay, healthMet(health) ? 'met' : '**missed**']);
}

function percentiles(outcome: ClassOutcome | undefined): string {
  const latency = outcome?.latency;
  return latency ? `${seconds(latency.p50Ms)} / ${seconds(latency.p95Ms)} / ${seconds(latency.p99Ms)}` : '–';
}

function answered(outcome: ClassOutcome | undefined): string {
  return outcome
    ? `${outcome.completedInWindow} + ${outcome.completedAfter} of ${outcome.sent}${outcome.failed ? ` (${outcome.failed})` : ''}`
    : '–';
}

/** Each workload's results over rounds, in the order workloads first appear. */
function byWorkload(results: readonly WorkloadResult[]): WorkloadResult[][] {
  const ids = [...new Set(results.map((result) => result.workload))];
  return ids.map((id) => results.filter((result) => result.workload === id));
}

function runsOf(rounds: readonly WorkloadResult[], name: ContenderName): ContenderRun[] {
  return rounds.flatMap((result) => result.runs.filter((run) => run.contender === name));
}

/** A Markdown table row from its cells. */
function tableRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function seconds(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) ? '–' : (ms / 1000).toFixed(2);
}

function mb(bytes: number | undefined): string {
  return bytes === undefined ? '–' : `${Math.round(bytes / 1024 ** 2)}`;
}
