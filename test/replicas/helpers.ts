/**
 * Gateways as separate processes (what replicas behind a load balancer are), private Redis servers
 * that tests may kill, and a few readers of `/metrics`. Every child is registered, so a suite's
 * `after()` (and, failing that, process exit) kills whatever is still running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@keyv/redis';
import { startRedisServer as startPrivateRedis } from '../cache/helpers.js';
import { tinyModelDir } from '../helpers/models.js';
import { repoRoot } from '../helpers/paths.js';

/** Model loading on a busy CI machine: seconds, not minutes. */
const READY_TIMEOUT_MS = 60_000;
/** The CLI the replicas run, as `npm start` does. */
const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Kills every child process this file started (gateways and Redis servers) and waits for them. */
export async function killAll(): Promise<void> {
  await Promise.all([...children].map((child) => stop(child, 'SIGKILL')));
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return;
  }
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
  children.delete(child);
}

export interface GraphQLReply<T = unknown> {
  readonly status: number;
  readonly body: { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] };
}

export interface GatewayProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it wrote to stdout and stderr, for failure messages. */
  readonly output: string[];
  graphql<T = unknown>(query: string, variables?: Record<string, unknown>, signal?: AbortSignal): Promise<GraphQLReply<T>>;
  /** The sum of every sample of `name` on its /metrics whose labels contain `labels` (e.g. `outcome="ok"`). */
  metric(name: string, labels?: string): Promise<number>;
  kill(): Promise<void>;
}

/**
 * `node dist/src/cli/main.js serve --model <tiny model>` on 127.0.0.1 and a free port, ready to serve.
 * `env` is added to a clean base: no whole-response cache (so repeats reach the results cache).
 */
export async function spawnGateway(env: Record<string, string>): Promise<GatewayProcess> {
  const modelDir = await tinyModelDir();
  const child = spawn(process.execPath, [CLI, 'serve', '--model', modelDir], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', RESPONSE_CACHE_MB: '0', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const output: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`gateway did not listen within ${READY_TIMEOUT_MS} ms:\n${output.join('\n')}`)),
      READY_TIMEOUT_MS,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      const record = parseJson(line);
      if (record?.['msg'] === 'listening' && typeof record['url'] === 'string') {
        clearTimeout(timer);
        resolve(record['url']);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${code ?? signal}) before listening:\n${output.join('\n')}`));
    });
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while ((await fetch(`${url}/readyz`).catch(() => undefined))?.status !== 200) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`gateway at ${url} never became ready:\n${output.join('\n')}`);
    await sleep(50);
  }
  return {
    url,
    child,
    output,
    async graphql<T>(query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
        ...(signal ? { signal } : {}),
      });
      return { status: response.status, body: (await response.json()) as GraphQLReply<T>['body'] };
    },
    async metric(name: string, labels = '') {
      return sumMetric(await (await fetch(`${url}/metrics`)).text(), name, labels);
    },
    kill: () => stop(child, 'SIGKILL'),
  };
}

/** Sum of the samples of `name` (any labels containing `labels`) in a Prometheus text page. */
export function sumMetric(page: string, name: string, labels = ''): number {
  let total = 0;
  for (const line of page.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!(rest.startsWith('{') || rest.startsWith(' '))) continue;
    if (labels !== '' && !rest.includes(labels)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function plainClient(url: string) {
  return createClient({ url });
}
export type RawRedis = ReturnType<typeof plainClient>;

/** A plain node-redis client, for reading and planting keys by hand. */
export async function rawRedis(url: string): Promise<RawRedis> {
  const client = plainClient(url);
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Deletes every key that starts with `prefix` (results `<ns>::…` and locks `<ns>:lock:…`). */
export async function dropPrefix(client: RawRedis, prefix: string): Promise<void> {
  const keys = await client.keys(`${prefix}*`);
  if (keys.length > 0) await client.unlink(keys);
}

/** A private Redis on `port` (see ../cache/helpers.ts), registered so killAll and process exit stop it. */
export function startRedisServer(port: number): Promise<ChildProcess> {
  return startPrivateRedis(port, (child) => children.add(child));
}

/** Kills a child (SIGKILL: no goodbye, as a crash or OOM kill would) and waits until it is gone. */
export async function killProcess(child: ChildProcess): Promise<void> {
  await stop(child, 'SIGKILL');
}
