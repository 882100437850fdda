/**
 * Region confidences (src/vision/regionScores.ts through toRunResult) on hand-made generations: the
 * text is tokenized with the real tokenizer, every location token gets a chosen log-probability and
 * every other token -9, so each expected score is written out as exp(mean of the chosen values).
 * Skipped when `../shared` (the real tokenizer) is absent.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { hasShared, realTokenizerPath } from '../helpers/paths.js';
import { cleanGeneration, cleanedToRawOffsets } from '../../src/vision/postprocess/cleanup.js';
import type { RunResult } from '../../src/vision/florence2.js';
import { toRunResult } from '../../src/vision/runResult.js';
import { Florence2Tokenizer } from '../../src/vision/tokenizer.js';

const SKIP = hasShared ? false : 'needs the real tokenizer in ../shared/florence2/model-config (not committed here)';
const SIZE = { width: 1000, height: 1000 };
const FIRST_LOCATION_ID = 50269;
const LAST_LOCATION_ID = 51268;
/** What every token that is not a location token scores here: far from every chosen value. */
const OTHER = -9;

let tokenizer: Florence2Tokenizer;
before(async () => {
  if (hasShared) tokenizer = await Florence2Tokenizer.fromFile(realTokenizerPath);
});

/** `count` location tokens `<loc_1>…`, to write generations compactly. */
function locs(count: number, from = 1): string {
  return Array.from({ length: count }, (_, i) => `<loc_${from + i}>`).join('');
}

/** The `ids` of a generation: decoder start `</s>`, then `<s>` + text + `</s>` as the model writes them. */
function generated(text: string): number[] {
  return [2, ...tokenizer.encodePrompt(text)];
}

/**
 * Runs `task` on a generation whose k-th location token has log-probability `locationLogprobs[k]`
 * (the forced `<s>` 0, every other token OTHER).
 */
function scored(task: string, sequence: readonly number[], locationLogprobs: readonly number[]): RunResult {
  let k = 0;
  const tokenLogprobs = sequence.slice(1).map((id, i) => {
    if (i === 0) return 0;
    if (id < FIRST_LOCATION_ID || id > LAST_LOCATION_ID) return OTHER;
    const logprob = locationLogprobs[k++];
    if (logprob === undefined) throw new Error(`the generation has more than ${locationLogprobs.length} location tokens`);
    return logprob;
  });
  assert.equal(k, locationLogprobs.length, 'every chosen log-probability belongs to a location token');
  return toRunResult({ task, prompt: '' }, SIZE, { sequence, tokenLogprobs, score: 0 }, tokenizer);
}

/** exp(mean(values)): the expected score of a region whose tokens have these log-probabilities. */
function expMean(values: readonly number[]): number {
  return Math.exp(values.reduce((sum, value) => sum + value, 0) / values.length);
}

/** Consecutive values -0.01, -0.02, …: distinct, so a token counted twice or missed shows. */
function ladder(count: number): number[] {
  return Array.from({ length: count }, (_, i) => -(i + 1) / 100);
}

function assertScores(actual: readonly (number | null)[], expected: readonly number[]): void {
  assert.equal(actual.length, expected.length, `scores ${JSON.stringify(actual)}`);
  actual.forEach((score, i) => {
    assert.ok(score !== null && Math.abs(score - expected[i]!) < 1e-12, `region ${i}: ${score} vs ${expected[i]}`);
  });
}

describe('region scores per task type', { skip: SKIP }, () => {
  test('<OD>: one score per box from its four location tokens, a label with two boxes gives two', () => {
    const values = ladder(16);
    const run = scored('<OD>', generated(`car${locs(4)}door handle${locs(4, 10)}wheel${locs(8, 20)}`), values);
    assert.deepEqual((run.result as { labels: string[] }).labels, ['car', 'door handle', 'wheel', 'wheel']);
    assertScores(run.regionScores, [
      expMean(values.slice(0, 4)),
      expMean(values.slice(4, 8)),
      expMean(values.slice(8, 12)),
      expMean(values.slice(12, 16)),
    ]);
    assert.ok(Math.abs((run.locationScore ?? 0) - expMean(values)) < 1e-12);
  });

  test("<DENSE_REGION_CAPTION>: leftover location tokens after a label's boxes belong to no region", () => {
    const values = ladder(9);
    const run = scored('<DENSE_REGION_CAPTION>', generated(`a red car${locs(5)}a dog${locs(4, 10)}`), values);
    assertScores(run.regionScores, [expMean(values.slice(0, 4)), expMean(values.slice(5, 9))]);
    assert.ok(Math.abs((run.locationScore ?? 0) - expMean([...values.slice(0, 4), ...values.slice(5, 9)])) < 1e-12);
  });

  test('a chunk the parser drops (newline before its coordinates) has no score: the rest keep their order', () => {
    const values = ladder(12);
    const run = scored('<OD>', generated(`car${locs(4)}bad\nlabel${locs(4, 10)}dog${locs(4, 20)}`), values);
    assert.deepEqual((run.result as { labels: string[] }).labels, ['car', 'dog']);
    assertScores(run.regionScores, [expMean(values.slice(0, 4)), expMean(values.slice(8, 12))]);
  });

  test('<REGION_PROPOSAL>: boxes of a bare run, four tokens each', () => {
    const values = [-0.5, -0.1, -0.2, -0.4, -1, -2, -3, -4];
    const run = scored('<REGION_PROPOSAL>', generated(locs(8)), values);
    assertScores(run.regionScores, [Math.exp(-0.3), Math.exp(-2.5)]);
  });

  test("<CAPTION_TO_PHRASE_GROUNDING>: a blacklisted phrase's box is dropped with its score", () => {
    const values = ladder(12);
    const run = scored(
      '<CAPTION_TO_PHRASE_GROUNDING>',
      generated(`A green car${locs(4)}it${locs(4, 10)}a yellow building${locs(4, 20)}`),
      values,
    );
    assert.deepEqual((run.result as { labels: string[] }).labels, ['A green car', 'a yellow building']);
    assertScores(run.regionScores, [expMean(values.slice(0, 4)), expMean(values.slice(8, 12))]);
  });

  test('<OCR_WITH_REGION>: one score per quad from its eight location tokens', () => {
    const values = ladder(16);
    const run = scored('<OCR_WITH_REGION>', generated(`CUDA${locs(8)}FOR ENGINEERS${locs(8, 20)}`), values);
    assert.deepEqual((run.result as { labels: string[] }).labels, ['CUDA', 'FOR ENGINEERS']);
    assertScores(run.regionScores, [expMean(values.slice(0, 8)), expMean(values.slice(8, 16))]);
  });

  test('<REFERRING_EXPRESSION_SEGMENTATION>: an instance scores every token of its polygons, <sep> apart, an odd last bin included', () => {
    const values = ladder(11);
    const run = scored('<REFERRING_EXPRESSION_SEGMENTATION>', generated(`${locs(6)}<sep>${locs(5, 10)}`), values);
    const result = run.result as { polygons: number[][][] };
    assert.deepEqual(
      result.polygons.map((instance) => instance.map((polygon) => polygon.length)),
      [[6, 4]],
    );
    assertScores(run.regionScores, [expMean(values)]);
    assert.ok(Math.abs((run.locationScore ?? 0) - expMean(values)) < 1e-12);
  });

  test('<REGION_TO_SEGMENTATION>: <poly> … </poly> instances are scored apart; locationScore spans them all', () => {
    const values = ladder(14);
    const run = scored(
      '<REGION_TO_SEGMENTATION>',
      generated(`<poly>${locs(6)}</poly><poly>${locs(4, 10)}<sep>${locs(4, 20)}</poly>`),
      values,
    );
    assert.equal((run.result as { polygons: number[][][] }).polygons.length, 2);
    assertScores(run.regionScores, [expMean(values.slice(0, 6)), expMean(values.slice(6, 14))]);
    assert.ok(Math.abs((run.locationScore ?? 0) - expMean(values)) < 1e-12);
  });

  test('<OPEN_VOCABULARY_DETECTION>: boxes, or polygon instances, whichever the answer holds', () => {
    const boxValues = ladder(8);
    const boxes = scored('<OPEN_VOCABULARY_DETECTION>', generated(`car${locs(4)}car${locs(4, 10)}`), boxValues);
    assertScores(boxes.regionScores, [expMean(boxValues.slice(0, 4)), expMean(boxValues.slice(4, 8))]);
    const polygonValues = ladder(6);
    const polygons = scored('<OPEN_VOCABULARY_DETECTION>', generated(`car<poly>${locs(6)}</poly>`), polygonValues);
    assert.equal((polygons.result as { polygons_labels: string[] }).polygons_labels[0], 'car');
    assertScores(polygons.regionScores, [expMean(polygonValues)]);
  });

  test('text answers have no regions, even with location tokens in the text', () => {
    const caption = scored('<CAPTION>', generated('A green car parked in front of a yellow building.'), []);
    assert.deepEqual(caption.regionScores, []);
    assert.equal(caption.locationScore, null);
    const category = scored('<REGION_TO_CATEGORY>', generated(`car${locs(4)}`), ladder(4));
    assert.equal(category.result, `car${locs(4)}`);
    assert.deepEqual(category.regionScores, []);
  });
});

describe('which tokens count', { skip: SKIP }, () => {
  test('markers the cleanup removes between location tokens (<s>) are not counted', () => {
    const values = [-0.1, -0.2, -0.3, -0.4];
    const sequence = generated(`<s><s>car<loc_1><s><loc_2><loc_3></s><loc_4>`);
    const run = scored('<OD>', sequence, values);
    assert.deepEqual(run.result, { bboxes: [[1.5, 2.5, 3.5, 4.5]], labels: ['car'] });
    assertScores(run.regionScores, [Math.exp(-0.25)]);
  });

  test('a location the model spelled with ordinary tokens counts every token of that run (the tokens whose text overlaps it)', () => {
    const spelled = [...tokenizer.encodePrompt('<loc_4').slice(1, -1), ...tokenizer.encodePrompt('>').slice(1, -1)];
    assert.ok(
      spelled.every((id) => id < FIRST_LOCATION_ID),
      'ordinary tokens only',
    );
    const sequence = [2, 0, ...tokenizer.encodePrompt('car').slice(1, -1), 50270, 50271, 50272, ...spelled, 2];
    const run = scored('<OD>', sequence, [-0.1, -0.2, -0.3]);
    assert.deepEqual(run.result, { bboxes: [[1.5, 2.5, 3.5, 4.5]], labels: ['car'] });
    assertScores(run.regionScores, [expMean([-0.1, -0.2, -0.3, ...spelled.map(() => OTHER)])]);
  });

  test("the forced <s> and the start token are never a region's", () => {
    // A bare run right after <s>: the first location token follows the forced <s> directly.
    const run = scored('<REGION_PROPOSAL>', generated(locs(4)), [-1, -1, -1, -1]);
    assertScores(run.regionScores, [Math.exp(-1)]);
  });
});

describe('token spans and cleanup offsets', { skip: SKIP }, () => {
  test("tokenSpans cut the decoded text into the tokens' texts: added tokens exactly, ordinary runs whole", () => {
    let seed = 11;
    const random = (n: number) => (seed = (seed * 16807) % 2147483647) % n;
    const special = [0, 1, 2, 3, 50264, 50265, 51279, 51286, 51287, 51288];
    for (let trial = 0; trial < 300; trial++) {
      const ids = [2, 0];
      for (let i = random(40); i >= 0; i--) {
        const pick = random(4);
        ids.push(pick === 0 ? FIRST_LOCATION_ID + random(1000) : pick === 1 ? special[random(special.length)]! : random(50264));
      }
      ids.push(2);
      const text = tokenizer.decode(ids);
      const spans = tokenizer.tokenSpans(ids, text);
      assert.ok(spans, `ids ${ids.join(' ')}`);
      assert.equal(spans.length, ids.length);
      assert.equal(spans.at(-1)?.[1], text.length);
      ids.forEach((id, i) => {
        const [start, end] = spans[i]!;
        if (id >= 50264 || id <= 3) assert.equal(text.slice(start, end), tokenizer.idToToken(id));
        if (i > 0) assert.ok(start >= spans[i - 1]![0]);
      });
    }
    assert.equal(tokenizer.tokenSpans([2, 0, 5901, 2], 'not the decoded text'), undefined);
  });

  test('cleanup offsets point every cleaned character at its raw character', () => {
    for (const raw of ['', '</s><s>car<loc_1></s>', '<<s>/s>x', '<s></s><pad>', 'a<s>b</s>c<pad>d<pa<s>d>', '<s<s>>']) {
      const offsets = cleanedToRawOffsets(raw);
      assert.equal([...offsets].map((offset) => raw[offset]).join(''), cleanGeneration(raw).cleaned, JSON.stringify(raw));
      assert.ok([...offsets].every((offset, i) => i === 0 || offset > offsets[i - 1]!));
    }
  });
});
