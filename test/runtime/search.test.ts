/**
 * Decoding strategies driven by a toy "model" (logits as a function of the sequence), so their
 * contracts are checked exactly: processors, greedy, and beam search against exhaustive search.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyLogitsProcessors, banRepeatedNgrams, expNearZero, logSoftmax, logSumExp } from '../../src/vision/generation/logitsProcessors.js';
import { BeamSearch, createSearch, type SearchSettings, type SequenceSearch } from '../../src/vision/generation/search.js';

const VOCAB = 5; // 0 = <s>, 1 = pad, 2 = </s>, 3 and 4 ordinary tokens
const BASE: SearchSettings = {
  decoderStartTokenId: 2,
  bosTokenId: 0,
  eosTokenId: 2,
  numBeams: 1,
  maxLength: 7,
  minNewTokens: 0,
  noRepeatNgramSize: 0,
  lengthPenalty: 1,
  earlyStopping: true,
};

/** A deterministic toy model: logits depend on the whole sequence through a small hash. */
function toyLogits(sequence: readonly number[]): Float32Array {
  let h = 17;
  for (const token of sequence) h = (h * 31 + token * 7 + 3) % 1009;
  return Float32Array.from({ length: VOCAB }, (_, v) => ((h * (v + 3)) % 97) / 20 - (v === 1 ? 10 : 0));
}

/** Drives a search to the end, feeding each live row the toy logits of its own sequence. */
function runSearch(search: SequenceSearch, sequences: () => number[][]): void {
  for (let guard = 0; !search.done && guard < 100; guard++) {
    const rows = sequences();
    const logits = new Float32Array(rows.length * VOCAB);
    rows.forEach((row, i) => logits.set(toyLogits(row), i * VOCAB));
    search.advance(logits, 0, VOCAB);
  }
  assert.ok(search.done, 'search did not finish');
}

/** Beam rows' sequences, read through the public surface: tokens fed so far per row. */
function trackRows(search: SequenceSearch, start: number): () => number[][] {
  let rows: number[][] = Array.from({ length: search.rowCount }, () => [start]);
  const advance = search.advance.bind(search);
  search.advance = (logits, offset, vocab) => {
    const parents = advance(logits, offset, vocab);
    const next = search.done ? [] : search.nextTokens();
    rows = parents.map((parent, i) => [...rows[parent]!, next[i]!]);
    return parents;
  };
  return () => rows;
}

describe('logits processors', () => {
  test('no-repeat-3-gram bans the token that would repeat a 3-gram', () => {
    const scores = new Float32Array(10);
    banRepeatedNgrams(scores, [2, 0, 5, 6, 7, 5, 6], 3);
    assert.equal(scores[7], Number.NEGATIVE_INFINITY);
    assert.deepEqual([...scores].filter((s) => s === Number.NEGATIVE_INFINITY).length, 1);
  });

  test('no bans while the sequence is shorter than n - 1', () => {
    const scores = new Float32Array(4);
    banRepeatedNgrams(scores, [2], 3);
    assert.ok(scores.every((s) => s === 0));
  });

  test('forced <s> after the start token and forced </s> at the last position', () => {
    const settings = { noRepeatNgramSize: 3, minNewTokens: 0, maxLength: 5, bosTokenId: 0, eosTokenId: 2 };
    const first = Float32Array.from([1, 9, 3, 4, 5]);
    applyLogitsProcessors(first, [2], settings);
    assert.deepEqual([...first], [0, -Infinity, -Infinity, -Infinity, -Infinity]);
    const last = Float32Array.from([1, 9, 3, 4, 5]);
    applyLogitsProcessors(last, [2, 0, 3, 4], settings);
    assert.deepEqual([...last], [-Infinity, -Infinity, 0, -Infinity, -Infinity]);
  });

  test('minNewTokens bans </s> until enough tokens exist', () => {
    const settings = { noRepeatNgramSize: 0, minNewTokens: 3, maxLength: 10, bosTokenId: 0, eosTokenId: 2 };
    const early = Float32Array.from([1, 1, 9, 1, 1]);
    applyLogitsProcessors(early, [2, 0, 3], settings);
    assert.equal(early[2], -Infinity);
    const late = Float32Array.from([1, 1, 9, 1, 1]);
    applyLogitsProcessors(late, [2, 0, 3, 4], settings);
    assert.equal(late[2], 9);
  });

  test('log-softmax normalises and keeps -Infinity', () => {
    const scores = Float32Array.from([0, Math.log(3), -Infinity]);
    logSoftmax(scores);
    assert.ok(Math.abs(Math.exp(scores[0]!) - 0.25) < 1e-6);
    assert.ok(Math.abs(Math.exp(scores[1]!) - 0.75) < 1e-6);
    assert.equal(scores[2], -Infinity);
  });

  test('the fast exponential agrees with Math.exp to 1e-8 (relative) over [-40, 0]', () => {
    let worst = 0;
    for (let x = -40; x <= 0; x += 0.0007) worst = Math.max(worst, Math.abs(expNearZero(x) / Math.exp(x) - 1));
    for (const x of [0, -0.5, -Math.LN2 / 2, -1, -39.999, -40]) worst = Math.max(worst, Math.abs(expNearZero(x) / Math.exp(x) - 1));
    assert.ok(worst < 1e-8, `worst relative error ${worst}`);
  });

  test('logSumExp equals the exact sum on a vocabulary-sized row, skips -Infinity, and is -Infinity when empty', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 30 - 15;
    const row = Float32Array.from({ length: 51289 }, random);
    row[5] = -Infinity;
    let max = -Infinity;
    for (const score of row) max = Math.max(max, score);
    let exact = 0;
    for (const score of row) exact += Math.exp(score - max);
    assert.ok(Math.abs(logSumExp(row) - (max + Math.log(exact))) < 1e-7);
    assert.equal(logSumExp(Float32Array.from([-Infinity, -Infinity])), -Infinity);
    assert.equal(logSumExp(new Float32Array(0)), -Infinity);
  });
});

describe('searches', () => {
  test('greedy forces <s>, stops at </s> or the length limit, and always ends with </s>', () => {
    const search = createSearch(BASE);
    runSearch(search, trackRows(search, 2));
    const { sequence } = search.output();
    assert.equal(sequence[0], 2);
    assert.equal(sequence[1], 0);
    assert.equal(sequence.at(-1), 2);
    assert.ok(sequence.length <= BASE.maxLength);
  });

  test('beam search with one beam equals greedy, token for token and score', () => {
    for (let maxLength = 3; maxLength <= 12; maxLength++) {
      const greedy = createSearch({ ...BASE, maxLength });
      runSearch(greedy, trackRows(greedy, 2));
      const beam = new BeamSearch({ ...BASE, maxLength, numBeams: 1 });
      runSearch(beam, trackRows(beam, 2));
      assert.deepEqual(beam.output().sequence, greedy.output().sequence);
      assert.ok(Math.abs(beam.output().score - greedy.output().score) < 1e-5);
    }
  });

  test('beam search with a beam for every prefix finds the exhaustive best sequence', () => {
    // Without a length penalty scores only fall as sequences grow, so HF's stopping rule is exact,
    // and 128 beams hold every live prefix of a 5-token vocabulary up to length 5.
    for (const maxLength of [4, 5]) {
      const settings = { ...BASE, maxLength, numBeams: 128, earlyStopping: false, lengthPenalty: 0 };
      const search = createSearch(settings);
      runSearch(search, trackRows(search, 2));
      const best = exhaustiveBest(settings);
      assert.deepEqual(search.output().sequence, best.sequence, `maxLength ${maxLength}`);
      assert.ok(Math.abs(search.output().score - best.score) < 1e-5);
    }
  });

});

/** Every sequence the processors allow, scored as beam search scores finished hypotheses. */
function exhaustiveBest(settings: SearchSettings): { sequence: number[]; score: number } {
  let best = { sequence: [] as number[], score: Number.NEGATIVE_INFINITY };
  const visit = (sequence: number[], sum: number): void => {
    const scores = toyLogits(sequence);
    logSoftmax(scores);
    applyLogitsProcessors(scores, sequence, settings);
    for (let token = 0; token < VOCAB; token++) {
      const total = sum + scores[token]!;
      if (total === Number.NEGATIVE_INFINITY) continue;
      const next = [...sequence, token];
      if (token === settings.eosTokenId || next.length >= settings.maxLength) {
        // A hypothesis ending in </s> is scored over the tokens before it (HF's generated_len).
        const length = token === settings.eosTokenId ? sequence.length - 1 : next.length - 1;
        const score = total / length ** settings.lengthPenalty;
        if (score > best.score) best = { sequence: token === settings.eosTokenId ? next : [...next], score };
      } else {
        visit(next, total);
      }
    }
  };
  visit([settings.decoderStartTokenId], 0);
  return best;
}
