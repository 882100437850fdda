/**
 * Shared harness for the cache tests: a recording logger, a store whose failures the test controls,
 * the Redis checks (tests that need Redis skip with a message when it is unreachable), and private
 * Redis servers that tests may kill.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Keyv, type KeyvStoreAdapter, type StoredData } from 'keyv';
import type { Logger } from '../../src/shared/logger.js';
import { liveValueKeyv } from '../../src/cache/createStore.js';
import type { CacheBackend } from '../../src/cache/resultCache.js';
import { deserializeEntry, serializeEntry } from '../../src/cache/serialization.js';

export interface LogRecord {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly context: object | undefined;
}

/** A Logger that keeps what it is told, for exact assertions on warnings. */
export class RecordingLogger implements Logger {
  readonly records: LogRecord[] = [];
  readonly debug = this.#level('debug');
  readonly info = this.#level('info');
  readonly warn = this.#level('warn');
  readonly error = this.#level('error');

  at(level: LogRecord['level']): LogRecord[] {
    return this.records.filter((record) => record.level === level);
  }

  #level(level: LogRecord['level']) {
    function log(message: string): void;
    function log(context: object, message?: string): void;
    function log(this: RecordingLogger, first: string | object, message?: string): void {
      if (typeof first === 'string') this.records.push({ level, message: first, context: undefined });
      else this.records.push({ level, message: message ?? '', context: first });
    }
    return log.bind(this) as Logger['debug'];
  }
}

/** How a ControlledStore answers: normally, by throwing, or never. */
export type StoreMode = 'ok' | 'throw' | 'hang';

/**
 * A keyv store over a Map whose calls the test can make fail or hang, standing in for a Redis that
 * dies and comes back. Counts calls so tests can prove the cache stops calling a dead store.
 */
export class ControlledStore implements KeyvStoreAdapter {
  readonly opts = { dialect: 'controlled' };
  namespace?: string | undefined;
  mode: StoreMode = 'ok';
  calls = 0;
  readonly entries = new Map<string, unknown>();

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    await this.#gate();
    return this.entries.get(key) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    await this.#gate();
    return keys.map((key) => this.entries.get(key) as StoredData<Value> | undefined);
  }

  async set(key: string, value: unknown): Promise<boolean> {
    await this.#gate();
    this.entries.set(key, value);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    await this.#gate();
    return this.entries.delete(key);
  }

  async clear(): Promise<void> {
    await this.#gate();
    this.entries.clear();
  }

  on(): this {
    return this;
  }

  async #gate(): Promise<void> {
    this.calls++;
    if (this.mode === 'throw') throw new Error('connection refused (simulated)');
    if (this.mode === 'hang') await new Promise<never>(() => {});
  }
}

/**
 * A ControlledStore as a result-cache backend, through keyv exactly as production stores are:
 * with the binary serializer Redis uses (`binary`), or holding live values as memory:// does.
 */
export function controlledBackend(store: ControlledStore, options: { name?: string; binary?: boolean } = {}): CacheBackend {
  const keyv = options.binary
    ? new Keyv({ store, useKeyPrefix: false, serialize: serializeEntry, deserialize: deserializeEntry, throwOnErrors: true })
    : liveValueKeyv(store);
  return { name: options.name ?? 'controlled', keyv, close: async () => {} };
}

/** Polls `condition` (sync or async) until true, failing after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** The Redis the tests use; CI and the dev machine run one here. */
export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** True when something accepts TCP connections at the test Redis' host and port. */
export async function redisReachable(url = TEST_REDIS_URL): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    const done = (reachable: boolean) => {
      socket.destroy();
      resolvePromise(reachable);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export const NO_REDIS = `needs Redis at ${TEST_REDIS_URL} (unreachable here; CI runs one, or set TEST_REDIS_URL)`;

export const hasRedisServer = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
export const NO_REDIS_SERVER = 'needs the redis-server binary on PATH to run a Redis of its own it can kill';

/**
 * A throwaway Redis without persistence on `port`, ready to take connections. `track` sees the child
 * as soon as it is spawned, so a caller's cleanup covers one that never becomes ready.
 */
export async function startRedisServer(port: number, track?: (child: ChildProcess) => void): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  track?.(child);
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${child.exitCode}`);
      return redisReachable(`redis://127.0.0.1:${port}`);
    },
    5_000,
    `redis-server on port ${port}`,
  );
  return child;
}

/** A namespace no other test run uses, so parallel runs never see each other's keys. */
export function randomNamespace(): string {
  return `florence-test-${randomBytes(6).toString('hex')}`;
}

/** Accepts anything: for tests about storage, not validation. */
export function anyValue(value: unknown): value is unknown {
  return value !== undefined;
}
