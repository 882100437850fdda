/** `florence-gateway model pull` as a process, and `ensureDefaultModel` as `serve` will call it. */
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureDefaultModel } from '../../src/cli/modelPull.js';
import { cachedModelDir } from '../../src/hub/modelCache.js';
import { florenceGateway } from '../helpers/cli.js';
import { tinyModelDir } from '../helpers/models.js';
import { freePort } from '../helpers/ports.js';
import { StandInHub } from './support/standInHub.js';

const QUICK_RETRY = { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 };

let work: string;
let source: string;
let hub: StandInHub;
let caseNumber = 0;

function freshCache(): string {
  return join(work, `cache-${++caseNumber}`);
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'hub-cli-'));
  source = await tinyModelDir();
  hub = await StandInHub.start({ sourceDir: source });
});
after(async () => {
  await hub.close();
  await rm(work, { recursive: true, force: true });
});

describe('florence-gateway model pull', () => {
  test('pulls into the cache folder, prints the folder on stdout and plain progress lines on stderr', async () => {
    const cache = freshCache();
    const env = { HF_ENDPOINT: hub.endpoint, XDG_CACHE_HOME: cache, HF_TOKEN: 'hf_cli_secret' };
    const { code, stdout, stderr } = await florenceGateway(['model', 'pull', '--dtype', 'fp32'], env);
    assert.equal(code, 0, stderr);
    const dir = cachedModelDir(undefined, { XDG_CACHE_HOME: cache });
    assert.equal(stdout.trim(), dir);
    assert.match(stderr, /^pulling onnx-community\/Florence-2-base-ft@main \(fp32\) into .*: 10 files \([\d.]+ MiB\) to download$/m);
    assert.match(stderr, /^ {2}onnx\/decoder_model_merged\.onnx \([\d.]+ MiB\)$/m);
    assert.match(stderr, /^ {2}\s*\d+% {2}[\d.]+ (KiB|MiB) \/ [\d.]+ MiB {2}[\d.]+ (B|KiB|MiB|GiB)\/s {2}ETA /m);
    assert.match(stderr, /^downloaded 10 files, [\d.]+ MiB in /m);
    assert.match(stderr, /ready in .*: 10 downloaded/);
    assert.ok(!stderr.includes('\r'), 'no carriage returns when stderr is not a terminal');
    assert.ok(!stderr.includes('hf_cli_secret'));
    assert.ok(stderr.split('\n').length < 30, 'a few lines, not a flood');
    assert.ok(readFileSync(join(dir, 'onnx', 'vision_encoder.onnx')).equals(readFileSync(join(source, 'onnx', 'vision_encoder.onnx'))));

    const again = await florenceGateway(['model', 'pull'], env);
    assert.equal(again.code, 0);
    assert.match(again.stderr, /all 10 files already verified, nothing downloaded/);

    const offline = await florenceGateway(['model', 'pull'], {
      ...env,
      HF_HUB_OFFLINE: '1',
      HF_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
    });
    assert.equal(offline.code, 0, offline.stderr);
    assert.match(offline.stderr, /offline: every file is already here/);
  });

  test('usage errors exit 2; offline with nothing cached exits 1 with the reason', async () => {
    const env = { HF_ENDPOINT: hub.endpoint, XDG_CACHE_HOME: freshCache() };
    const badDtype = await florenceGateway(['model', 'pull', '--dtype', 'q9'], env);
    assert.equal(badDtype.code, 2);
    assert.match(badDtype.stderr, /unknown dtype "q9"/);
    const badRepo = await florenceGateway(['model', 'pull', '../../etc'], env);
    assert.equal(badRepo.code, 2);
    assert.match(badRepo.stderr, /invalid repository/);
    const unknownFlag = await florenceGateway(['model', 'pull', '--colour'], env);
    assert.equal(unknownFlag.code, 2);
    assert.match(unknownFlag.stderr, /usage: florence-gateway model pull/);
    const offline = await florenceGateway(['model', 'pull'], { ...env, HF_HUB_OFFLINE: '1' });
    assert.equal(offline.code, 1);
    assert.match(offline.stderr, /^error: HF_HUB_OFFLINE is set and .* the folder does not exist/m);
    const help = await florenceGateway(['help'], env);
    assert.match(help.stdout, /model pull \[REPO\] \[options\]/);
  });

  test('--out and --dtype q8 with a per-module map', async () => {
    const q8Hub = await StandInHub.start({ sourceDir: await tinyModelDir({ q8: true }) });
    try {
      const out = join(work, 'custom-out');
      const { code, stdout, stderr } = await florenceGateway(['model', 'pull', '--out', out, '--dtype', 'q8,vision_encoder=fp32'], {
        HF_ENDPOINT: q8Hub.endpoint,
        XDG_CACHE_HOME: freshCache(),
      });
      assert.equal(code, 0, stderr);
      assert.equal(stdout.trim(), out);
      assert.ok(existsSync(join(out, 'onnx', 'vision_encoder.onnx')));
      assert.ok(existsSync(join(out, 'onnx', 'decoder_model_merged_quantized.onnx')));
      assert.ok(!existsSync(join(out, 'onnx', 'decoder_model_merged.onnx')));
      assert.match(stderr, /\(vision_encoder=fp32,embed_tokens=q8,encoder_model=q8,decoder_model_merged=q8\)/);
    } finally {
      await q8Hub.close();
    }
  });
});

describe('ensureDefaultModel (serve without MODEL_DIR)', () => {
  test('pulls the default model on first start with progress, then reuses it without a request', async () => {
    const env = { HF_ENDPOINT: hub.endpoint, XDG_CACHE_HOME: freshCache() };
    const printed: string[] = [];
    const stderr = { write: (text: string) => void printed.push(text), isTTY: false };
    hub.reset();
    const dir = await ensureDefaultModel({ env, stderr, retry: QUICK_RETRY });
    assert.equal(dir, cachedModelDir(undefined, env));
    assert.match(printed.join(''), /pulling onnx-community\/Florence-2-base-ft@main \(fp32\)/);
    hub.reset();
    printed.length = 0;
    assert.equal(await ensureDefaultModel({ env, stderr }), dir);
    assert.equal(hub.requests.length, 0);
    assert.deepEqual(printed, []);
    // Another dtype than the one cached is pulled on top (only the missing graphs).
    await assert.rejects(ensureDefaultModel({ env, stderr, dtype: 'q4', retry: QUICK_RETRY }), /has no q4 files/);
  });

  test('offline it returns undefined and prints nothing; with the hub unreachable, one line saying why', async () => {
    const printed: string[] = [];
    const stderr = { write: (text: string) => void printed.push(text), isTTY: false };
    hub.reset();
    assert.equal(
      await ensureDefaultModel({ env: { HF_ENDPOINT: hub.endpoint, XDG_CACHE_HOME: freshCache(), HF_HUB_OFFLINE: '1' }, stderr }),
      undefined,
    );
    assert.equal(hub.requests.length, 0);
    assert.deepEqual(printed, []);
    const port = await freePort();
    const unreachable = { HF_ENDPOINT: `http://127.0.0.1:${port}`, XDG_CACHE_HOME: freshCache() };
    assert.equal(await ensureDefaultModel({ env: unreachable, stderr, retry: QUICK_RETRY }), undefined);
    assert.deepEqual(printed, [
      `could not download onnx-community/Florence-2-base-ft: cannot reach 127.0.0.1:${port}: connection refused (ECONNREFUSED) for ` +
        `http://127.0.0.1:${port}/api/models/onnx-community/Florence-2-base-ft/revision/main\n`,
    ]);
  });

  test('a folder placed in the cache by hand (no pull manifest) is used as it is, without a request', async () => {
    const env = { HF_ENDPOINT: hub.endpoint, XDG_CACHE_HOME: freshCache() };
    const dir = cachedModelDir(undefined, env);
    cpSync(source, dir, { recursive: true });
    hub.reset();
    assert.equal(await ensureDefaultModel({ env, stderr: { write: () => true } }), dir);
    assert.equal(hub.requests.length, 0);
  });

  test('a hub lost mid-download returns undefined with one line saying the next pull resumes', async () => {
    const printed: string[] = [];
    const stderr = { write: (text: string) => void printed.push(text), isTTY: false };
    hub.reset();
    hub.dropAfter('onnx/embed_tokens.onnx', 100_000, 5);
    const env = { HF_ENDPOINT: hub.endpoint, XDG_CACHE_HOME: freshCache() };
    assert.equal(await ensureDefaultModel({ env, stderr, retry: QUICK_RETRY }), undefined);
    assert.match(printed.join(''), /interrupted: .*`florence-gateway model pull` resumes it\n$/);
    hub.reset();
  });
});
