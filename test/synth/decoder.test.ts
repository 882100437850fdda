/**
 * The merged decoder is a real KV-cache decoder: empty step-0 caches, growing decoder caches,
 * cached decoding equal to full recomputation, cross-attention cache reuse, and padding that
 * cannot leak between batch rows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { tinyModelDir } from '../helpers/models.js';
import { patternImage, stack } from './support/images.js';
import { Runner, maxAbsDiff, row } from './support/runner.js';
import type { Feeds } from './support/runner.js';

const TOLERANCE = 1e-4;
const PROMPT_A = [0, 2264, 473, 5, 2274, 6190, 116, 2];
const PROMPT_B = [0, 574, 22486, 5, 8720, 19, 4120, 766, 11, 5, 2274, 4, 2];
const DECODED = [2, 0, 574, 5, 50321, 50601, 51201, 51043, 11, 2274];

describe('decoder_model_merged KV cache (tiny, plain)', () => {
  let runner: Runner;
  let features: ort.Tensor;

  before(async () => {
    runner = await Runner.load(await tinyModelDir({ bias: undefined }));
    features = await runner.imageFeatures(patternImage(0));
  });
  after(async () => runner.release());

  it('step 0 takes [B,H,0,hd] pasts; cached steps grow present.*.decoder.* by one', async () => {
    const { hidden, mask } = await runner.encode(features, [PROMPT_A]);
    const encoderLength = hidden.dims[1];
    let step = await runner.decoderStep([[2]], hidden, mask);
    assert.deepEqual(step.logits.dims, [1, 1, 51289]);
    assert.deepEqual(step.past['past_key_values.0.decoder.key']?.dims, [1, 2, 1, 32]);
    assert.deepEqual(step.past['past_key_values.1.encoder.value']?.dims, [1, 2, encoderLength, 32]);
    for (let t = 2; t <= 4; t++) {
      step = await runner.decoderStep([[0]], hidden, mask, step.past);
      assert.deepEqual(step.past['past_key_values.1.decoder.value']?.dims, [1, 2, t, 32]);
      assert.deepEqual(step.past['past_key_values.0.encoder.key']?.dims, [1, 2, encoderLength, 32]);
    }
  });

  it('cached step-by-step logits equal a full recomputation and a chunked prefix', async () => {
    const { hidden, mask } = await runner.encode(features, [PROMPT_A]);
    const cached: Float32Array[] = [];
    let past: Feeds | undefined;
    for (const id of DECODED) {
      const step = await runner.decoderStep([[id]], hidden, mask, past);
      past = step.past;
      cached.push(row(step.logits, 0, 0).slice());
    }
    const full = await runner.decoderStep([DECODED], hidden, mask);
    assert.deepEqual(full.logits.dims, [1, DECODED.length, 51289]);
    assert.deepEqual(full.past['past_key_values.0.decoder.key']?.dims, [1, 2, DECODED.length, 32]);
    DECODED.forEach((_, i) => {
      const diff = maxAbsDiff(row(full.logits, 0, i), cached[i] as Float32Array);
      assert.ok(diff < TOLERANCE, `position ${i}: max |Δ| = ${diff}`);
    });

    // A 4-token prefix in one call (s > 1, P = 0), then cached single steps (P > 0).
    const prefix = 4;
    let chunk = await runner.decoderStep([DECODED.slice(0, prefix)], hidden, mask);
    for (let i = prefix; i < DECODED.length; i++) {
      chunk = await runner.decoderStep([[DECODED[i] as number]], hidden, mask, chunk.past);
      const diff = maxAbsDiff(row(chunk.logits, 0, 0), cached[i] as Float32Array);
      assert.ok(diff < TOLERANCE, `chunked position ${i}: max |Δ| = ${diff}`);
    }
    // Two tokens at once on top of a cache (s > 1 and P > 0 together).
    const two = await runner.decoderStep([DECODED.slice(0, 6)], hidden, mask);
    const next = await runner.decoderStep([DECODED.slice(6, 8)], hidden, mask, two.past);
    for (let j = 0; j < 2; j++) {
      const diff = maxAbsDiff(row(next.logits, 0, j), cached[6 + j] as Float32Array);
      assert.ok(diff < TOLERANCE, `s=2 on P=6, position ${6 + j}: max |Δ| = ${diff}`);
    }
  });

  it('use_cache_branch=true reads the past encoder keys/values, not encoder_hidden_states', async () => {
    const { hidden, mask } = await runner.encode(features, [PROMPT_A]);
    const first = await runner.decoderStep([[2]], hidden, mask);
    const honest = await runner.decoderStep([[0]], hidden, mask, first.past);
    const zeros = new ort.Tensor('float32', new Float32Array(hidden.data.length), hidden.dims);
    const ignored = await runner.decoderStep([[0]], zeros, mask, first.past);
    assert.ok(maxAbsDiff(row(honest.logits, 0, 0), row(ignored.logits, 0, 0)) < TOLERANCE);
    // ...whereas use_cache_branch=false does read them.
    const recomputed = await runner.decoderStep([[2, 0]], zeros, mask);
    assert.ok(maxAbsDiff(row(honest.logits, 0, 0), row(recomputed.logits, 0, 1)) > 1e-2);
  });

  it('a right-padded batch of two prompts equals each prompt alone (encoder and decoder)', async () => {
    const batchFeatures = await runner.imageFeatures(stack([patternImage(0), patternImage(1)]), 2);
    const singleB = await runner.imageFeatures(patternImage(1));
    const batch = await runner.encode(batchFeatures, [PROMPT_A, PROMPT_B]);
    const aloneA = await runner.encode(features, [PROMPT_A]);
    const aloneB = await runner.encode(singleB, [PROMPT_B]);
    const [, width, d] = batch.hidden.dims as [number, number, number];
    const data = batch.hidden.data as Float32Array;
    const lengthA = 577 + PROMPT_A.length;
    assert.ok(maxAbsDiff(data.subarray(0, lengthA * d), aloneA.hidden.data as Float32Array) < TOLERANCE, 'encoder row 0');
    assert.ok(maxAbsDiff(data.subarray(width * d, 2 * width * d), aloneB.hidden.data as Float32Array) < TOLERANCE, 'encoder row 1');

    const ids = [
      [2, 0, 574],
      [2, 0, 574],
    ];
    let batchStep = await runner.decoderStep(
      ids.map((r) => [r[0] as number]),
      batch.hidden,
      batch.mask,
    );
    let stepA = await runner.decoderStep([[2]], aloneA.hidden, aloneA.mask);
    let stepB = await runner.decoderStep([[2]], aloneB.hidden, aloneB.mask);
    for (let t = 0; t < ids[0]!.length; t++) {
      if (t > 0) {
        batchStep = await runner.decoderStep(
          ids.map((r) => [r[t] as number]),
          batch.hidden,
          batch.mask,
          batchStep.past,
        );
        stepA = await runner.decoderStep([[ids[0]![t] as number]], aloneA.hidden, aloneA.mask, stepA.past);
        stepB = await runner.decoderStep([[ids[1]![t] as number]], aloneB.hidden, aloneB.mask, stepB.past);
      }
      assert.ok(maxAbsDiff(row(batchStep.logits, 0, 0), row(stepA.logits, 0, 0)) < TOLERANCE, `decoder row 0 step ${t}`);
      assert.ok(maxAbsDiff(row(batchStep.logits, 1, 0), row(stepB.logits, 0, 0)) < TOLERANCE, `decoder row 1 step ${t}`);
    }
  });
});
