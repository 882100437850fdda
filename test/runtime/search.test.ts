/**
 * Decoding strategies driven by a toy "model" (logits as a function of the sequence), so their
 * contracts are checked exactly: processors, greedy, and beam search against exhaustive search and
 * against a direct port of HF's BeamSearchScorer.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applyLogitsProcessors,
  banRepeatedNgrams,
  expNearZero,
  logSoftmax,
  logSumExp,
} from '../../src/vision/generation/logitsProcessors.js';
import {
  BeamSearch,
  createSearch,
  type SearchOutput,
  type SearchSettings,
  type SequenceSearch,
} from '../../src/vision/generation/search.js';

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

/** A toy model's logits for a decoder sequence. */
type ToyModel = (sequence: readonly number[]) => Float32Array;

/** Drives a search to the end, feeding each live row the toy logits of its own sequence. */
function runSearch(search: SequenceSearch, sequences: () => number[][], model: ToyModel = toyLogits): void {
  for (let guard = 0; !search.done && guard < 100; guard++) {
    const rows = sequences();
    const logits = new Float32Array(rows.length * VOCAB);
    rows.forEach((row, i) => logits.set(model(row), i * VOCAB));
    search.advance(logits, 0, VOCAB);
  }
  assert.ok(search.done, 'search did not finish');
}

/** A search run to the end on `model`. */
function searchOutput(search: SequenceSearch, model: ToyModel = toyLogits): SearchOutput {
  runSearch(search, trackRows(search, BASE.decoderStartTokenId), model);
  return search.output();
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
      assertClose(beam.output().tokenLogprobs, greedy.output().tokenLogprobs, 1e-5);
    }
  });

  test('greedy reports one transition log-probability per generated token: 0 for the forced <s>, summing to score × length', () => {
    for (let maxLength = 3; maxLength <= 12; maxLength++) {
      const { sequence, tokenLogprobs, score } = searchOutput(createSearch({ ...BASE, maxLength }));
      assert.equal(tokenLogprobs.length, sequence.length - 1);
      assert.equal(tokenLogprobs[0], 0);
      // Each is the chosen token's log-softmax after the processors, as a teacher-forced rescoring finds.
      tokenLogprobs.forEach((logprob, i) => {
        const scores = toyLogits(sequence.slice(0, i + 1));
        logSoftmax(scores);
        applyLogitsProcessors(scores, sequence.slice(0, i + 1), { ...BASE, maxLength });
        assert.ok(Math.abs(logprob - scores[sequence[i + 1]!]!) < 1e-6, `token ${i}`);
      });
      const sum = tokenLogprobs.reduce((total, logprob) => total + logprob, 0);
      assert.ok(Math.abs(score - sum / (sequence.length - 1)) < 1e-9);
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

describe("beam search is HF's BeamSearchScorer", () => {
  test('a finished hypothesis is divided by its generated_len (<s> through </s>): with one token fewer, the other answer would win', () => {
    const settings = { ...BASE, numBeams: 2, maxLength: 10 };
    const output = searchOutput(new BeamSearch(settings), scriptedModel);
    // The two finished answers: <s> A </s> (3 tokens) and <s> B B </s> (4 tokens).
    const short = transitionLogprobs([2, 0, 3, 2], settings);
    const long = transitionLogprobs([2, 0, 4, 4, 2], settings);
    const sum = (logprobs: number[]) => logprobs.reduce((total, logprob) => total + logprob, 0);
    assert.ok(sum(short) / 3 > sum(long) / 4, 'HF ranks the short answer first');
    assert.ok(sum(long) / 3 > sum(short) / 2, 'normalised one token short, the long answer would rank first');

    assert.deepEqual(output.sequence, [2, 0, 3, 2]);
    assert.ok(Math.abs(output.score - sum(short) / 3) < 1e-9, `score ${output.score}`);
    assertClose(output.tokenLogprobs, short, 1e-6);
    const reference = hfBeamSearch(settings, scriptedModel);
    assert.deepEqual(output.sequence, reference.sequence);
    assert.ok(Math.abs(output.score - reference.score) < 1e-9);
  });

  test('sequence, score and transition scores equal a direct port of HF across beams, lengths, penalties and stopping rules', () => {
    let cases = 0;
    for (const numBeams of [2, 3, 4]) {
      for (const maxLength of [4, 6, 9, 13]) {
        for (const earlyStopping of [true, false]) {
          for (const lengthPenalty of [1, 0.5, 2, -1]) {
            for (const noRepeatNgramSize of [0, 2]) {
              const settings = {
                ...BASE,
                numBeams,
                maxLength,
                earlyStopping,
                lengthPenalty,
                noRepeatNgramSize,
                minNewTokens: maxLength > 6 ? 2 : 0,
              };
              const label = JSON.stringify(settings);
              const output = searchOutput(new BeamSearch(settings));
              const reference = hfBeamSearch(settings, toyLogits);
              assert.deepEqual(output.sequence, reference.sequence, label);
              assert.ok(Math.abs(output.score - reference.score) < 1e-9, `${label}: ${output.score} vs ${reference.score}`);
              assertClose(output.tokenLogprobs, reference.transitionScores, 1e-6, label);
              cases++;
            }
          }
        }
      }
    }
    assert.equal(cases, 192);
  });
});

/**
 * A model with a scripted next-token distribution per prefix (0 <s>, 1 pad, 2 </s>, 3 A, 4 B),
 * built so that two finished answers of different lengths compete (see the test above).
 */
function scriptedModel(sequence: readonly number[]): Float32Array {
  const rows: Record<string, readonly number[]> = {
    '2,0': [0.001, 0.189, 0.01, 0.5, 0.3],
    '2,0,3': [0.001, 0.001, 0.602, 0.198, 0.198],
    '2,0,4': [0.001, 0.09, 0.01, 0.08, 0.819],
    '2,0,4,4': [0.001, 0.001, 0.744, 0.154, 0.1],
  };
  const probabilities = rows[sequence.join(',')] ?? [0.001, 0.001, 0.5, 0.249, 0.249];
  return Float32Array.from(probabilities, Math.log);
}

/** The processed log-probability of each generated token of `sequence` (teacher forcing on the toy). */
function transitionLogprobs(sequence: readonly number[], settings: SearchSettings, model: ToyModel = scriptedModel): number[] {
  return sequence.slice(1).map((token, i) => {
    const scores = model(sequence.slice(0, i + 1));
    logSoftmax(scores);
    applyLogitsProcessors(scores, sequence.slice(0, i + 1), settings);
    return scores[token]!;
  });
}

function assertClose(actual: readonly number[], expected: readonly number[], tolerance: number, label = ''): void {
  assert.equal(actual.length, expected.length, `${label} lengths`);
  actual.forEach((value, i) => assert.ok(Math.abs(value - expected[i]!) < tolerance, `${label} [${i}] ${value} vs ${expected[i]}`));
}

interface ReferenceHypothesis {
  readonly score: number;
  readonly tokens: readonly number[];
  readonly beamIndices: readonly number[];
}

/**
 * HF's `_beam_search` with BeamSearchScorer and BeamHypotheses for one input, ported line by line
 * (transformers' generation/beam_search.py): `cur_len = input_ids.shape[-1] + 1`, finished
 * hypotheses scored over `generated_len = cur_len - decoder_prompt_len`, `is_done(best, cur_len)`,
 * `finalize` over `final_tokens.shape[-1] - decoder_prompt_len`, the best picked by a stable sort
 * and `pop()`, and `compute_transition_scores(sequences, scores, beam_indices)`. Top-k ties go to
 * the lower flat index.
 */
function hfBeamSearch(settings: SearchSettings, model: ToyModel): { sequence: number[]; score: number; transitionScores: number[] } {
  const { numBeams, maxLength, eosTokenId, lengthPenalty, earlyStopping, decoderStartTokenId } = settings;
  const decoderPromptLen = 1;
  let inputIds: number[][] = Array.from({ length: numBeams }, () => [decoderStartTokenId]);
  let beamScores: number[] = Array.from({ length: numBeams }, (_, i) => (i === 0 ? 0 : -1e9));
  let beamIndices: number[][] = Array.from({ length: numBeams }, () => []);
  const scores: Float32Array[][] = [];
  const beams: ReferenceHypothesis[] = [];
  let worstScore = 1e9;
  let done = false;

  const add = (hyp: readonly number[], sumLogprobs: number, indices: readonly number[], generatedLen: number) => {
    const score = sumLogprobs / generatedLen ** lengthPenalty;
    if (beams.length < numBeams || score > worstScore) {
      beams.push({ score, tokens: hyp, beamIndices: indices });
      if (beams.length > numBeams) {
        const sortedNextScores = beams.map((beam, idx) => [beam.score, idx] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        beams.splice(sortedNextScores[0]![1], 1);
        worstScore = sortedNextScores[1]![0];
      } else {
        worstScore = Math.min(score, worstScore);
      }
    }
  };
  const isDone = (bestSumLogprobs: number, curLen: number) => {
    if (beams.length < numBeams) return false;
    if (earlyStopping) return true;
    return worstScore >= bestSumLogprobs / (curLen - decoderPromptLen) ** lengthPenalty;
  };

  for (;;) {
    const stepScores = inputIds.map((row) => {
      const processed = model(row);
      logSoftmax(processed);
      applyLogitsProcessors(processed, row, settings);
      return processed;
    });
    scores.push(stepScores);
    const flat: { score: number; index: number }[] = [];
    stepScores.forEach((row, beam) =>
      row.forEach((score, token) => flat.push({ score: score + beamScores[beam]!, index: beam * VOCAB + token })),
    );
    flat.sort((a, b) => b.score - a.score || a.index - b.index);
    const top = flat.slice(0, 2 * numBeams);

    // BeamSearchScorer.process
    const curLen = inputIds[0]!.length + 1;
    const next: { score: number; token: number; beam: number }[] = [];
    for (const [rank, { score, index }] of top.entries()) {
      const beam = Math.floor(index / VOCAB);
      const token = index % VOCAB;
      if (token === eosTokenId) {
        if (rank >= numBeams) continue;
        add(inputIds[beam]!, score, [...beamIndices[beam]!, beam], curLen - decoderPromptLen);
      } else {
        next.push({ score, token, beam });
      }
      if (next.length === numBeams) break;
    }
    done = done || isDone(top[0]!.score, curLen);

    inputIds = next.map(({ beam, token }) => [...inputIds[beam]!, token]);
    beamIndices = next.map(({ beam }) => [...beamIndices[beam]!, beam]);
    beamScores = next.map(({ score }) => score);
    if (done || inputIds[0]!.length >= maxLength) break;
  }
  // BeamSearchScorer.finalize
  if (!done) inputIds.forEach((tokens, beam) => add(tokens, beamScores[beam]!, beamIndices[beam]!, tokens.length - decoderPromptLen));
  const best = [...beams].sort((a, b) => a.score - b.score).pop()!;
  const sequence = best.tokens.length < maxLength ? [...best.tokens, eosTokenId] : [...best.tokens];
  const transitionScores = best.beamIndices.map((beam, step) => scores[step]![beam]![sequence[step + 1]!]!);
  return { sequence, score: best.score, transitionScores };
}

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
        // HF's generated_len: every token after the start token, the </s> included.
        const score = total / (next.length - 1) ** settings.lengthPenalty;
        if (score > best.score) best = { sequence: token === settings.eosTokenId ? next : [...next], score };
      } else {
        visit(next, total);
      }
    }
  };
  visit([settings.decoderStartTokenId], 0);
  return best;
}
