/**
 * `npm run loadtest` (not part of `npm test`): a gateway process under steady load on warm queries.
 *
 * Starts `serve` as a child process (the synthetic tiny model by default), uploads two images, runs
 * each query shape once so every result is cached, then drives `--connections` concurrent clients
 * for `--duration` seconds with autocannon, each cycling through the warm request bodies. Reports
 * p50/p99 latency, requests/s, non-2xx and 5xx responses (goal: 0), GraphQL outcomes and model runs
 * counted by the server (goal: no errors, no runs), and the server's peak RSS.
 *
 *   node dist/bench/loadtest.js [--connections 50] [--duration 60] [--size tiny|base]
 *                               [--cache-url redis://127.0.0.1:6379] [--response-cache on|off] [--out FILE]
 *
 * Exits 1 if any request failed (5xx, connection error or timeout), so CI can run it as a gate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { createClient } from '@keyv/redis';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { ensureSyntheticModel } from '../src/synth/cache.js';
import { QUERIES, benchImage } from './workloads.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CLI = join(HERE, '..', 'src', 'cli', 'main.js');
/** Loading the base-sized synthetic model on a small CPU takes tens of seconds. */
const READY_TIMEOUT_MS = 180_000;
/** RSS sampling period: fine enough to catch a spike lasting a fraction of a second. */
const RSS_SAMPLE_MS = 250;
/** How long the gateway may take to drain and exit on SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 10_000;
/**
 * Uploads as JPEG at this quality: photo-like sizes (~100 KB at 768²) rather than the benchmark's
 * 1.5 MB PNGs, since every `image(id:)` request reads the upload back from the results store.
 */
const UPLOAD_JPEG_QUALITY = 85;
/** Short generations: warm queries never run the model, so length only matters for the warm-up. */
const GENERATION = { maxNewTokens: 45 };

/** The warm query shapes (by uploaded image id, so bodies stay small): each body is one of these per image. */
const SHAPES: Record<string, string> = {
  caption: 'query Caption($id: ID!, $g: GenerationInput) { image(id: $id) { id width height caption(generation: $g) { text } } }',
  objectsAndText:
    'query ObjectsAndText($id: ID!, $g: GenerationInput) { ' +
    'image(id: $id) { objects(generation: $g) { label box { x1 y1 x2 y2 } } text(generation: $g) } }',
  cascade: QUERIES.cascadeById,
  detailed:
    'query Detailed($id: ID!, $g: GenerationInput) { image(id: $id) { ' +
    'caption(detail: DETAILED, generation: $g) { text } regionProposals(generation: $g) { box { x1 y1 x2 y2 } } } }',
};

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '50' },
    duration: { type: 'string', default: '60' },
    size: { type: 'string', default: 'tiny' },
    'cache-url': { type: 'string', default: 'memory://' },
    'response-cache': { type: 'string', default: 'on' },
    out: { type: 'string' },
  },
});

interface LoadReport {
  readonly when: string;
  readonly machine: string;
  readonly model: string;
  readonly cacheUrl: string;
  readonly responseCache: string;
  readonly connections: number;
  readonly durationS: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  readonly non2xx: number;
  readonly status5xx: number;
  readonly connectionErrors: number;
  readonly timeouts: number;
  /** GraphQL outcomes the server counted during the load (ok, partial, error, refused). */
  readonly graphql: Record<string, number>;
  readonly modelRunsDuringLoad: number;
  readonly peakRssMiB: number;
  readonly lifetimePeakRssMiB: number | undefined;
}

interface Server {
  readonly url: string;
  readonly child: ChildProcess;
}

/**
 * With a Redis, a namespace of this run's own (unless CACHE_NAMESPACE names one), so the run neither
 * reads another deployment's results nor leaves keys among them; its keys are deleted at the end.
 */
const redisNamespace = /^rediss?:/.test(args['cache-url'])
  ? (process.env['CACHE_NAMESPACE'] ?? `loadtest-${randomBytes(4).toString('hex')}`)
  : undefined;

async function main(): Promise<number> {
  const connections = positive('connections', args.connections);
  const duration = positive('duration', args.duration);
  const size = args.size === 'base' ? 'base' : 'tiny';
  if (args.size !== size) throw new Error(`--size takes tiny or base; got ${JSON.stringify(args.size)}`);
  if (args['response-cache'] !== 'on' && args['response-cache'] !== 'off') throw new Error('--response-cache takes on or off');
  const modelDir = await ensureSyntheticModel({ size, bias: 'structured' });
  log(
    `starting a gateway on the synthetic ${size} model (${modelDir}), ` +
      `CACHE_URL=${args['cache-url']}, response cache ${args['response-cache']}`,
  );
  const server = await startServer(modelDir);
  try {
    const bodies = await warmUp(server.url);
    log(`warm: ${bodies.length} request bodies (${Object.keys(SHAPES).join(', ')} × 2 images), each answered once`);
    const before = await scrape(server.url);
    const rss = sampleRss(server);
    log(`${connections} connections for ${duration} s …`);
    const result = await autocannon({
      url: `${server.url}/graphql`,
      connections,
      duration,
      requests: bodies.map((body) => ({ method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json' }, body })),
    });
    const peakRssBytes = await rss.stop();
    const after = await scrape(server.url);
    const serverErrors = Object.entries(result.statusCodeStats ?? {}).reduce(
      (sum, [code, stat]) => sum + (Number(code) >= 500 ? (stat.count ?? 0) : 0),
      0,
    );
    const report: LoadReport = {
      when: new Date().toISOString(),
      machine: `${cpus()[0]?.model ?? 'unknown CPU'} × ${availableParallelism()}, Node ${process.version}`,
      model: `synthetic ${size}`,
      cacheUrl: args['cache-url'],
      responseCache: args['response-cache'],
      connections,
      durationS: result.duration,
      requests: result.requests.total,
      requestsPerSecond: round(result.requests.average),
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      non2xx: result.non2xx,
      status5xx: Math.max(serverErrors, result['5xx']),
      connectionErrors: result.errors,
      timeouts: result.timeouts,
      graphql: diff(before.outcomes, after.outcomes),
      modelRunsDuringLoad: after.runs - before.runs,
      peakRssMiB: round(peakRssBytes / 2 ** 20),
      lifetimePeakRssMiB: peakRssLifetime(server),
    };
    print(report);
    if (args.out) {
      mkdirSync(dirname(args.out), { recursive: true });
      writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
      log(`written to ${args.out}`);
    }
    return report.status5xx > 0 || report.connectionErrors > 0 || report.timeouts > 0 ? 1 : 0;
  } finally {
    await stopServer(server);
    if (redisNamespace?.startsWith('loadtest-')) await dropNamespace(args['cache-url'], redisNamespace);
  }
}

/** Deletes this run's keys (results `<ns>::…`, locks `<ns>:lock:…`). */
async function dropNamespace(url: string, namespace: string): Promise<void> {
  const client = createClient({ url });
  client.on('error', () => {});
  try {
    await client.connect();
    const keys = await client.keys(`${namespace}:*`);
    if (keys.length > 0) await client.unlink(keys);
  } catch (error) {
    log(`could not delete this run's keys (${namespace}:*): ${String(error)}`);
  } finally {
    if (client.isOpen) client.destroy();
  }
}

async function startServer(modelDir: string): Promise<Server> {
  const child = spawn(process.execPath, [CLI, 'serve', '--model', modelDir], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      CACHE_URL: args['cache-url'],
      ...(redisNamespace ? { CACHE_NAMESPACE: redisNamespace } : {}),
      ...(args['response-cache'] === 'off' ? { RESPONSE_CACHE_MB: '0' } : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the gateway did not start listening')), READY_TIMEOUT_MS);
    // Log lines are read (for the address) and dropped: printing them would disturb the timing.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const address = /"msg":"listening"/.test(line) ? /"url":"([^"]+)"/.exec(line)?.[1] : undefined;
      if (address) {
        clearTimeout(timer);
        resolve(address);
      }
    });
    child.once('exit', (code) => reject(new Error(`the gateway exited (${code}) before listening`)));
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while ((await fetch(`${url}/readyz`).catch(() => undefined))?.status !== 200) {
    if (Date.now() > deadline) throw new Error('the gateway never became ready (GET /readyz)');
    await sleep(100);
  }
  return { url, child };
}

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = once(server.child, 'exit');
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Uploads two images and answers every shape on each once; returns the JSON bodies to replay. */
async function warmUp(url: string): Promise<string[]> {
  const bodies: string[] = [];
  for (const seed of [1, 2]) {
    const jpeg = await sharp(await benchImage(seed))
      .jpeg({ quality: UPLOAD_JPEG_QUALITY })
      .toBuffer();
    const upload = await fetch(`${url}/images`, { method: 'POST', body: jpeg });
    if (!upload.ok) throw new Error(`POST /images answered ${upload.status}: ${await upload.text()}`);
    const { id } = (await upload.json()) as { id: string };
    for (const [name, query] of Object.entries(SHAPES)) {
      const body = JSON.stringify({ query, variables: { id, g: GENERATION } });
      const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const answer = (await response.json()) as { errors?: unknown[] };
      if (!response.ok || answer.errors) throw new Error(`warm-up ${name} failed (${response.status}): ${JSON.stringify(answer.errors)}`);
      bodies.push(body);
    }
  }
  return bodies;
}

interface Scrape {
  readonly outcomes: Record<string, number>;
  readonly runs: number;
  readonly rssBytes: number;
}

/** The server's request outcomes, model runs and RSS from its /metrics. */
async function scrape(url: string): Promise<Scrape> {
  const page = await (await fetch(`${url}/metrics`)).text();
  const outcomes: Record<string, number> = {};
  let runs = 0;
  let rssBytes = 0;
  for (const line of page.split('\n')) {
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith('florence_graphql_requests_total{')) {
      const outcome = /outcome="([^"]+)"/.exec(line)?.[1] ?? 'unknown';
      outcomes[outcome] = (outcomes[outcome] ?? 0) + value;
    } else if (line.startsWith('florence_task_runs_total{')) {
      runs += value;
    } else if (line.startsWith('process_resident_memory_bytes ')) {
      rssBytes = value;
    }
  }
  return { outcomes, runs, rssBytes };
}

/** Samples the server's RSS (from /proc where there is one, else from its /metrics) until stopped. */
function sampleRss(server: Server): { stop(): Promise<number> } {
  let peak = 0;
  let running = true;
  const procStatus = `/proc/${server.child.pid}/status`;
  const loop = (async () => {
    while (running) {
      const rss = existsSync(procStatus)
        ? procKb(procStatus, 'VmRSS') * 1024
        : ((await scrape(server.url).catch(() => undefined))?.rssBytes ?? 0);
      peak = Math.max(peak, rss);
      await sleep(RSS_SAMPLE_MS);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}

/** The kernel's high-water mark of the server's RSS since it started (model loading included), in MiB. */
function peakRssLifetime(server: Server): number | undefined {
  const procStatus = `/proc/${server.child.pid}/status`;
  return existsSync(procStatus) ? round(procKb(procStatus, 'VmHWM') / 1024) : undefined;
}

function procKb(file: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
  return match ? Number(match[1]) : 0;
}

function diff(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([key, value]) => [key, value - (before[key] ?? 0)])
      .filter(([, value]) => value !== 0),
  );
}

function print(report: LoadReport): void {
  const lines = [
    `load test: ${report.connections} connections × ${report.durationS} s on warm queries (${report.model}; ${report.machine})`,
    `  requests      ${report.requests} (${report.requestsPerSecond} req/s)`,
    `  latency       p50 ${report.latencyMs.p50} ms   p90 ${report.latencyMs.p90} ms   ` +
      `p99 ${report.latencyMs.p99} ms   max ${report.latencyMs.max} ms`,
    `  non-2xx       ${report.non2xx}   ` +
      `(5xx: ${report.status5xx}; connection errors ${report.connectionErrors}, timeouts ${report.timeouts})`,
    `  graphql       ${
      Object.entries(report.graphql)
        .map(([outcome, n]) => `${outcome} ${n}`)
        .join(', ') || 'none counted'
    }`,
    `  model runs    ${report.modelRunsDuringLoad} during the load (warm: expected 0)`,
    `  server RSS    peak ${report.peakRssMiB} MiB during the load` +
      (report.lifetimePeakRssMiB === undefined ? '' : `; ${report.lifetimePeakRssMiB} MiB since start (VmHWM)`),
  ];
  console.log(lines.join('\n'));
  console.log(JSON.stringify(report));
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number; got ${JSON.stringify(text)}`);
  return value;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function log(message: string): void {
  console.error(`[loadtest] ${message}`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
