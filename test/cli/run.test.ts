/** `florence-gateway run`: one task on an image file, as text, JSON, and drawn. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { patternPng } from '../helpers/images.js';
import { florenceGateway } from '../helpers/cli.js';
import { tinyModelDir } from '../helpers/models.js';

let work: string;
let model: string;
let imagePath: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'florence-cli-'));
  model = await tinyModelDir();
  imagePath = join(work, 'photo.png');
  writeFileSync(imagePath, await patternPng(320, 240));
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('florence-gateway run', () => {
  test('--json prints the result object; --draw writes the image with boxes over it', async () => {
    const drawn = join(work, 'drawn.png');
    const { code, stdout } = await florenceGateway([
      'run',
      '<OD>',
      imagePath,
      '--model',
      model,
      '--json',
      '--draw',
      drawn,
      '--max-new-tokens',
      '40',
    ]);
    assert.equal(code, 0);
    const result = JSON.parse(stdout) as { task: string; text: string; tokens: number[]; result: { bboxes: number[][]; labels: string[] } };
    assert.equal(result.task, '<OD>');
    assert.match(result.text, /^<\/s><s>.*<\/s>$/);
    assert.ok(result.result.bboxes.length > 0);
    const original = await sharp(imagePath).raw().toBuffer();
    const overlay = await sharp(drawn).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([overlay.info.width, overlay.info.height], [320, 240]);
    assert.notDeepEqual(overlay.data, original, 'something was drawn');
  });

  test('text output names the task, prompt, generation and result; MODEL_DIR works like --model', async () => {
    const { code, stdout } = await florenceGateway(['run', '<OPEN_VOCABULARY_DETECTION>', imagePath, '--input', 'wheels'], {
      MODEL_DIR: model,
    });
    assert.equal(code, 0);
    assert.match(stdout, /^task: {3}<OPEN_VOCABULARY_DETECTION>\nprompt: Locate wheels in the image\.\ntext: {3}<\/s><s>.*\nresult: \{/);
  });

  test('without a model it explains how to get one', async () => {
    const { code, stderr } = await florenceGateway(['run', '<OD>', imagePath], { XDG_CACHE_HOME: work });
    assert.equal(code, 1);
    assert.match(stderr, /No Florence-2 model folder was found/);
    assert.match(stderr, /florence-gateway model synth --size tiny/);
  });

  test('typed errors print their message, not a stack trace', async () => {
    const { code, stderr } = await florenceGateway(['run', '<NOPE>', imagePath, '--model', model]);
    assert.equal(code, 1);
    assert.match(stderr, /^error: .*<NOPE>/);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });

  test('usage errors exit 2', async () => {
    assert.equal((await florenceGateway(['run', '<OD>'])).code, 2);
    assert.equal((await florenceGateway(['run', '<OD>', imagePath, '--dtype', 'q3'])).code, 2);
    assert.equal((await florenceGateway(['frobnicate'])).code, 2);
    const help = await florenceGateway(['help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: florence-gateway <command>/);
  });
});
