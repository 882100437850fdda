/**
 * `florence-gateway serve` without MODEL_DIR: it pulls the default model on first start (from a
 * stand-in hub on 127.0.0.1) and serves; offline with nothing cached it explains what to do.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { StandInHub } from '../hub/support/standInHub.js';
import { tinyModelDir } from '../helpers/models.js';
import { repoRoot } from '../helpers/paths.js';

const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
let work: string;
let hub: StandInHub;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'serve-cli-'));
  hub = await StandInHub.start({ sourceDir: await tinyModelDir() });
});
after(async () => {
  await hub.close();
  await rm(work, { recursive: true, force: true });
});

test('first start pulls the default model with progress on stderr, then serves', async () => {
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: { PATH: process.env['PATH'], HF_ENDPOINT: hub.endpoint, XDG_CACHE_HOME: join(work, 'cache'), PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'listening') resolve(entry.url!);
    });
    void exited.then(() => reject(new Error(`serve exited: ${stderr}`)));
  });
  while ((await fetch(`${url}/readyz`)).status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.match(stderr, /pulling onnx-community\/Florence-2-base-ft/);
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"query":"{ model { id } }"}',
  });
  assert.deepEqual(await response.json(), { data: { model: { id: 'Florence-2-base-ft' } } });
  assert.ok(
    hub.requests.some((request) => request.url.includes('/resolve/')),
    'files came from the hub',
  );
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});

test('offline with nothing cached: exit 1 with the paragraph on how to get a model', async () => {
  const run = promisify(execFile);
  const failed = await run(process.execPath, [cli, 'serve'], {
    env: { PATH: process.env['PATH'], HF_HUB_OFFLINE: '1', XDG_CACHE_HOME: join(work, 'empty') },
  }).then(
    () => undefined,
    (error: { code: number; stderr: string }) => error,
  );
  assert.ok(failed, 'serve must not start');
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /No Florence-2 model folder was found/);
  assert.match(failed.stderr, /florence-gateway model pull/);
  assert.match(failed.stderr, /npm run demo/);
});
