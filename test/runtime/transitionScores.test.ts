/**
 * The per-token log-probabilities `run()` returns, checked from outside the decode loop: the
 * generated sequence is rescored by teacher forcing (one decoder call over the whole prefix, no
 * cache, no search) and each token's processed log-softmax must equal what the run reported, for
 * greedy and for beam search along its winning beam. Region scores follow from them exactly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Florence2, type RunResult } from '../../src/vision/florence2.js';
import { encodePrompts } from '../../src/vision/generation/encodePrompts.js';
import { applyLogitsProcessors, logSoftmax } from '../../src/vision/generation/logitsProcessors.js';
import { searchSettings, type GenerationOptions } from '../../src/vision/generation/settings.js';
import { toRunResult } from '../../src/vision/runResult.js';
import { patternPng } from '../helpers/images.js';
import { tinyModelDir } from '../helpers/models.js';

/** Cached and uncached decoder logits agree to 1e-4 (florence2.test.ts); log-softmax keeps that. */
const TOLERANCE = 1e-4;

let florence: Florence2;
let image: Buffer;

before(async () => {
  florence = await Florence2.load(await tinyModelDir());
  image = await patternPng(640, 480, 1);
});
after(() => florence.dispose());

/** Each generated token's log-softmax after the processors, from one uncached decoder call over the prefix. */
async function teacherForced(run: RunResult, input: string | undefined, options: GenerationOptions): Promise<number[]> {
  const plan = florence.plan(run.task, input, options);
  const [features] = await florence.encodeImages([await florence.prepare(image)]);
  const rows = await encodePrompts(
    florence.graphs,
    [{ features: features!, promptIds: plan.promptIds }],
    florence.folder.config.padTokenId,
  );
  const settings = searchSettings(plan.options, florence.folder.config, florence.folder.generation);
  const sequence = [settings.decoderStartTokenId, ...run.tokens];
  const vocab = florence.geometry.vocabSize;
  const logits = await florence.graphs.decoderLogitsWithoutCache(rows, [sequence.slice(0, -1)]);
  return run.tokens.map((token, position) => {
    const scores = logits.slice(position * vocab, (position + 1) * vocab);
    logSoftmax(scores);
    applyLogitsProcessors(scores, sequence.slice(0, position + 1), settings);
    return scores[token]!;
  });
}

describe('tokenLogprobs equal a teacher-forced rescoring through the decoder alone', () => {
  const cases: readonly (readonly [string, string | undefined, GenerationOptions])[] = [
    ['<OD>', undefined, { maxNewTokens: 40 }],
    ['<OD>', undefined, { maxNewTokens: 40, numBeams: 3 }],
    ['<CAPTION>', undefined, { maxNewTokens: 30, numBeams: 3 }],
    ['<OCR_WITH_REGION>', undefined, { maxNewTokens: 40, numBeams: 2 }],
    ['<REFERRING_EXPRESSION_SEGMENTATION>', 'a green car', { maxNewTokens: 40 }],
  ];
  for (const [task, input, options] of cases) {
    test(`${task} with ${options.numBeams ?? 1} beam(s)`, async () => {
      const run = await florence.run(image, task, input, options);
      assert.equal(run.tokenLogprobs.length, run.tokens.length);
      assert.equal(run.tokenLogprobs[0], 0, 'the forced <s>');
      const rescored = await teacherForced(run, input, options);
      let worst = 0;
      rescored.forEach((logprob, i) => (worst = Math.max(worst, Math.abs(logprob - run.tokenLogprobs[i]!))));
      assert.ok(worst < TOLERANCE, `largest difference ${worst}`);
      // HF's sequence score: the sum over every generated token, divided by their number (length penalty 1).
      const sum = run.tokenLogprobs.reduce((total, logprob) => total + logprob, 0);
      assert.ok(Math.abs(run.score - sum / run.tokens.length) < 1e-6, `score ${run.score} vs ${sum / run.tokens.length}`);
      // Region scores from the rescored values are the run's own.
      const fromRescored = toRunResult(
        run,
        { width: 640, height: 480 },
        { sequence: [2, ...run.tokens], tokenLogprobs: rescored, score: run.score },
        florence.tokenizer,
      );
      assert.equal(fromRescored.regionScores.length, run.regionScores.length);
      fromRescored.regionScores.forEach((score, i) =>
        assert.ok(Math.abs((score ?? NaN) - (run.regionScores[i] ?? NaN)) < TOLERANCE, `region ${i}`),
      );
      // Regions on every region task: a property of the default test model (tiny, seed 1, structured bias).
      if (task !== '<CAPTION>') assert.ok(run.regionScores.length > 0, 'the answer has regions to score');
    });
  }
});
