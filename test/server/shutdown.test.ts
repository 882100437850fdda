/** SIGTERM during a long request: readiness goes off, the request completes, new connections are refused, the process exits 0. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { test } from 'node:test';
import { patternPng } from '../helpers/images.js';
import { tinyModelDir } from '../helpers/models.js';
import { repoRoot } from '../helpers/paths.js';

test('graceful shutdown on SIGTERM', async () => {
  // The unbiased model never chooses </s>, so a 400-token caption keeps the server busy for a few seconds.
  const model = await tinyModelDir({ bias: undefined });
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'src', 'cli', 'main.js'), 'serve', '--model', model], {
    env: { PATH: process.env['PATH'], PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const lines = createInterface({ input: child.stdout! });
  const logged: Record<string, unknown>[] = [];
  const waiters = new Map<string, () => void>();
  /** Resolves when the server logs a line with this message. */
  const logs = (message: string) => new Promise<void>((resolve) => waiters.set(message, resolve));
  lines.on('line', (line) => {
    const entry = JSON.parse(line) as Record<string, unknown>;
    logged.push(entry);
    waiters.get(entry['msg'] as string)?.();
  });
  const listening = logs('listening');
  await Promise.race([listening, exited.then(() => Promise.reject(new Error('server exited before listening')))]);
  const url = logged.find((entry) => entry['msg'] === 'listening')!['url'] as string;
  while ((await fetch(`${url}/readyz`)).status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));

  const image = (await patternPng(64, 64)).toString('base64');
  const started = logs('graphql request');
  const longRequest = fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'query($b: String!) { image(base64: $b) { caption(generation: { maxNewTokens: 400 }) { text } } }',
      variables: { b: image },
    }),
  });
  await started; // the server is working on it
  child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 200));
  await assert.rejects(fetch(`${url}/healthz`), 'new connections are refused while draining');

  const response = await longRequest;
  assert.equal(response.status, 200);
  const body = (await response.json()) as { data: { image: { caption: { text: string } } } };
  assert.ok(
    body.data.image.caption.text.length > 0,
    'the in-flight request completed (the unbiased tiny seed-1 model never stops early, so the caption has text)',
  );
  assert.equal(await exited, 0);
  assert.ok(logged.some((entry) => entry['msg'] === 'stopped'));
});
