/** The _quantized graphs load, use integer MatMuls and stay close to fp32. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeModel } from '../../src/synth/onnx.js';
import { tinyModelDir } from '../helpers/models.js';
import { patternImage } from './support/images.js';
import { Runner, argmax, row } from './support/runner.js';

const PROMPT = [0, 574, 22486, 5, 8720, 19, 4120, 766, 11, 5, 2274, 4, 2];
/** Fraction of teacher-forced positions whose argmax must agree with fp32. */
const MIN_AGREEMENT = 0.6;

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] ?? 0) * (b[i] ?? 0);
    na += (a[i] ?? 0) ** 2;
    nb += (b[i] ?? 0) ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

for (const bias of ['structured', undefined] as const) {
  describe(`--q8 (tiny, ${bias ?? 'plain'})`, () => {
    let dir = '';
    let fp32: Runner;
    let q8: Runner;
    before(async () => {
      dir = await tinyModelDir({ q8: true, bias });
      fp32 = await Runner.load(dir);
      q8 = await Runner.load(dir, '_quantized');
    });
    after(async () => {
      await fp32.release();
      await q8.release();
    });

    it('replaces float MatMul weights by MatMulInteger on uint8 weights', () => {
      const model = decodeModel(readFileSync(join(dir, 'onnx', 'decoder_model_merged_quantized.onnx')));
      const ops = (model.graph?.node ?? []).map((n) => n.opType);
      assert.ok(ops.includes('MatMulInteger') && ops.includes('DynamicQuantizeLinear'));
      const lmHead = (model.graph?.initializer ?? []).find((t) => t.name === 'language_model.lm_head.weight_quantized');
      assert.equal(lmHead?.dataType, 2, 'uint8 LM head');
      if (bias) {
        const steering = (model.graph?.initializer ?? []).find((t) => t.name === 'synthetic_bias.class_membership');
        assert.equal(steering?.dataType, 1, 'the --bias tables stay float');
      }
      const branches = (model.graph?.node ?? []).filter((n) => n.opType === 'If').flatMap((n) => n.attribute ?? []);
      assert.ok(
        branches.some((a) => (a.g?.node ?? []).some((n) => n.opType === 'MatMulInteger')),
        'cross-attention projections inside the If are quantized too',
      );
    });

    it('gives image features close to fp32 and the same argmax at most decoder positions', async () => {
      const image = patternImage(3);
      const [f32, fq] = [await fp32.imageFeatures(image), await q8.imageFeatures(image)];
      assert.ok(cosine(f32.data as Float32Array, fq.data as Float32Array) > 0.98);

      const sequence = await fp32.generate(image, PROMPT, 40);
      const a = await fp32.encode(f32, [PROMPT]);
      const b = await q8.encode(fq, [PROMPT]);
      const full32 = await fp32.decoderStep([sequence], a.hidden, a.mask);
      const fullQ = await q8.decoderStep([sequence], b.hidden, b.mask);
      let agree = 0;
      for (let i = 0; i < sequence.length; i++) if (argmax(row(full32.logits, 0, i)) === argmax(row(fullQ.logits, 0, i))) agree++;
      assert.ok(agree / sequence.length >= MIN_AGREEMENT, `argmax agreement ${agree}/${sequence.length}`);
    });
  });
}
