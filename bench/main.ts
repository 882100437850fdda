/**
 * `npm run bench`: the gateway side by side with our runtime called naively and with
 * transformers.js, on the same synthetic Florence-2-base-sized model files, in one run; then the
 * continuous-batching engine against the batch-at-a-time one under open-loop mixed traffic.
 *
 * Each contender lives in its own process (so its memory is its own) and stays loaded; workloads
 * 1–5 run interleaved (every contender does workload k before any does k+1) on fresh images, so no
 * contender benefits from another's caches and machine noise hits all of them alike. Every task
 * generates exactly `--tokens` tokens, so all contenders do identical model work. Our floor (the
 * summed ORT busy time) is printed next to our time.
 *
 * Then, on the gateway (SCHEDULER=continuous) and gateway-batch (SCHEDULER=batch): the latency
 * probes (bench/latencyProbes.ts) and workload 6, open-loop mixed traffic (bench/mixedTraffic.ts).
 * `/healthz` is probed and the event-loop delay recorded during the cold cascade and workload 6.
 *
 *   node dist/bench/main.js [--size base|tiny] [--tokens 45] [--repeat 1] [--dtype fp32|q8]
 *                           [--warm-seconds 10] [--connections 10] [--samples 3]
 *                           [--w6-seconds 120] [--w6-load 0.7] [--w6-seed 6]
 *                           [--skip NAME]... [--out bench/results/latest.json]
 *
 * `--skip` takes a contender (gateway, gateway-batch, naive, transformers.js) or a section
 * (cascade, fourTasks, throughput, cold, warm, probes, mixed); repeat it to skip several.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { ensureSyntheticModel } from '../src/synth/cache.js';
import { poissonSchedule } from './arrivals.js';
import { ContenderProcess } from './contenderProcess.js';
import { evaluateGoals } from './goals.js';
import { GatewayClient } from './gatewayClient.js';
import { startHealthProbe } from './healthProbe.js';
import { runLatencyProbes, type ProbeResults } from './latencyProbes.js';
import { busyOf, measureUnloaded, runPolicy, type ImageSource, type PolicyRun } from './mixedTraffic.js';
import type { ContenderName, Reply, WorkloadId } from './protocol.js';
import {
  formatReport,
  type BenchReport,
  type ContenderRun,
  type MixedTrafficResult,
  type WarmResult,
  type WorkloadResult,
} from './report.js';
import { capacityOf, TRAFFIC_CLASSES, TRAFFIC_MIX } from './trafficSummary.js';
import { DEFAULT_TOKENS, QUERIES, benchImage, uniqueRegion } from './workloads.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONTENDERS: readonly ContenderName[] = ['gateway', 'gateway-batch', 'naive', 'transformers.js'];
/** The contenders of workloads 1–5 (the old table stays comparable). */
const CLASSIC_CONTENDERS: readonly ContenderName[] = ['gateway', 'naive', 'transformers.js'];
/** `samples`: how many times a round measures the workload (fresh images each time; the report takes medians). */
const WORKLOADS: readonly { id: WorkloadId; title: string; images: number; samples?: number }[] = [
  { id: 'cascade', title: '1. cascade: caption → grounding → segment 8 regions', images: 1 },
  { id: 'fourTasks', title: '2. four tasks on one image', images: 1 },
  { id: 'throughput', title: '3. 8 clients, 8 images, a caption each', images: 8 },
  // A single 4-second task is at the mercy of the shared machine's noise: three samples, median.
  { id: 'cold', title: '5. one cold caption on a new image', images: 1, samples: 3 },
];
const SECTIONS = ['cascade', 'fourTasks', 'throughput', 'cold', 'warm', 'probes', 'mixed'] as const;

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: 'base' },
    tokens: { type: 'string', default: String(DEFAULT_TOKENS) },
    repeat: { type: 'string', default: '1' },
    dtype: { type: 'string', default: 'fp32' },
    'warm-seconds': { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    // Median-of count of the unloaded latencies (workload 6) and of the probes.
    samples: { type: 'string', default: '3' },
    'w6-seconds': { type: 'string', default: '120' },
    'w6-load': { type: 'string', default: '0.7' },
    'w6-seed': { type: 'string', default: '6' },
    skip: { type: 'string', multiple: true, default: [] },
    out: { type: 'string', default: join(HERE, '..', '..', 'bench', 'results', 'latest.json') },
  },
});

async function main(): Promise<void> {
  const size = args.size === 'tiny' ? 'tiny' : 'base';
  const tokens = positive('--tokens', args.tokens);
  const repeat = positive('--repeat', args.repeat);
  const samples = positive('--samples', args.samples);
  const dtype = args.dtype;
  if (dtype !== 'fp32' && dtype !== 'q8') throw new Error(`--dtype must be fp32 or q8, got ${dtype}`);
  const known: readonly string[] = [...CONTENDERS, ...SECTIONS];
  const unknown = args.skip.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`--skip takes ${known.join(', ')}; got ${unknown.join(', ')}`);
  const skipped = (name: string) => args.skip.includes(name);
  const workloads = WORKLOADS.filter((workload) => !skipped(workload.id));

  const modelDir = await ensureSyntheticModel({ size, bias: 'structured', q8: dtype === 'q8' });
  log(`model: synthetic ${size} ${dtype} (${modelDir}); ${tokens} tokens per task; ${repeat} repetition(s)`);

  // Load only who has something to do: naive and transformers.js run workloads 1–5 only, gateway-batch 6 and the probes only.
  const needed = (name: ContenderName) => {
    if (skipped(name)) return false;
    if (name === 'gateway') return workloads.length > 0 || !skipped('warm') || !skipped('probes') || !skipped('mixed');
    if (name === 'gateway-batch') return !skipped('probes') || !skipped('mixed');
    return workloads.length > 0;
  };
  const contenders: ContenderProcess[] = [];
  const clients = new Map<ContenderName, GatewayClient>();
  const loadMs = new Map<ContenderName, number>();
  // Loaded one after another: loading in parallel would only make each load slower.
  for (const name of CONTENDERS.filter(needed)) {
    const contender = new ContenderProcess(name);
    const ready = await contender.ask({ type: 'start', modelDir, dtype });
    if (ready.type !== 'ready') throw new Error(`${name} did not start`);
    if (ready.url) clients.set(name, new GatewayClient(ready.url));
    loadMs.set(name, ready.loadMs);
    log(`${name} loaded in ${(ready.loadMs / 1000).toFixed(1)} s`);
    contenders.push(contender);
  }

  // Every contender's first inference pays one-off costs (arena growth, first-touch page faults,
  // lazy kernel set-up): one untimed caption each, on an image no workload uses, so round 0
  // measures steady-state work for all alike.
  for (const [index, contender] of contenders.entries()) {
    const image = [await benchImage(900 + index)];
    const client = clients.get(contender.name);
    if (client) await runGateway(client, 'cold', image, tokens);
    else await runInWorker(contender, 'cold', image, tokens);
  }
  log('warm-up: one untimed caption per contender');

  const results: WorkloadResult[] = [];
  let seed = 1000;
  const classic = contenders.filter((contender) => CLASSIC_CONTENDERS.includes(contender.name));
  for (let round = 0; round < repeat; round++) {
    for (const workload of workloads) {
      for (let sample = 0; sample < (workload.samples ?? 1); sample++) {
        const images = await Promise.all(Array.from({ length: workload.images }, () => benchImage(seed++)));
        // Rotate who goes first each time, so no contender always runs on the coolest machine.
        const first = round + sample;
        const order = classic.map((_, i) => classic[(i + first) % classic.length]!);
        const runs: ContenderRun[] = [];
        for (const contender of order) runs.push(await measure(contender, workload, images, tokens, clients.get(contender.name)));
        results.push({ workload: workload.id, title: workload.title, round, runs });
      }
    }
  }

  const gateway = clients.get('gateway');
  let warm: WarmResult | undefined;
  if (gateway && !skipped('warm')) warm = await warmCache(gateway, tokens, await benchImage(seed++));

  // Fresh images for workload 6 and the probes: JPEG for upload, never seen by any contender.
  const freshImages: ImageSource = (count) => Promise.all(Array.from({ length: count }, () => benchImage(seed++, 'jpeg')));
  let regions = 0;
  const nextRegion = () => uniqueRegion(regions++);
  const gatewayBatch = clients.get('gateway-batch');

  const probes: Partial<Record<'continuous' | 'batch', ProbeResults>> = {};
  if (!skipped('probes')) {
    for (const [policy, client] of [
      ['continuous', gateway],
      ['batch', gatewayBatch],
    ] as const) {
      if (!client) continue;
      log(`latency probes, ${policy}`);
      probes[policy] = await runLatencyProbes(client, freshImages, nextRegion, samples);
    }
  }

  let mixed: MixedTrafficResult | undefined;
  if (!skipped('mixed')) {
    if (gateway) mixed = await mixedTraffic(gateway, gatewayBatch, freshImages, nextRegion, samples, contenders);
    else log('6. mixed traffic skipped: its rate comes from the continuous gateway, which is skipped');
  }

  const finalUsage = await Promise.all(contenders.map(async (contender) => [contender.name, await contender.usage()] as const));
  const continuousRun = mixed?.runs.find((run) => run.policy === 'continuous');
  const batchRun = mixed?.runs.find((run) => run.policy === 'batch');
  const cascadeHealth = results.flatMap((result) =>
    result.workload === 'cascade' ? result.runs.flatMap((run) => (run.health ? [run.health] : [])) : [],
  );
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: {
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
    },
    model: { size, dtype, dir: modelDir, tokensPerTask: tokens },
    loadMs: Object.fromEntries(loadMs),
    peakRssBytes: Object.fromEntries(finalUsage.map(([name, usage]) => [name, usage.maxRssBytes])),
    workloads: results,
    ...(warm ? { warm } : {}),
    ...(mixed ? { mixed } : {}),
    ...(probes.continuous || probes.batch ? { probes } : {}),
    goals: evaluateGoals({
      cascadeHealth,
      unloaded: mixed?.unloaded,
      continuous: continuousRun,
      batch: batchRun,
      probes: probes.continuous,
    }),
  };
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(formatReport(report));
  console.log(`\nJSON: ${args.out}`);
  await Promise.all(contenders.map((contender) => contender.ask({ type: 'stop' }).catch(() => undefined)));
}

/**
 * One contender's wall time, ORT busy time and peak RSS over one workload; the gateway's cold
 * cascade also gets `/healthz` probes and its event-loop delay.
 */
async function measure(
  contender: ContenderProcess,
  workload: (typeof WORKLOADS)[number],
  images: Buffer[],
  tokens: number,
  client: GatewayClient | undefined,
): Promise<ContenderRun> {
  await contender.usage(); // resets the RSS peak
  const before = await contender.usage();
  const watched = client !== undefined && workload.id === 'cascade';
  if (watched) await contender.eventLoop(true);
  const health = watched ? startHealthProbe(client.url) : undefined;
  const started = performance.now();
  const texts = client ? await runGateway(client, workload.id, images, tokens) : await runInWorker(contender, workload.id, images, tokens);
  const wallMs = performance.now() - started;
  const healthResult = await health?.stop();
  const eventLoop = watched ? await contender.eventLoop(true) : undefined;
  const after = await contender.usage();
  log(`${workload.title} — ${contender.name}: ${(wallMs / 1000).toFixed(2)} s, ${texts.length} tasks`);
  return {
    contender: contender.name,
    wallMs,
    tasks: texts.length,
    ...busyOf(before, after),
    peakRssBytes: after.peakRssBytes,
    firstText: texts[0] ?? '',
    ...(healthResult ? { health: healthResult } : {}),
    ...(eventLoop ? { eventLoop } : {}),
  };
}

async function runInWorker(contender: ContenderProcess, workload: WorkloadId, images: Buffer[], tokens: number): Promise<string[]> {
  const reply: Reply = await contender.ask({ type: 'run', workload, images: images.map((image) => image.toString('base64')), tokens });
  if (reply.type !== 'done') throw new Error(`${contender.name}: unexpected ${reply.type}`);
  return [...reply.texts];
}

/** Workloads 1–5 on a gateway contender: the orchestrator is its client, as a frontend would be. */
async function runGateway(client: GatewayClient, workload: WorkloadId, images: Buffer[], tokens: number): Promise<string[]> {
  const generation = { maxNewTokens: tokens, minNewTokens: tokens };
  const post = <T>(query: string, image: Buffer) => client.graphql<T>(query, { image: image.toString('base64'), g: generation });
  type CaptionData = { image: { caption: { text: string } } };
  switch (workload) {
    case 'cascade': {
      const data = await post<{ image: { caption: { text: string; phrases: { regions: unknown[] }[] } } }>(QUERIES.cascade, images[0]!);
      const regions = data.image.caption.phrases.flatMap((phrase) => phrase.regions);
      return [data.image.caption.text, 'grounding', ...regions.map(() => 'segment')];
    }
    case 'fourTasks': {
      const data = await post<CaptionData>(QUERIES.fourTasks, images[0]!);
      return [data.image.caption.text, 'objects', 'text', 'regionProposals'];
    }
    case 'throughput':
    case 'cold': {
      const answers = await Promise.all(images.map((image) => post<CaptionData>(QUERIES.caption, image)));
      return answers.map((data) => data.image.caption.text);
    }
  }
}

/** Workload 4: the cascade repeated over HTTP once its results are cached. */
async function warmCache(client: GatewayClient, tokens: number, image: Buffer): Promise<WarmResult> {
  const id = await client.upload(image);
  const variables = { id, g: { maxNewTokens: tokens, minNewTokens: tokens } };
  await client.graphql(QUERIES.cascadeById, variables);
  const duration = positive('--warm-seconds', args['warm-seconds']);
  const connections = positive('--connections', args.connections);
  log(`4. warm cache: ${connections} connections for ${duration} s`);
  const body = JSON.stringify({ query: QUERIES.cascadeById, variables });
  const result = await autocannon({
    url: `${client.url}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration,
  });
  return {
    connections,
    durationS: duration,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** Workload 6: unloaded latencies on the continuous gateway, the schedule derived from them, then each policy on it. */
async function mixedTraffic(
  gateway: GatewayClient,
  gatewayBatch: GatewayClient | undefined,
  images: ImageSource,
  nextRegion: () => string,
  samples: number,
  contenders: readonly ContenderProcess[],
): Promise<MixedTrafficResult> {
  const windowMs = 1000 * positive('--w6-seconds', args['w6-seconds']);
  const loadFactor = positive('--w6-load', args['w6-load']);
  const seed = Number(args['w6-seed']);
  if (!Number.isInteger(seed)) throw new Error(`--w6-seed must be a whole number; got ${args['w6-seed']}`);
  log(`6. mixed traffic: unloaded latency of each class (median of ${samples})`);
  const unloaded = await measureUnloaded(gateway, images, nextRegion, samples);
  const capacity = capacityOf(unloaded.medianMs);
  const ratePerSecond = loadFactor * capacity.tasksPerSecond;
  const schedule = poissonSchedule({ ratePerSecond, durationMs: windowMs, mix: TRAFFIC_MIX, seed });
  const unloadedText = TRAFFIC_CLASSES.map(({ name }) => `${name} ${(unloaded.medianMs[name] / 1000).toFixed(2)} s`).join(', ');
  log(
    `6. mixed traffic: unloaded ${unloadedText}; ` +
      `capacity ${capacity.tasksPerSecond.toFixed(3)}/s; ${ratePerSecond.toFixed(3)} arrivals/s`,
  );
  const runs: PolicyRun[] = [];
  for (const [policy, name, client] of [
    ['continuous', 'gateway', gateway],
    ['batch', 'gateway-batch', gatewayBatch],
  ] as const) {
    const contender = contenders.find((candidate) => candidate.name === name);
    if (!client || !contender) continue;
    runs.push(await runPolicy({ contender, policy, client, schedule, windowMs, images, nextRegion, log }));
  }
  const arrivals = { short: 0, caption: 0, detailed: 0 };
  for (const arrival of schedule) arrivals[arrival.className]++;
  return { seed, loadFactor, windowMs, unloaded, capacity, ratePerSecond, arrivals, runs };
}

function positive(flag: string, raw: string): number {
  const value = Number(raw);
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`${flag} must be a positive number; got ${raw}`);
  return value;
}

function log(message: string): void {
  console.error(`[bench] ${message}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
