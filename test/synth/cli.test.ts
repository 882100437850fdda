/** `florence-gateway model synth` argument handling and report. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { modelSynthCommand } from '../../src/cli/modelSynth.js';

describe('model synth CLI', () => {
  let out = '';
  let printed: string[] = [];
  let errors: string[] = [];
  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'synth-cli-'));
    mock.method(console, 'log', (...args: unknown[]) => void printed.push(args.join(' ')));
    mock.method(console, 'error', (...args: unknown[]) => void errors.push(args.join(' ')));
  });
  after(async () => {
    mock.restoreAll();
    await rm(out, { recursive: true, force: true });
  });
  const reset = (): void => {
    printed = [];
    errors = [];
  };

  for (const [argv, message] of [
    [['--out', '/tmp/x'], /--size is required/],
    [['--size', 'huge', '--out', '/tmp/x'], /--size must be one of tiny, base/],
    [['--size', 'tiny'], /--out is required/],
    [['--size', 'tiny', '--out', '/tmp/x', '--seed=-3'], /--seed must be a non-negative integer/],
    [['--size', 'tiny', '--out', '/tmp/x', '--seed', '1.5'], /--seed must be a non-negative integer/],
    [['--size', 'tiny', '--out', '/tmp/x', '--bias', 'loud'], /--bias must be one of structured, text/],
    [
      ['--size', 'tiny', '--out', '/tmp/x', '--colour'],
      /^unknown option --colour; usage: florence-gateway model synth --size tiny\|base --out DIR \[options\]$/,
    ],
  ] as const) {
    it(`rejects ${argv.join(' ')} with exit code 2`, async () => {
      reset();
      assert.equal(await modelSynthCommand([...argv]), 2);
      assert.match(errors.join('\n'), message);
      assert.match(errors.join('\n'), /usage: florence-gateway model synth/);
    });
  }

  it('prints usage for --help', async () => {
    reset();
    assert.equal(await modelSynthCommand(['--help']), 0);
    assert.match(printed.join('\n'), /--tokenizer/);
  });

  it('writes a tiny model with a bare --bias and reports files, parameters and GFLOPs', async () => {
    reset();
    assert.equal(await modelSynthCommand(['--size', 'tiny', '--out', out, '--bias', '--seed', '3']), 0);
    const report = printed.join('\n');
    assert.match(report, /onnx\/decoder_model_merged\.onnx\s+[\d.]+ MiB/);
    assert.match(report, /parameters: [\d.]+ M/);
    assert.match(report, /vision encoder: [\d.]+ GFLOP/);
    assert.match(report, /bias: structured/);
    assert.ok(existsSync(join(out, 'onnx', 'vision_encoder.onnx')));
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { synthetic: { seed: number; bias: { pattern: string } } };
    assert.equal(config.synthetic.seed, 3);
    assert.equal(config.synthetic.bias.pattern, 'structured');
  });
});
