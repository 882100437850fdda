/**
 * The model fingerprint over a temporary model folder: stable while nothing changes, different when
 * any model file's bytes change (config, tokenizer, any ONNX graph), blind to files that are not
 * part of the model, and recomputed after a change despite the per-process memo.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FINGERPRINT_HEX_LENGTH, modelFingerprint } from '../../src/cache/modelFingerprint.js';

describe('modelFingerprint', () => {
  let dir: string;
  /** Rewrites a file and moves its mtime forward, as a real later write (or download) would. */
  let tick = 0;
  async function rewrite(relative: string, contents: string | Uint8Array): Promise<void> {
    const path = join(dir, relative);
    await writeFile(path, contents);
    const at = new Date(Date.UTC(2030, 0, 1) + ++tick * 1_000);
    await utimes(path, at, at);
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'florence-fingerprint-'));
    await mkdir(join(dir, 'onnx'));
    for (const name of ['config.json', 'generation_config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json']) {
      await rewrite(name, `{"name":"${name}"}`);
    }
    await rewrite('onnx/vision_encoder.onnx', new Uint8Array(300_000).fill(7));
    await rewrite('onnx/decoder_model_merged.onnx', new Uint8Array(1_000).fill(1));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('is short lowercase hex, and stable while nothing changes', async () => {
    const first = await modelFingerprint(dir);
    assert.match(first, new RegExp(`^[0-9a-f]{${FINGERPRINT_HEX_LENGTH}}$`));
    assert.equal(await modelFingerprint(dir), first);
    assert.equal(await modelFingerprint(`${dir}/./`), first, 'the same folder spelt differently');
  });

  const edits: ReadonlyArray<readonly [string, string]> = [
    ['config.json', '{"name":"config.json","d_model":1024}'],
    ['tokenizer.json', '{"name":"tokenizer.jsoN"}'],
    ['generation_config.json', '{"num_beams":1}'],
  ];
  for (const [file, contents] of edits) {
    test(`changes when ${file} changes`, async () => {
      const before = await modelFingerprint(dir);
      await rewrite(file, contents);
      assert.notEqual(await modelFingerprint(dir), before);
    });
  }

  test('changes when one byte of an ONNX graph changes (same size)', async () => {
    const before = await modelFingerprint(dir);
    const bytes = new Uint8Array(300_000).fill(7);
    bytes[123_456] = 8;
    await rewrite('onnx/vision_encoder.onnx', bytes);
    assert.notEqual(await modelFingerprint(dir), before);
  });

  test('changes when an ONNX file or external weights are added', async () => {
    const before = await modelFingerprint(dir);
    await rewrite('onnx/encoder_model_fp16.onnx', new Uint8Array(10));
    const withGraph = await modelFingerprint(dir);
    assert.notEqual(withGraph, before);
    await rewrite('onnx/encoder_model_fp16.onnx_data', new Uint8Array(10));
    assert.notEqual(await modelFingerprint(dir), withGraph);
  });

  test('is the same for a copy with the same bytes (contents, not dates, decide)', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'florence-fingerprint-copy-'));
    try {
      const { cp } = await import('node:fs/promises');
      await cp(dir, copy, { recursive: true });
      await utimes(join(copy, 'config.json'), new Date(0), new Date(0));
      assert.equal(await modelFingerprint(copy), await modelFingerprint(dir));
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  test('ignores files that are not part of the model', async () => {
    const before = await modelFingerprint(dir);
    await rewrite('README.md', '# notes');
    await mkdir(join(dir, 'cache'), { recursive: true });
    await rewrite('cache/scratch.json', '{}');
    assert.equal(await modelFingerprint(dir), before);
  });

  test('a variant (dtype) gives a different fingerprint for the same files', async () => {
    assert.notEqual(await modelFingerprint(dir, { variant: 'fp16' }), await modelFingerprint(dir, { variant: 'fp32' }));
    assert.equal(await modelFingerprint(dir, { variant: '' }), await modelFingerprint(dir));
  });

  test('a missing or empty folder is an error naming it', async () => {
    await assert.rejects(modelFingerprint(join(dir, 'nope')), /^Error: cannot read model folder .*nope: ENOENT/);
    const empty = await mkdtemp(join(tmpdir(), 'florence-fingerprint-empty-'));
    try {
      await assert.rejects(modelFingerprint(empty), /holds no model files; expected config\.json, tokenizer\.json and onnx\/\*\.onnx$/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
