/** A device that cannot start falls back to the CPU, says why, and still runs tasks. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Florence2 } from '../../src/vision/florence2.js';
import { patternPng } from '../helpers/images.js';
import { tinyModelDir } from '../helpers/models.js';

for (const device of ['webgpu', 'cuda'] as const) {
  test(`device ${device}: runs there, or falls back to cpu with the reason`, async () => {
    const florence = await Florence2.load(await tinyModelDir(), { device });
    try {
      if (florence.deviceFallback === undefined) {
        assert.equal(florence.device, device, 'no fallback means the device itself started');
      } else {
        assert.equal(florence.device, 'cpu');
        assert.match(florence.deviceFallback, new RegExp(`^${device} could not start \\(.+\\); running on cpu$`));
      }
      const run = await florence.run(await patternPng(32, 32), '<CAPTION>', undefined, { maxNewTokens: 8 });
      // The default test model (tiny, seed 1, structured bias) does not end this caption within 8 tokens.
      assert.equal(run.tokens.length, 8);
    } finally {
      await florence.dispose();
    }
  });
}

test('the cpu device never reports a fallback', async () => {
  const florence = await Florence2.load(await tinyModelDir());
  assert.equal(florence.device, 'cpu');
  assert.equal(florence.deviceFallback, undefined);
  await florence.dispose();
});
