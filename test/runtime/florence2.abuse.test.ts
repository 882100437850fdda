/** Misuse of the public runtime API: typed errors whose messages say what was expected and what arrived. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DisposedError, TaskInputError, UnknownTaskError } from '../../src/vision/errors.js';
import { Florence2 } from '../../src/vision/florence2.js';
import { patternPng } from '../helpers/images.js';
import { tinyModelDir } from '../helpers/models.js';

let florence: Florence2;
let image: Buffer;

before(async () => {
  florence = await Florence2.load(await tinyModelDir());
  image = await patternPng(64, 48);
});
after(() => florence.dispose());

describe('Florence2.run misuse', () => {
  test('an unknown task', async () => {
    await assert.rejects(
      florence.run(image, '<DETECT>'),
      (error: unknown) => error instanceof UnknownTaskError && /<DETECT>/.test(error.message),
    );
  });

  test('input given to a task that takes none, and missing where required', async () => {
    await assert.rejects(florence.run(image, '<OD>', 'cars'), TaskInputError);
    await assert.rejects(florence.run(image, '<OPEN_VOCABULARY_DETECTION>'), TaskInputError);
    await assert.rejects(florence.run(image, '<CAPTION_TO_PHRASE_GROUNDING>', '   '), TaskInputError);
  });

  test('generation options out of range', async () => {
    await assert.rejects(florence.run(image, '<CAPTION>', undefined, { numBeams: 0 }), {
      code: 'BAD_INPUT',
      message: 'numBeams must be an integer from 1 to 16, got 0',
    });
    await assert.rejects(florence.run(image, '<CAPTION>', undefined, { maxNewTokens: 5000 }), {
      message: 'maxNewTokens must be an integer from 2 to 1024, got 5000',
    });
    await assert.rejects(florence.run(image, '<CAPTION>', undefined, { maxNewTokens: 10, minNewTokens: 11 }), {
      message: 'minNewTokens must be ≤ maxNewTokens (10), got 11',
    });
    await assert.rejects(florence.run(image, '<CAPTION>', undefined, { maxNewTokens: 10, minNewTokens: -1 }), {
      message: 'minNewTokens must be an integer from 0 to maxNewTokens (10), got -1',
    });
    await assert.rejects(florence.run(image, '<CAPTION>', undefined, { numBeams: 1.5 }), { code: 'BAD_INPUT' });
  });

  test('a prompt too long for the encoder positions', async () => {
    await assert.rejects(florence.run(image, '<CAPTION_TO_PHRASE_GROUNDING>', 'word '.repeat(600)), {
      code: 'BAD_INPUT',
      message: /the prompt is \d+ tokens long; with the image's 577 tokens the limit is 447/,
    });
  });

  test('a corrupt image and a missing file', async () => {
    await assert.rejects(florence.run(Buffer.from('GIF89a garbage'), '<CAPTION>'), { code: 'BAD_IMAGE' });
    await assert.rejects(florence.run('/nonexistent.png', '<CAPTION>'), { code: 'BAD_IMAGE' });
  });

  test('a bad request fails the batch before any model work', async () => {
    await assert.rejects(
      florence.runBatch([
        { image, task: '<CAPTION>' },
        { image: Buffer.from('not an image'), task: '<NOPE>' },
      ]),
      UnknownTaskError,
    );
  });

  test('an empty batch is an empty answer', async () => {
    assert.deepEqual(await florence.runBatch([]), []);
  });

  test('a disposed model refuses work', async () => {
    const other = await Florence2.load(await tinyModelDir());
    await other.dispose();
    await other.dispose(); // twice is harmless
    await assert.rejects(other.run(image, '<CAPTION>'), DisposedError);
  });
});
