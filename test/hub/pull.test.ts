/** `pullModel` end to end against the stand-in hub serving a synthetic tiny model. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HubError } from '../../src/hub/errors.js';
import { INCOMPLETE_SUFFIX, downloadFile } from '../../src/hub/download.js';
import { HubClient } from '../../src/hub/http.js';
import { silentProgress } from '../../src/hub/progress.js';
import { MANIFEST_NAME, readManifest } from '../../src/hub/manifest.js';
import { cachedModelDir } from '../../src/hub/modelCache.js';
import { createProgressReporter } from '../../src/hub/progress.js';
import { pullModel, type PullOptions } from '../../src/hub/pull.js';
import { openModelFolder } from '../../src/vision/modelFiles.js';
import { tinyModelDir } from '../helpers/models.js';
import { StandInHub } from './support/standInHub.js';

const DECODER = 'onnx/decoder_model_merged.onnx';
const ENCODER = 'onnx/encoder_model.onnx';
/** No real waiting between retries in tests. */
const QUICK_RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 };
const NO_RETRY = { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 };
const FP32_FILES = [
  'config.json',
  'generation_config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'processor_config.json',
  'onnx/vision_encoder.onnx',
  'onnx/embed_tokens.onnx',
  'onnx/encoder_model.onnx',
  'onnx/decoder_model_merged.onnx',
];

let work: string;
let source: string;
let hub: StandInHub;
let caseNumber = 0;

/** A fresh XDG_CACHE_HOME per test, so each starts from an empty cache. */
function freshEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { XDG_CACHE_HOME: join(work, `cache-${++caseNumber}`), HF_ENDPOINT: hub.endpoint, ...extra };
}

function pull(env: NodeJS.ProcessEnv, options: Partial<PullOptions> = {}, target: StandInHub = hub): ReturnType<typeof pullModel> {
  return pullModel({ env: { ...env, HF_ENDPOINT: target.endpoint }, retry: QUICK_RETRY, ...options });
}

function assertSameBytes(dir: string, from: string, paths: readonly string[]): void {
  for (const path of paths) assert.ok(readFileSync(join(dir, path)).equals(readFileSync(join(from, path))), `${path} is byte-identical`);
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'hub-pull-'));
  source = await tinyModelDir();
  hub = await StandInHub.start({ sourceDir: source });
});
after(async () => {
  await hub.close();
  await rm(work, { recursive: true, force: true });
});

describe('model pull from the stand-in hub', () => {
  test('a full pull gives a folder openModelFolder accepts, byte-identical to the source, with a manifest', async () => {
    hub.reset();
    const env = freshEnv();
    const result = await pull(env);
    const dir = cachedModelDir('onnx-community/Florence-2-base-ft', env);
    assert.equal(result.dir, dir);
    assert.equal(dir, join(env['XDG_CACHE_HOME'] as string, 'florence-gateway', 'models', 'onnx-community', 'Florence-2-base-ft'));
    assert.deepEqual([...result.downloaded].sort(), [...FP32_FILES].sort());
    assert.equal(result.commit, hub.commit);
    openModelFolder(dir, 'fp32');
    assertSameBytes(dir, source, FP32_FILES);
    const manifest = readManifest(dir);
    assert.ok(manifest);
    assert.equal(manifest.repo, 'onnx-community/Florence-2-base-ft');
    assert.equal(manifest.commit, hub.commit);
    assert.equal(manifest.files[DECODER]?.sha256, hub.files.get(DECODER)?.sha256);
    assert.equal(manifest.files[DECODER]?.size, hub.files.get(DECODER)?.bytes.length);
    const leftovers = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((name) => name.endsWith(INCOMPLETE_SUFFIX) || name.endsWith('.lock'));
    assert.deepEqual(leftovers, []);
    // Pinned: every file came from the commit the revision resolved to.
    for (const request of hub.requests.filter((r) => r.file !== undefined))
      assert.match(request.url, new RegExp(`/resolve/${hub.commit}/`));

    hub.reset();
    const again = await pull(env);
    assert.deepEqual(again.downloaded, [], 'a second pull downloads nothing');
    assert.deepEqual([...again.skipped].sort(), [...FP32_FILES].sort());
    assert.equal(hub.requests.filter((r) => r.file !== undefined).length, 0, 'no file request at all');
  });

  test('an interrupted download leaves .incomplete; the next pull resumes with a Range request', async () => {
    hub.reset();
    const env = freshEnv();
    const dir = cachedModelDir(undefined, env);
    const size = hub.files.get(DECODER)?.bytes.length ?? 0;
    const dropAt = Math.floor(size / 3);
    hub.dropAfter(DECODER, dropAt);
    await assert.rejects(pull(env, { retry: NO_RETRY }), (error: unknown) => error instanceof HubError && error.kind === 'network');
    const partial = join(dir, `${DECODER}${INCOMPLETE_SUFFIX}`);
    assert.ok(existsSync(partial), '.incomplete is kept');
    assert.ok(!existsSync(join(dir, DECODER)), 'the final name does not appear');
    const kept = statSync(partial).size;
    assert.ok(kept > 0 && kept <= dropAt, `kept ${kept} of the ${dropAt} bytes sent`);
    assert.ok(readManifest(dir)?.files['config.json'], 'files finished before the drop are recorded');

    hub.reset();
    const result = await pull(env);
    assert.deepEqual(result.downloaded, [DECODER], 'only the interrupted file is fetched again');
    const downloads = hub.downloadsOf(DECODER);
    assert.equal(downloads.length, 1);
    assert.equal(downloads[0]?.range, `bytes=${kept}-`);
    assert.equal(downloads[0]?.status, 206);
    assert.equal(downloads[0]?.bytesSent, size - kept, 'the first bytes were not sent again');
    assert.equal(result.bytes, size - kept);
    assert.ok(!existsSync(partial));
    assertSameBytes(dir, source, [DECODER]);
    openModelFolder(dir);
  });

  test('network failures are retried within one pull, each retry resuming where the last stopped', async () => {
    hub.reset();
    const env = freshEnv();
    const size = hub.files.get(DECODER)?.bytes.length ?? 0;
    hub.fail('config.json', 500);
    // Two drops a third of the file apart. fetch discards the bytes it had queued but not yet
    // handed over when a connection breaks, so the resume points are read from the log, not assumed.
    hub.dropAfter(DECODER, Math.floor(size / 3), 2);
    const retries: string[] = [];
    const result = await pull(env, { retry: { ...QUICK_RETRY, onRetry: (error) => void retries.push(error.message) } });
    assert.equal(result.downloaded.length, FP32_FILES.length);
    assert.equal(retries.length, 3, retries.join('\n'));
    assert.match(retries[0] ?? '', /500/);
    const downloads = hub.downloadsOf(DECODER);
    assert.equal(downloads.length, 3);
    const [first, second, third] = downloads.map((r) => r.range);
    assert.equal(first, undefined);
    const resumeAt = (range: string | undefined): number => Number(/^bytes=(\d+)-$/.exec(range ?? '')?.[1] ?? NaN);
    assert.ok(resumeAt(second) > 0 && resumeAt(second) <= size / 3, String(second));
    assert.ok(resumeAt(third) > resumeAt(second), String(third));
    const total = FP32_FILES.reduce((sum, path) => sum + (hub.files.get(path)?.bytes.length ?? 0), 0);
    assert.equal(result.bytes, total, 'every byte written once: each resume starts where the file on disk ends');
    assertSameBytes(result.dir, source, FP32_FILES);
  });

  test('a stalled body times out and the retry resumes', async () => {
    hub.reset();
    const env = freshEnv();
    const size = hub.files.get(DECODER)?.bytes.length ?? 0;
    hub.stallAfter(DECODER, Math.floor(size / 2));
    const retries: string[] = [];
    const result = await pull(env, { idleTimeoutMs: 300, retry: { ...QUICK_RETRY, onRetry: (error) => void retries.push(error.message) } });
    assert.match(retries.join('\n'), /no data \(0\.3 s\)/);
    const ranges = hub.downloadsOf(DECODER).map((r) => r.range);
    assert.equal(ranges.length, 2);
    assert.match(ranges[1] ?? '', /^bytes=[1-9]\d*-$/);
    assertSameBytes(result.dir, source, [DECODER]);
  });

  test('a server that ignores Range (answers 200) makes the download start over cleanly', async () => {
    hub.reset();
    const env = freshEnv();
    const dir = cachedModelDir(undefined, env);
    hub.dropAfter(DECODER, Math.floor((hub.files.get(DECODER)?.bytes.length ?? 0) / 3));
    await assert.rejects(pull(env, { retry: NO_RETRY }));
    const kept = statSync(join(dir, `${DECODER}${INCOMPLETE_SUFFIX}`)).size;
    hub.reset();
    hub.ignoreRange = true;
    try {
      const result = await pull(env);
      assert.deepEqual(result.downloaded, [DECODER]);
      assertSameBytes(dir, source, [DECODER]);
      const [download] = hub.downloadsOf(DECODER);
      assert.equal(download?.range, `bytes=${kept}-`);
      assert.equal(download?.status, 200);
    } finally {
      hub.ignoreRange = false;
    }
  });

  test('a partial whose bytes do not match (an older version of the file) restarts once from zero', async () => {
    hub.reset();
    const env = freshEnv();
    const dir = cachedModelDir(undefined, env);
    hub.dropAfter(DECODER, Math.floor((hub.files.get(DECODER)?.bytes.length ?? 0) / 3));
    await assert.rejects(pull(env, { retry: NO_RETRY }));
    const partial = join(dir, `${DECODER}${INCOMPLETE_SUFFIX}`);
    const kept = statSync(partial).size;
    writeFileSync(partial, Buffer.alloc(kept, 7));
    hub.reset();
    const result = await pull(env);
    assert.deepEqual(result.downloaded, [DECODER]);
    assertSameBytes(dir, source, [DECODER]);
    assert.deepEqual(
      hub.downloadsOf(DECODER).map((r) => r.range),
      [`bytes=${kept}-`, undefined],
    );
  });

  test('416 to a resume of a partial that is already whole: checked and renamed; wrong, deleted', async () => {
    hub.reset();
    const hosted = hub.files.get(ENCODER);
    assert.ok(hosted);
    const dir = join(work, 'range-416');
    mkdirSync(dir, { recursive: true });
    const target = join(dir, 'encoder_model.onnx');
    const context = {
      client: new HubClient({ endpoint: hub.endpoint }),
      repo: hub.repo,
      revision: 'main',
      retry: NO_RETRY,
      progress: silentProgress,
    };
    // Size unknown (a listing without it), so the client asks for the rest and the server says there is none.
    const file = { path: ENCODER, size: undefined, sha256: hosted.sha256, gitOid: undefined };
    writeFileSync(`${target}${INCOMPLETE_SUFFIX}`, hosted.bytes);
    const result = await downloadFile(context, file, target);
    assert.equal(result.digest.sha256, hosted.sha256);
    assert.ok(readFileSync(target).equals(hosted.bytes));
    assert.deepEqual(
      hub.requests.map((r) => [r.range, r.status]),
      [[`bytes=${hosted.bytes.length}-`, 416]],
    );

    writeFileSync(`${target}${INCOMPLETE_SUFFIX}`, Buffer.alloc(hosted.bytes.length + 10));
    hub.reset();
    await downloadFile({ ...context, retry: QUICK_RETRY }, file, target);
    assert.ok(readFileSync(target).equals(hosted.bytes), 'a too-long partial is dropped and the file fetched again');
    assert.deepEqual(
      hub.requests.map((r) => [r.range, r.status]),
      [
        [`bytes=${hosted.bytes.length + 10}-`, 416],
        [undefined, 200],
      ],
    );
  });

  test('a corrupted file is refused: sha256 mismatch naming the file, nothing renamed into place', async () => {
    hub.reset();
    const env = freshEnv();
    const dir = cachedModelDir(undefined, env);
    hub.corrupt(ENCODER);
    const expected = hub.files.get(ENCODER)?.sha256 ?? '';
    await assert.rejects(pull(env), (error: unknown) => {
      assert.ok(error instanceof HubError);
      assert.equal(error.kind, 'integrity');
      assert.match(
        error.message,
        new RegExp(`sha256 mismatch for onnx/encoder_model\\.onnx: expected ${expected}, got (?!${expected})[0-9a-f]{64}`),
      );
      return true;
    });
    assert.ok(!existsSync(join(dir, ENCODER)), 'not renamed into place');
    assert.ok(!existsSync(join(dir, `${ENCODER}${INCOMPLETE_SUFFIX}`)), 'the partial is deleted');
    assert.equal(readManifest(dir)?.files[ENCODER], undefined);
    assert.equal(hub.downloadsOf(ENCODER).length, 1, 'an integrity failure is not retried');
  });

  test('a file changed on disk after the pull is fetched again; untouched ones are not', async () => {
    hub.reset();
    const env = freshEnv();
    const { dir } = await pull(env);
    const path = join(dir, 'onnx', 'embed_tokens.onnx');
    const bytes = readFileSync(path);
    bytes[10] = (bytes[10] ?? 0) ^ 1;
    writeFileSync(path, bytes);
    hub.reset();
    const result = await pull(env);
    assert.deepEqual(result.downloaded, ['onnx/embed_tokens.onnx']);
    assertSameBytes(dir, source, ['onnx/embed_tokens.onnx']);
  });

  test('HF_HUB_OFFLINE=1 uses a complete folder without any request, and fails clearly without one', async () => {
    hub.reset();
    const env = freshEnv();
    const { dir } = await pull(env);
    hub.reset();
    const offline = await pull({ ...env, HF_HUB_OFFLINE: '1' });
    assert.equal(offline.offline, true);
    assert.equal(offline.dir, dir);
    assert.equal(hub.requests.length, 0);

    const empty = freshEnv({ HF_HUB_OFFLINE: '1' });
    await assert.rejects(pull(empty), (error: unknown) => {
      assert.ok(error instanceof HubError);
      assert.equal(error.kind, 'offline');
      assert.match(
        error.message,
        /HF_HUB_OFFLINE is set and .* does not hold onnx-community\/Florence-2-base-ft@main \(fp32\): the folder does not exist/,
      );
      assert.match(error.message, /florence-gateway model pull/);
      return true;
    });
    // A folder missing one graph (an interrupted pull) is incomplete too, and says which file.
    await rm(join(dir, DECODER));
    await assert.rejects(pull({ ...env, HF_HUB_OFFLINE: '1' }), /missing or incomplete: onnx\/decoder_model_merged\.onnx/);
    await assert.rejects(
      pull({ ...env, HF_HUB_OFFLINE: '1' }, { dtype: 'q8' }),
      /missing or incomplete: onnx\/vision_encoder_quantized\.onnx/,
    );
    assert.equal(hub.requests.length, 0);
  });

  test('q8 picks the _quantized files; a per-module map mixes dtypes', async () => {
    const q8Source = await tinyModelDir({ q8: true });
    const q8Hub = await StandInHub.start({ sourceDir: q8Source });
    try {
      const env = freshEnv();
      const result = await pull(env, { dtype: 'q8' }, q8Hub);
      const onnx = result.downloaded.filter((path) => path.endsWith('.onnx')).sort();
      assert.deepEqual(onnx, [
        'onnx/decoder_model_merged_quantized.onnx',
        'onnx/embed_tokens_quantized.onnx',
        'onnx/encoder_model_quantized.onnx',
        'onnx/vision_encoder_quantized.onnx',
      ]);
      assert.ok(!existsSync(join(result.dir, 'onnx', 'vision_encoder.onnx')), 'no fp32 graph was fetched');
      openModelFolder(result.dir, 'q8');
      assertSameBytes(result.dir, q8Source, onnx);

      q8Hub.reset();
      const mixed = await pull(
        env,
        { dtype: { vision_encoder: 'fp32', embed_tokens: 'q8', encoder_model: 'q8', decoder_model_merged: 'q8' } },
        q8Hub,
      );
      assert.deepEqual(mixed.downloaded, ['onnx/vision_encoder.onnx'], 'only the graph not yet there');
      assert.equal(readManifest(result.dir)?.dtypes.vision_encoder, 'fp32');
    } finally {
      await q8Hub.close();
    }
  });

  test('a dtype the repository lacks is a clear error listing the dtypes it has', async () => {
    hub.reset();
    await assert.rejects(pull(freshEnv(), { dtype: 'q4' }), (error: unknown) => {
      assert.ok(error instanceof HubError);
      assert.equal(error.kind, 'dtype');
      assert.match(error.message, /has no q4 files \(missing onnx\/vision_encoder_q4\.onnx, .*\); it has the dtypes fp32$/);
      return true;
    });
    assert.equal(hub.requests.filter((r) => r.file !== undefined).length, 0, 'nothing downloaded');
  });

  test('HF_TOKEN goes to the hub as a bearer token, never to the CDN it redirects to, and is never printed', async () => {
    const token = 'hf_stand_in_secret_token';
    const gated = await StandInHub.start({ sourceDir: source, redirectLfs: true, requiredToken: token });
    try {
      const printed: string[] = [];
      const progress = createProgressReporter({ write: (text: string) => void printed.push(text) }, { tty: false });
      const result = await pull(freshEnv(), { token, progress }, gated);
      assertSameBytes(result.dir, source, FP32_FILES);
      const hubRequests = gated.requests.filter((r) => r.server === 'hub');
      const cdnRequests = gated.requests.filter((r) => r.server === 'cdn');
      assert.ok(hubRequests.length > 0 && cdnRequests.length === 4, 'the four graphs came from the CDN');
      for (const r of hubRequests) assert.equal(r.authorization, `Bearer ${token}`, r.url);
      for (const r of cdnRequests) assert.equal(r.authorization, undefined, r.url);
      const output = printed.join('');
      assert.ok(!output.includes(token));
      assert.ok(!output.includes('secret-signature'));

      await assert.rejects(pull(freshEnv(), {}, gated), (error: unknown) => {
        assert.ok(error instanceof HubError);
        assert.equal(error.kind, 'auth');
        assert.match(error.message, /401 .*Access to this repository is restricted.*set HF_TOKEN/);
        return true;
      });
    } finally {
      await gated.close();
    }
  });

  test('without the tree API it falls back to HEAD requests (x-linked-* on the redirect) and still verifies hashes', async () => {
    const mirror = await StandInHub.start({ sourceDir: source, api: false, redirectLfs: true });
    try {
      const result = await pull(freshEnv(), {}, mirror);
      assertSameBytes(result.dir, source, FP32_FILES);
      assert.ok(mirror.requests.some((r) => r.method === 'HEAD' && r.file === DECODER && r.status === 302));
      assert.ok(!mirror.requests.some((r) => r.method === 'HEAD' && r.server === 'cdn'), 'HEAD stops at the hub');
      mirror.reset();
      mirror.corrupt('tokenizer.json');
      // tokenizer.json is a regular (non-LFS) file: its hash is the git blob oid from the etag.
      await assert.rejects(pull(freshEnv(), {}, mirror), /git blob hash mismatch for tokenizer\.json/);
    } finally {
      await mirror.close();
    }
  });

  test('a listing with an unsafe path is refused and nothing is written', async () => {
    const evilEntry = { type: 'file', oid: '0'.repeat(40), size: 4, path: '../../evil' };
    const evil = await StandInHub.start({ sourceDir: source, extraTreeEntries: [evilEntry] });
    try {
      const env = freshEnv();
      await assert.rejects(pull(env, {}, evil), (error: unknown) => {
        assert.ok(error instanceof HubError);
        assert.equal(error.kind, 'protocol');
        assert.match(error.message, /refusing the unsafe file path "\.\.\/\.\.\/evil"/);
        return true;
      });
      assert.ok(!existsSync(env['XDG_CACHE_HOME'] as string), 'nothing was created');
      assert.equal(evil.requests.filter((r) => r.file !== undefined).length, 0);
    } finally {
      await evil.close();
    }
  });

  test('a bad repository name or revision is refused before any request', async () => {
    hub.reset();
    for (const repo of ['../etc', 'owner/../x', 'owner/name/extra', '/abs', 'owner\\name', 'owner/.hidden']) {
      await assert.rejects(pull(freshEnv(), { repo }), /invalid repository/, repo);
    }
    await assert.rejects(pull(freshEnv(), { revision: '../main' }), /invalid revision/);
    assert.equal(hub.requests.length, 0);
  });

  test('a missing revision is a not-found error', async () => {
    await assert.rejects(
      pull(freshEnv(), { revision: 'no-such-branch' }),
      (error: unknown) => error instanceof HubError && error.kind === 'not-found',
    );
  });

  test('the manifest is written beside the files', async () => {
    const { dir } = await pull(freshEnv());
    assert.ok(existsSync(join(dir, MANIFEST_NAME)));
  });
});
