/** bench/floor.ts: busy time per graph between two readings, and the floor it sums to. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { busyBetween, floorOf, usageBetween } from '../../bench/floor.js';
import type { GraphUsage } from '../../src/engine/work.js';

function usage(vision: number, embed: number, encoder: number, decoder: number, runs = 1): GraphUsage {
  return {
    vision_encoder: { runs, busyMs: vision },
    embed_tokens: { runs, busyMs: embed },
    encoder_model: { runs, busyMs: encoder },
    decoder_model_merged: { runs, busyMs: decoder },
  };
}

describe('busyBetween', () => {
  test('the difference per graph', () => {
    assert.deepEqual(busyBetween(usage(100, 1, 30, 400), usage(2600, 3, 330, 4800, 2)), {
      vision_encoder: 2500,
      embed_tokens: 2,
      encoder_model: 300,
      decoder_model_merged: 4400,
    });
  });

  test('calls per graph come with the busy time, from the same readings', () => {
    const { busy, calls } = usageBetween(usage(100, 1, 30, 400, 3), usage(2600, 3, 330, 4800, 10));
    assert.equal(busy.decoder_model_merged, 4400);
    assert.deepEqual(calls, { vision_encoder: 7, embed_tokens: 7, encoder_model: 7, decoder_model_merged: 7 });
  });

  test('counters that went backwards (a restarted contender) are refused, naming the graph', () => {
    assert.throws(() => busyBetween(usage(100, 1, 30, 400), usage(50, 1, 30, 400)), {
      message: 'vision_encoder: usage went backwards between readings (runs 1 → 1, busy 100 → 50 ms); were the counters reset?',
    });
    assert.throws(() => busyBetween(usage(100, 1, 30, 400, 5), usage(100, 1, 30, 400, 4)), /runs 5 → 4/);
  });
});

describe('floorOf', () => {
  test('sums every graph; the prefill is embedding plus text encoder', () => {
    assert.deepEqual(floorOf({ vision_encoder: 2500, embed_tokens: 2, encoder_model: 300, decoder_model_merged: 4400 }), {
      totalMs: 7202,
      visionMs: 2500,
      textEncoderMs: 302,
      decoderMs: 4400,
    });
  });
});
