/** The small pieces: path safety, dtype specs, etags, the progress renderer. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { normalizeEtag } from '../../src/hub/http.js';
import { remoteFileFromMetadata } from '../../src/hub/listing.js';
import { parseDtypeSpec } from '../../src/hub/plan.js';
import { createProgressReporter, formatBytes, formatDuration } from '../../src/hub/progress.js';
import { isSafeRepoPath, parseRepoId, safeJoin } from '../../src/hub/safePaths.js';
import { hubSettingsFromEnv } from '../../src/hub/settings.js';

describe('path safety', () => {
  test('listed paths must be plain relative paths', () => {
    for (const path of ['config.json', 'onnx/vision_encoder.onnx', 'a/b/c.d']) assert.ok(isSafeRepoPath(path), path);
    for (const path of ['', '../../evil', 'onnx/../../x', '/etc/passwd', 'a\\b', 'a//b', './x', 'a/.', 'C:\\x', 'x\0y', 'a/']) {
      assert.ok(!isSafeRepoPath(path), JSON.stringify(path));
    }
    assert.throws(() => safeJoin('/tmp/target', '../escape'), /unsafe file path/);
    assert.equal(safeJoin('/tmp/target', 'onnx/a.onnx'), join('/tmp/target', 'onnx', 'a.onnx'));
  });

  test('repository ids are owner/name with safe characters', () => {
    assert.deepEqual(parseRepoId('onnx-community/Florence-2-base-ft'), ['onnx-community', 'Florence-2-base-ft']);
    for (const repo of ['..', '../x', 'a/..', 'a/b/c', 'a', '-a/b', 'a/b c', 'a/b?x', 'a/%2e%2e'])
      assert.throws(() => parseRepoId(repo), /invalid repository/, repo);
  });
});

describe('settings and protocol details', () => {
  test('HF_* variables as huggingface_hub reads them', () => {
    assert.deepEqual(hubSettingsFromEnv({}), { endpoint: 'https://huggingface.co', token: undefined, offline: false });
    assert.deepEqual(hubSettingsFromEnv({ HF_ENDPOINT: 'http://mirror.local:8080/', HF_TOKEN: ' t ', HF_HUB_OFFLINE: 'TRUE' }), {
      endpoint: 'http://mirror.local:8080',
      token: 't',
      offline: true,
    });
    assert.equal(hubSettingsFromEnv({ HF_HUB_OFFLINE: '0' }).offline, false);
    assert.throws(() => hubSettingsFromEnv({ HF_ENDPOINT: 'ftp://x' }), /HF_ENDPOINT must be an http\(s\) URL/);
  });

  test('etags: weak markers and quotes dropped; sha256 for LFS, git oid for regular files', () => {
    const sha = 'a'.repeat(64);
    const oid = 'b'.repeat(40);
    assert.equal(normalizeEtag(`W/"${oid}"`), oid);
    assert.deepEqual(remoteFileFromMetadata('x.onnx', { size: 3, etag: sha, lfs: true }), {
      path: 'x.onnx',
      size: 3,
      sha256: sha,
      gitOid: undefined,
    });
    assert.deepEqual(remoteFileFromMetadata('x.json', { size: 3, etag: oid, lfs: false }), {
      path: 'x.json',
      size: 3,
      sha256: undefined,
      gitOid: oid,
    });
    assert.deepEqual(remoteFileFromMetadata('x.json', { size: 3, etag: 'cdn-xyz', lfs: false }), {
      path: 'x.json',
      size: 3,
      sha256: undefined,
      gitOid: undefined,
    });
  });

  test('dtype specs: one dtype, a per-module map, or both', () => {
    assert.equal(parseDtypeSpec('q8').decoder_model_merged, 'q8');
    assert.deepEqual(parseDtypeSpec('vision_encoder=fp16, decoder_model_merged=q8'), {
      vision_encoder: 'fp16',
      embed_tokens: 'fp32',
      encoder_model: 'fp32',
      decoder_model_merged: 'q8',
    });
    assert.equal(parseDtypeSpec('q4,embed_tokens=fp16').encoder_model, 'q4');
    assert.throws(() => parseDtypeSpec('q9'), /unknown dtype "q9"/);
    assert.throws(() => parseDtypeSpec('decoder=q8'), /MODULE one of vision_encoder/);
    assert.throws(() => parseDtypeSpec('vision_encoder=q9'), /unknown dtype "q9" for vision_encoder/);
  });
});

describe('progress renderer', () => {
  test('on a terminal: one line redrawn in place with bar, percent, bytes, rate and ETA', () => {
    let clock = 0;
    const out: string[] = [];
    const progress = createProgressReporter(
      { write: (text: string) => void out.push(text), isTTY: true, columns: 200 },
      { now: () => clock },
    );
    progress.plan({ label: 'o/n@main (fp32)', dir: '/d', files: 1, bytes: 4 * 1024 * 1024, skipped: 0 });
    progress.fileStart('onnx/x.onnx', 4 * 1024 * 1024, 0);
    clock = 1000;
    progress.bytes(1024 * 1024);
    clock = 2000;
    progress.bytes(1024 * 1024);
    const redraw = out.at(-1) ?? '';
    assert.match(redraw, /^\r\x1b\[2K\[#{12}-{12}\] {2}50% {2}2\.00 MiB \/ 4\.00 MiB {2}1\.00 MiB\/s {2}ETA 2\.0 s {2}onnx\/x\.onnx$/);
    clock = 2050;
    const before = out.length;
    progress.bytes(1);
    assert.equal(out.length, before, 'redraws are throttled');
    progress.done({ files: 1, bytes: 4 * 1024 * 1024 });
    assert.match(out.at(-1) ?? '', /^downloaded 1 file, 4\.00 MiB in /);
  });

  test('a narrow terminal keeps the stats and shortens the file name from the left', () => {
    const out: string[] = [];
    const progress = createProgressReporter({ write: (text: string) => void out.push(text), isTTY: true, columns: 90 }, { now: () => 0 });
    progress.plan({ label: 'x', dir: '/d', files: 1, bytes: 100, skipped: 0 });
    progress.fileStart('onnx/decoder_model_merged_quantized.onnx', 100, 0);
    const line = (out.at(-1) ?? '').replace('\r\x1b[2K', '');
    assert.ok(line.length <= 89, line);
    assert.match(line, /0%.*…[a-z_]*quantized\.onnx$/);
  });

  test('elsewhere: plain lines at file starts and each quarter', () => {
    let clock = 0;
    const out: string[] = [];
    const progress = createProgressReporter({ write: (text: string) => void out.push(text) }, { now: () => clock });
    progress.plan({ label: 'o/n@main (fp32)', dir: '/d', files: 1, bytes: 1000, skipped: 2 });
    progress.fileStart('a.onnx', 1000, 0);
    for (let i = 0; i < 100; i++) {
      clock += 10;
      progress.bytes(10);
    }
    progress.done({ files: 1, bytes: 1000 });
    const text = out.join('');
    assert.ok(!text.includes('\r'));
    assert.equal(text.split('\n').filter((line) => /^\s+\d+%/.test(line)).length, 3, text);
    assert.match(text, /2 already verified/);
  });

  test('a retried file is not counted twice', () => {
    const out: string[] = [];
    const progress = createProgressReporter({ write: (text: string) => void out.push(text) }, { now: () => 0 });
    progress.plan({ label: 'x', dir: '/d', files: 1, bytes: 100, skipped: 0 });
    progress.fileStart('a', 100, 0);
    progress.bytes(40);
    progress.fileStart('a', 100, 30);
    progress.bytes(70);
    assert.match(out.join(''), /100%  100 B \/ 100 B/);
  });

  test('units', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.50 KiB');
    assert.equal(formatBytes(367 * 1024 * 1024), '367.0 MiB');
    assert.equal(formatDuration(75), '1m15s');
    assert.equal(formatDuration(3 * 3600 + 120), '3h02m');
  });
});
