/**
 * The vision encoder cut into stages (graphSplit.ts) computes exactly what the whole graph computes,
 * and graphs that cannot be cut exactly run whole with the reason said.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import onnxProto from 'onnx-proto';
import { splitGraph } from '../../src/vision/graphSplit.js';
import { prepareImage } from '../../src/vision/image.js';
import { VisionEncoder } from '../../src/vision/visionEncoder.js';
import { patternPng } from '../helpers/images.js';
import { tinyModelDir } from '../helpers/models.js';

const onnx = onnxProto.onnx;

describe('the vision encoder in stages', () => {
  let file = '';
  before(async () => {
    file = join(await tinyModelDir(), 'onnx', 'vision_encoder.onnx');
  });

  it('cuts the graph into chained stages: each reads only graph inputs and what earlier stages hand on', async () => {
    const bytes = await readFile(file);
    for (const parts of [2, 3, 4]) {
      const split = splitGraph(bytes, parts);
      assert.ok('stages' in split, `refused: ${'refused' in split ? split.refused : ''}`);
      assert.equal(split.stages.length, parts);
      const available = new Set(['pixel_values']);
      for (const [index, stage] of split.stages.entries()) {
        for (const input of stage.inputs) assert.ok(available.has(input), `stage ${index + 1} reads ${input} before any stage made it`);
        for (const output of stage.outputs) available.add(output);
        assert.ok(stage.build().byteLength > 0);
      }
      assert.deepEqual(split.stages.at(-1)!.outputs, ['image_features']);
    }
  });

  it('gives bit-identical features stage by stage and whole, for one image and a batch of two', async () => {
    const whole = await VisionEncoder.load(file, { threads: 1 }, 1);
    const staged = await VisionEncoder.load(file, { threads: 1 }, 3);
    try {
      assert.equal(whole.stageCount, 1);
      assert.equal(staged.stageCount, 3);
      assert.equal(staged.splitRefusal, undefined);
      const images = [await prepareImage(await patternPng(64, 48, 1)), await prepareImage(await patternPng(30, 90, 2))];
      for (const batch of [images.slice(0, 1), images]) {
        const expected = await whole.encodeImages(batch);
        const pass = staged.begin(batch);
        let steps = 0;
        while (!pass.done) {
          await pass.step();
          steps++;
        }
        assert.equal(steps, 3);
        const actual = pass.features();
        assert.equal(actual.length, batch.length);
        actual.forEach((features, i) => assert.deepEqual(features, expected[i]));
      }
      assert.equal(staged.usage.runs, 2, 'a pass counts as one run whatever its stage count');
      await staged.warmUp(2);
      assert.equal(staged.usage.runs, 4, 'a warm-up runs its passes');
      const [again] = await staged.encodeImages(images.slice(0, 1));
      assert.deepEqual(again, (await whole.encodeImages(images.slice(0, 1)))[0], 'and leaves nothing behind that changes features');
    } finally {
      await Promise.all([whole.release(), staged.release()]);
    }
  });

  it('refuses to cut a graph whose weights are in external files (the encoder then loads it whole)', async () => {
    const model = onnx.ModelProto.decode(await readFile(file));
    const weight = model.graph!.initializer![0]!;
    weight.externalData = [{ key: 'location', value: 'weights.bin' }];
    weight.dataLocation = 1;
    const outcome = splitGraph(onnx.ModelProto.encode(model).finish(), 3);
    assert.deepEqual(outcome, { refused: 'its weights are in external data files' });
  });

  it('rejects a stage count that is not a positive integer', async () => {
    const bytes = await readFile(file);
    for (const parts of [0, -1, 1.5, Number.NaN]) assert.throws(() => splitGraph(bytes, parts), RangeError);
  });
});
