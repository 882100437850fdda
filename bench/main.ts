/**
 * `npm run bench`: the gateway side by side with our runtime called naively and with
 * transformers.js, on the same synthetic Florence-2-base-sized model files, in one run.
 *
 * Each contender lives in its own process (so its memory is its own) and stays loaded; workloads
 * run interleaved (every contender does workload k before any does k+1) on fresh images, so no
 * contender benefits from another's caches and machine noise hits all of them alike. Every task
 * generates exactly `--tokens` tokens, so all contenders do identical model work.
 *
 *   node dist/bench/main.js [--size base|tiny] [--tokens 45] [--repeat 1] [--warm-seconds 10]
 *                           [--connections 10] [--skip transformers.js] [--out bench/results/latest.json]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { ensureSyntheticModel } from '../src/synth/cache.js';
import type { Command, ContenderName, Reply, WorkloadId } from './protocol.js';
import { formatReport, type BenchReport, type ContenderRun, type WarmResult, type WorkloadResult } from './report.js';
import { DEFAULT_TOKENS, QUERIES, benchImage } from './workloads.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONTENDERS: readonly ContenderName[] = ['gateway', 'naive', 'transformers.js'];
/** `samples`: how many times a round measures the workload (fresh images each time; the report takes medians). */
const WORKLOADS: readonly { id: WorkloadId; title: string; images: number; samples?: number }[] = [
  { id: 'cascade', title: '1. cascade: caption → grounding → segment 8 regions', images: 1 },
  { id: 'fourTasks', title: '2. four tasks on one image', images: 1 },
  { id: 'throughput', title: '3. 8 clients, 8 images, a caption each', images: 8 },
  // A single 4-second task is at the mercy of the shared machine's noise: three samples, median.
  { id: 'cold', title: '5. one cold caption on a new image', images: 1, samples: 3 },
];

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: 'base' },
    tokens: { type: 'string', default: String(DEFAULT_TOKENS) },
    repeat: { type: 'string', default: '1' },
    dtype: { type: 'string', default: 'fp32' },
    'warm-seconds': { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    skip: { type: 'string', multiple: true, default: [] },
    out: { type: 'string', default: join(HERE, '..', '..', 'bench', 'results', 'latest.json') },
  },
});

class Worker {
  private pending: ((reply: Reply) => void) | undefined;
  readonly child: ChildProcess;

  constructor(readonly name: ContenderName) {
    this.child = fork(join(HERE, 'worker.js'), [name], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (reply: Reply) => {
      const resolve = this.pending;
      this.pending = undefined;
      resolve?.(reply);
    });
  }

  async ask(command: Command): Promise<Reply> {
    const reply = await new Promise<Reply>((resolve) => {
      this.pending = resolve;
      this.child.send(command);
    });
    if (reply.type === 'error') throw new Error(`${this.name}: ${reply.message}`);
    return reply;
  }

  /** ORT busy ms so far and the peak RSS since the previous call. */
  async usage(): Promise<{ ortBusyMs: number | null; peakRssBytes: number }> {
    const reply = await this.ask({ type: 'usage' });
    if (reply.type !== 'usage') throw new Error(`${this.name}: unexpected ${reply.type}`);
    return { ortBusyMs: reply.ortBusyMs, peakRssBytes: reply.peakRssBytes };
  }
}

async function main(): Promise<void> {
  const size = args.size === 'tiny' ? 'tiny' : 'base';
  const tokens = Number(args.tokens);
  const repeat = Number(args.repeat);
  const dtype = args.dtype;
  if (dtype !== 'fp32' && dtype !== 'q8') throw new Error(`--dtype must be fp32 or q8, got ${dtype}`);
  const modelDir = await ensureSyntheticModel({ size, bias: 'structured', q8: dtype === 'q8' });
  log(`model: synthetic ${size} ${dtype} (${modelDir}); ${tokens} tokens per task; ${repeat} repetition(s)`);

  const workers: Worker[] = [];
  const urls = new Map<ContenderName, string>();
  const loadMs = new Map<ContenderName, number>();
  // Loaded one after another: loading in parallel would only make each load slower.
  for (const name of CONTENDERS.filter((contender) => !args.skip.includes(contender))) {
    const worker = new Worker(name);
    const ready = await worker.ask({ type: 'start', modelDir, dtype });
    if (ready.type !== 'ready') throw new Error(`${name} did not start`);
    if (ready.url) urls.set(name, ready.url);
    loadMs.set(name, ready.loadMs);
    log(`${name} loaded in ${(ready.loadMs / 1000).toFixed(1)} s`);
    workers.push(worker);
  }

  // Every contender's first inference pays one-off costs (arena growth, first-touch page faults,
  // lazy kernel set-up): one untimed caption each, on an image no workload uses, so round 0
  // measures steady-state work for all three alike.
  for (const [index, worker] of workers.entries()) {
    const image = [await benchImage(900 + index)];
    if (worker.name === 'gateway') await runGateway(urls.get('gateway')!, 'cold', image, tokens);
    else await runInWorker(worker, 'cold', image, tokens);
  }
  log('warm-up: one untimed caption per contender');

  const results: WorkloadResult[] = [];
  let seed = 1000;
  for (let round = 0; round < repeat; round++) {
    for (const workload of WORKLOADS) {
      for (let sample = 0; sample < (workload.samples ?? 1); sample++) {
        const images = await Promise.all(Array.from({ length: workload.images }, () => benchImage(seed++)));
        // Rotate who goes first each time, so no contender always runs on the coolest machine.
        const first = round + sample;
        const order = workers.map((_, i) => workers[(i + first) % workers.length]!);
        const runs: ContenderRun[] = [];
        for (const worker of order) runs.push(await measure(worker, workload, images, tokens, urls.get('gateway')));
        results.push({ workload: workload.id, title: workload.title, round, runs });
      }
    }
  }

  let warm: WarmResult | undefined;
  const gatewayUrl = urls.get('gateway');
  if (gatewayUrl) warm = await warmCache(gatewayUrl, tokens, await benchImage(seed++));

  const finalUsage = await Promise.all(workers.map(async (worker) => [worker.name, (await worker.ask({ type: 'usage' })) as Extract<Reply, { type: 'usage' }>] as const));
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 1024 ** 3), node: process.version },
    model: { size, dtype, dir: modelDir, tokensPerTask: tokens },
    loadMs: Object.fromEntries(loadMs),
    peakRssBytes: Object.fromEntries(finalUsage.map(([name, usage]) => [name, usage.maxRssBytes])),
    workloads: results,
    ...(warm ? { warm } : {}),
  };
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(formatReport(report));
  console.log(`\nJSON: ${args.out}`);
  await Promise.all(workers.map((worker) => worker.ask({ type: 'stop' }).catch(() => undefined)));
}

/** One contender's wall time, ORT busy time and peak RSS over one workload. */
async function measure(worker: Worker, workload: (typeof WORKLOADS)[number], images: Buffer[], tokens: number, gatewayUrl: string | undefined): Promise<ContenderRun> {
  await worker.usage(); // resets the RSS peak
  const before = await worker.usage();
  const started = performance.now();
  const texts = worker.name === 'gateway' ? await runGateway(gatewayUrl!, workload.id, images, tokens) : await runInWorker(worker, workload.id, images, tokens);
  const wallMs = performance.now() - started;
  const after = await worker.usage();
  log(`${workload.title} — ${worker.name}: ${(wallMs / 1000).toFixed(2)} s, ${texts.length} tasks`);
  return {
    contender: worker.name,
    wallMs,
    tasks: texts.length,
    ortBusyMs: before.ortBusyMs === null || after.ortBusyMs === null ? null : after.ortBusyMs - before.ortBusyMs,
    peakRssBytes: after.peakRssBytes,
    firstText: texts[0] ?? '',
  };
}

async function runInWorker(worker: Worker, workload: WorkloadId, images: Buffer[], tokens: number): Promise<string[]> {
  const reply = await worker.ask({ type: 'run', workload, images: images.map((image) => image.toString('base64')), tokens });
  if (reply.type !== 'done') throw new Error(`${worker.name}: unexpected ${reply.type}`);
  return [...reply.texts];
}

/** The gateway contender: the orchestrator is its client, as a frontend would be. */
async function runGateway(url: string, workload: WorkloadId, images: Buffer[], tokens: number): Promise<string[]> {
  const generation = { maxNewTokens: tokens, minNewTokens: tokens };
  const post = async (query: string, image: Buffer) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables: { image: image.toString('base64'), g: generation } }),
    });
    const body = (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] };
    if (body.errors?.length) throw new Error(`gateway: ${body.errors.map((error) => error.message).join('; ')}`);
    return body.data!;
  };
  switch (workload) {
    case 'cascade': {
      const data = (await post(QUERIES.cascade, images[0]!)) as { image: { caption: { text: string; phrases: { regions: unknown[] }[] } } };
      const regions = data.image.caption.phrases.flatMap((phrase) => phrase.regions);
      return [data.image.caption.text, 'grounding', ...regions.map(() => 'segment')];
    }
    case 'fourTasks': {
      const data = (await post(QUERIES.fourTasks, images[0]!)) as { image: { caption: { text: string } } };
      return [data.image.caption.text, 'objects', 'text', 'regionProposals'];
    }
    case 'throughput':
    case 'cold': {
      const answers = await Promise.all(images.map((image) => post(QUERIES.caption, image)));
      return answers.map((data) => (data as { image: { caption: { text: string } } }).image.caption.text);
    }
  }
}

/** Workload 4: the cascade repeated over HTTP once its results are cached. */
async function warmCache(url: string, tokens: number, image: Buffer): Promise<WarmResult> {
  const upload = (await (await fetch(`${url}/images`, { method: 'POST', body: image })).json()) as { id: string };
  const body = JSON.stringify({ query: QUERIES.cascadeById, variables: { id: upload.id, g: { maxNewTokens: tokens, minNewTokens: tokens } } });
  const headers = { 'content-type': 'application/json' };
  const first = await fetch(`${url}/graphql`, { method: 'POST', headers, body });
  if (!first.ok) throw new Error(`warm-up failed: ${first.status}`);
  const duration = Number(args['warm-seconds']);
  const connections = Number(args.connections);
  log(`4. warm cache: ${connections} connections for ${duration} s`);
  const result = await autocannon({ url: `${url}/graphql`, method: 'POST', headers, body, connections, duration });
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

function log(message: string): void {
  console.error(`[bench] ${message}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
