/** The tiny folder has the onnx-community files, configs and exact ONNX interfaces. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { TASKS } from '../../src/vision/tasks.js';
import { tinyModelDir } from '../helpers/models.js';
import { expectedInterface } from './support/spec.js';
import type { IoSpec } from './support/spec.js';

const GRAPHS = ['vision_encoder', 'embed_tokens', 'encoder_model', 'decoder_model_merged'] as const;
const JSON_FILES = ['config.json', 'generation_config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'];

type Json = Record<string, unknown>;
const readJson = (dir: string, file: string): Json => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Json;

function metadata(list: readonly ort.InferenceSession.ValueMetadata[]): IoSpec[] {
  return list.map((m) => {
    assert.ok(m.isTensor, `${m.name} is a tensor`);
    return { name: m.name, type: m.type as IoSpec['type'], shape: [...m.shape] };
  });
}

describe('synthetic model folder layout (tiny, --q8)', () => {
  let dir = '';
  const sessions = new Map<string, ort.InferenceSession>();

  before(async () => {
    dir = await tinyModelDir({ q8: true });
  });
  after(async () => {
    for (const s of sessions.values()) await s.release();
  });

  it('has every file of the onnx-community layout', () => {
    for (const f of JSON_FILES) assert.ok(existsSync(join(dir, f)), f);
    for (const g of GRAPHS) {
      assert.ok(existsSync(join(dir, 'onnx', `${g}.onnx`)), `${g}.onnx`);
      assert.ok(existsSync(join(dir, 'onnx', `${g}_quantized.onnx`)), `${g}_quantized.onnx`);
    }
  });

  it('declares the config values of INTERFACE.md §6 with tiny dimensions', () => {
    const config = readJson(dir, 'config.json');
    assert.equal(config.model_type, 'florence2');
    assert.equal(config.num_image_tokens, 577);
    assert.equal(config.vocab_size, 51289);
    assert.deepEqual([config.bos_token_id, config.pad_token_id, config.eos_token_id], [0, 1, 2]);
    const text = config.text_config as Json;
    assert.equal(text.model_type, 'florence2_language');
    assert.deepEqual(
      [text.d_model, text.encoder_layers, text.decoder_layers, text.decoder_attention_heads, text.max_position_embeddings],
      [64, 2, 2, 2, 1024],
    );
    assert.deepEqual(
      [text.decoder_start_token_id, text.forced_bos_token_id, text.forced_eos_token_id, text.no_repeat_ngram_size],
      [2, 0, 2, 3],
    );
    assert.equal(text.normalize_before, false);
    assert.equal(text.scale_embedding, false);
    const vision = config.vision_config as Json;
    assert.equal(vision.projection_dim, 64);
    const synthetic = config.synthetic as Json;
    assert.equal(synthetic.size, 'tiny');
    assert.equal((synthetic.bias as Json).pattern, 'structured');

    const generation = readJson(dir, 'generation_config.json');
    assert.deepEqual(
      [generation.decoder_start_token_id, generation.forced_bos_token_id, generation.forced_eos_token_id, generation.num_beams],
      [2, 0, 2, 3],
    );
  });

  it('builds the preprocessor task tables from src/vision/tasks.ts', () => {
    const pre = readJson(dir, 'preprocessor_config.json');
    assert.deepEqual(pre.size, { height: 768, width: 768 });
    assert.equal(pre.resample, 3);
    assert.deepEqual(pre.image_mean, [0.485, 0.456, 0.406]);
    assert.deepEqual(pre.image_std, [0.229, 0.224, 0.225]);
    assert.equal(pre.rescale_factor, 1 / 255);
    const withInput = pre.task_prompts_with_input as Record<string, string>;
    const without = pre.task_prompts_without_inputs as Record<string, string>;
    const types = pre.tasks_answer_post_processing_type as Record<string, string>;
    for (const task of TASKS) {
      assert.equal(types[task.token], task.parse, task.token);
      assert.equal((task.input === 'none' ? without : withInput)[task.token], task.prompt, task.token);
    }
    assert.equal(Object.keys(types).length, TASKS.length);
  });

  for (const suffix of ['', '_quantized']) {
    for (const graph of GRAPHS) {
      it(`onnx/${graph}${suffix}.onnx has exactly the spec's inputs and outputs`, async () => {
        const session = await ort.InferenceSession.create(join(dir, 'onnx', `${graph}${suffix}.onnx`));
        sessions.set(`${graph}${suffix}`, session);
        const spec = expectedInterface({ d: 64, layers: 2, heads: 2 })[graph];
        assert.ok(spec);
        assert.deepEqual(metadata(session.inputMetadata), spec.inputs);
        assert.deepEqual(metadata(session.outputMetadata), spec.outputs);
      });
    }
  }
});
