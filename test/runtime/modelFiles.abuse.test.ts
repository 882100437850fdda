/** Broken model folders fail at load with a ModelFilesError that names the file and what was expected. */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ModelFilesError } from '../../src/vision/errors.js';
import { Florence2 } from '../../src/vision/florence2.js';
import { tinyModelDir } from '../helpers/models.js';
import { hasShared, sharedDir } from '../helpers/paths.js';

let original: string;
const scratch: string[] = [];

before(async () => {
  original = await tinyModelDir();
});
after(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A private copy of the tiny model to break. */
function copyModel(): string {
  const dir = mkdtempSync(join(tmpdir(), 'florence-broken-'));
  scratch.push(dir);
  cpSync(original, dir, { recursive: true });
  return dir;
}

async function rejectsWith(dir: string, pattern: RegExp, options: Parameters<typeof Florence2.load>[1] = {}): Promise<void> {
  await assert.rejects(Florence2.load(dir, options), (error: unknown) => {
    assert.ok(error instanceof ModelFilesError, `expected ModelFilesError, got ${String(error)}`);
    assert.equal(error.code, 'MODEL_FILES');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('model folder validation', () => {
  test('a folder that does not exist', async () => {
    await rejectsWith('/nonexistent/florence', /model folder \/nonexistent\/florence does not exist; expected a folder with config\.json/);
  });

  test('a missing graph names the file and the dtype', async () => {
    const dir = copyModel();
    rmSync(join(dir, 'onnx', 'encoder_model.onnx'));
    await rejectsWith(dir, /missing .*onnx\/encoder_model\.onnx: expected the encoder_model graph for dtype fp32/);
  });

  test('a dtype whose files are absent', async () => {
    await rejectsWith(original, /missing .*vision_encoder_q4\.onnx: expected the vision_encoder graph for dtype q4/, { dtype: 'q4' });
  });

  test('an unknown dtype and an unknown module in a dtype map', async () => {
    await rejectsWith(original, /unknown dtype "q3" for vision_encoder; expected one of fp32, fp16, q8/, { dtype: 'q3' as never });
    await rejectsWith(original, /unknown model module "decoder" in the dtype map/, { dtype: { decoder: 'q8' } as never });
  });

  test('a corrupt graph is reported by file', async () => {
    const dir = copyModel();
    writeFileSync(join(dir, 'onnx', 'decoder_model_merged.onnx'), Buffer.from('not a protobuf'));
    await rejectsWith(dir, /decoder_model_merged\.onnx could not be loaded by onnxruntime/);
  });

  test('a graph with the wrong interface names what is missing and what it has', async () => {
    const dir = copyModel();
    copyFileSync(join(dir, 'onnx', 'embed_tokens.onnx'), join(dir, 'onnx', 'vision_encoder.onnx'));
    await rejectsWith(
      dir,
      new RegExp(
        /vision_encoder\.onnx does not have the Florence-2 interface: missing inputs pixel_values and outputs image_features /.source +
          /\(it has inputs input_ids; outputs inputs_embeds\)/.source,
      ),
    );
  });

  test('config.json that is not Florence-2', async () => {
    const dir = copyModel();
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, model_type: 'bart' }));
    await rejectsWith(dir, /config\.json: expected model_type "florence2", found "bart"/);
    writeFileSync(join(dir, 'config.json'), '{ not json');
    await rejectsWith(dir, /config\.json is not valid JSON/);
  });

  test('config.json whose layer count disagrees with the decoder graph', async () => {
    const dir = copyModel();
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { text_config: Record<string, unknown> };
    config.text_config['decoder_layers'] = 12;
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    await rejectsWith(dir, /has 2 decoder layers but config\.json text_config\.decoder_layers says 12/);
  });

  test(
    "a tokenizer without the Florence-2 location tokens (Microsoft's original file) is refused",
    { skip: !hasShared && 'needs ../shared' },
    async () => {
      const dir = copyModel();
      copyFileSync(join(sharedDir, 'florence2', 'model-config', 'microsoft-original', 'tokenizer.json'), join(dir, 'tokenizer.json'));
      await rejectsWith(dir, /tokenizer\.json lacks the 1024 Florence-2 added tokens .*<loc_999> is not in its vocabulary/);
    },
  );

  test('a missing tokenizer', async () => {
    const dir = copyModel();
    rmSync(join(dir, 'tokenizer.json'));
    await rejectsWith(dir, /missing .*tokenizer\.json: expected the tokenizer/);
  });
});
