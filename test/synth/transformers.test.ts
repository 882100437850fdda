/** transformers.js 4.3.1 (the peer oracle) loads the synthetic folder and generates with it. */
import assert from 'node:assert/strict';
import { basename, dirname } from 'node:path';
import { describe, it } from 'node:test';
import { AutoProcessor, Florence2ForConditionalGeneration, RawImage, env } from '@huggingface/transformers';
import type { PreTrainedModel, Tensor } from '@huggingface/transformers';

/** The parts of transformers.js' Florence2Processor used here (its .d.ts types it as Processor). */
interface FlorenceProcessor {
  (image: RawImage, prompts: string[]): Promise<Record<string, Tensor>>;
  construct_prompts(task: string): string[];
  batch_decode(ids: Tensor, options: { skip_special_tokens: boolean }): string[];
  post_process_generation(text: string, task: string, size: [number, number]): unknown;
}
import { tinyModelDir } from '../helpers/models.js';

function testImage(): RawImage {
  const width = 96;
  const height = 64;
  const data = new Uint8ClampedArray(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 256;
  return new RawImage(data, width, height, 3);
}

async function load(dir: string, dtype: 'fp32' | 'q8'): Promise<{ model: PreTrainedModel; processor: FlorenceProcessor }> {
  env.allowRemoteModels = false;
  env.localModelPath = `${dirname(dir)}/`;
  const id = basename(dir);
  const model = await Florence2ForConditionalGeneration.from_pretrained(id, { dtype, local_files_only: true });
  const processor = (await AutoProcessor.from_pretrained(id, { local_files_only: true })) as unknown as FlorenceProcessor;
  return { model, processor };
}

async function run(dir: string, dtype: 'fp32' | 'q8', task: string, maxNewTokens: number): Promise<{ text: string; parsed: unknown }> {
  const { model, processor } = await load(dir, dtype);
  try {
    const image = testImage();
    const inputs = await processor(image, processor.construct_prompts(task));
    const ids = (await model.generate({ ...inputs, max_new_tokens: maxNewTokens })) as Tensor;
    const [text] = processor.batch_decode(ids, { skip_special_tokens: false });
    assert.ok(text !== undefined);
    return { text, parsed: processor.post_process_generation(text, task, image.size) };
  } finally {
    await model.dispose();
  }
}

describe('transformers.js loads the synthetic folder', () => {
  it('Florence2ForConditionalGeneration generates <OD> with --bias: <loc_*> tokens, then </s>', async () => {
    const { text, parsed } = await run(await tinyModelDir(), 'fp32', '<OD>', 60);
    assert.match(text, /^<\/s><s>/);
    assert.match(text, /<loc_\d+>/);
    assert.match(text, /<\/s>$/);
    const od = (parsed as Record<string, { bboxes: number[][]; labels: string[] }>)['<OD>'];
    assert.ok(od && od.bboxes.length >= 2 && od.bboxes.every((b) => b.length === 4), JSON.stringify(parsed));
  });

  it('runs a plain (unbiased) model to max_new_tokens', async () => {
    const { text } = await run(await tinyModelDir({ bias: undefined }), 'fp32', '<CAPTION>', 12);
    assert.match(text, /^<\/s><s>/);
  });

  it('loads the _quantized files with dtype q8', async () => {
    const { text } = await run(await tinyModelDir({ q8: true }), 'q8', '<OCR_WITH_REGION>', 60);
    assert.match(text, /<loc_\d+>.*<\/s>$/);
  });
});
