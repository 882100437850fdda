/**
 * The peer oracle: transformers.js 4.3.1 runs the same synthetic model files. Equal greedy tokens
 * for several images and tasks are strong evidence that our graphs are fed exactly as the reference
 * feeds them (prompt ids, image-first concatenation, masks, KV cache, forced tokens, no-repeat-3).
 *
 * Preprocessing differs on purpose: we resize like Pillow (what the model was trained with), while
 * transformers.js uses sharp's affine transform, which samples half a pixel off and runs past the
 * last row and column. Square 768² images pass through both untouched, so for them the whole
 * pipelines are compared; for other sizes transformers.js is given our pixel values, so the model
 * run is compared on equal inputs, and the pixel values are compared separately.
 */
import assert from 'node:assert/strict';
import { basename, dirname } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AutoProcessor, Florence2ForConditionalGeneration, RawImage, Tensor, env } from '@huggingface/transformers';
import { Florence2 } from '../../src/vision/florence2.js';
import { patternPng } from '../helpers/images.js';
import { tinyModelDir } from '../helpers/models.js';

/** The parts of transformers.js' Florence2Processor used here (its .d.ts types it as Processor). */
interface FlorenceProcessor {
  (image: RawImage, prompts: string[]): Promise<{ input_ids: Tensor; attention_mask: Tensor; pixel_values: Tensor }>;
  construct_prompts(task: string): string[];
}

const MAX_NEW_TOKENS = 48;
const CASES: [task: string, input?: string][] = [
  ['<CAPTION>'],
  ['<OD>'],
  ['<OCR_WITH_REGION>'],
  ['<OPEN_VOCABULARY_DETECTION>', 'wheels'],
  ['<REGION_TO_DESCRIPTION>', '<loc_52><loc_332><loc_932><loc_774>'],
];

let ours: Florence2;
let peer: Florence2ForConditionalGeneration;
let processor: FlorenceProcessor;

before(async () => {
  const dir = await tinyModelDir();
  ours = await Florence2.load(dir);
  env.allowRemoteModels = false;
  env.localModelPath = `${dirname(dir)}/`;
  peer = (await Florence2ForConditionalGeneration.from_pretrained(basename(dir), {
    dtype: 'fp32',
    local_files_only: true,
  })) as Florence2ForConditionalGeneration;
  processor = (await AutoProcessor.from_pretrained(basename(dir), { local_files_only: true })) as unknown as FlorenceProcessor;
});

after(async () => {
  await ours.dispose();
  await peer.dispose();
});

async function peerTokens(image: Buffer, task: string, input: string | undefined, pixelValues?: Float32Array): Promise<number[]> {
  const [prompt] = processor.construct_prompts(task + (input ?? ''));
  const inputs = await processor(await RawImage.fromBlob(new Blob([image])), [prompt!]);
  const generated = (await peer.generate({
    ...inputs,
    ...(pixelValues ? { pixel_values: new Tensor('float32', pixelValues, [1, 3, 768, 768]) } : {}),
    max_new_tokens: MAX_NEW_TOKENS,
    num_beams: 1,
    do_sample: false,
  })) as Tensor;
  // transformers.js returns the decoder start token (2) first; ours start at the forced <s>.
  return Array.from(generated.data as BigInt64Array, Number).slice(1);
}

describe('greedy tokens equal transformers.js generate', () => {
  for (const seed of [3, 4]) {
    for (const [task, input] of CASES) {
      test(`768² image ${seed}, ${task}: whole pipelines`, async () => {
        const image = await patternPng(768, 768, seed);
        const mine = await ours.run(image, task, input, { maxNewTokens: MAX_NEW_TOKENS });
        assert.deepEqual(mine.tokens, await peerTokens(image, task, input));
      });
    }
  }
  for (const [width, height] of [
    [640, 480],
    [320, 900],
  ] as const) {
    for (const [task, input] of CASES.slice(0, 3)) {
      test(`${width}×${height} image, ${task}: same pixel values in`, async () => {
        const image = await patternPng(width, height, width);
        const prepared = await ours.prepare(image);
        const mine = await ours.run(prepared, task, input, { maxNewTokens: MAX_NEW_TOKENS });
        assert.deepEqual(mine.tokens, await peerTokens(image, task, input, prepared.pixelValues));
      });
    }
  }
});

describe('pixel values agree with transformers.js processor', () => {
  for (const [width, height] of [
    [640, 480],
    [1600, 1200],
    [768, 768],
    [300, 200],
  ] as const) {
    test(`${width}×${height}: mean difference within 0.05`, async () => {
      const image = await patternPng(width, height, 7);
      const mine = (await ours.prepare(image)).pixelValues;
      const theirs = (await processor(await RawImage.fromBlob(new Blob([image])), ['x'])).pixel_values.data as Float32Array;
      assert.equal(theirs.length, mine.length);
      let total = 0;
      for (let i = 0; i < mine.length; i++) total += Math.abs(mine[i]! - theirs[i]!);
      assert.ok(total / mine.length <= 0.05, `mean difference ${total / mine.length}`);
    });
  }
});
