/**
 * The logits processors Florence-2 generation needs (INTERFACE.md §6.3), applied in HF's order so
 * forced tokens win over everything: min-new-tokens, no-repeat-n-gram, forced BOS, forced EOS.
 * Each works in place on one row of scores.
 */

export interface ProcessorSettings {
  readonly noRepeatNgramSize: number;
  readonly minNewTokens: number;
  /** 1 + maxNewTokens: the decoder sequence (with its start token) never grows past this. */
  readonly maxLength: number;
  readonly bosTokenId: number;
  readonly eosTokenId: number;
}

/** Decoder prefix before the first generated token: the start token alone. */
export const DECODER_PROMPT_LENGTH = 1;

export function applyLogitsProcessors(scores: Float32Array, sequence: readonly number[], settings: ProcessorSettings): void {
  const length = sequence.length;
  if (length - DECODER_PROMPT_LENGTH < settings.minNewTokens) scores[settings.eosTokenId] = Number.NEGATIVE_INFINITY;
  banRepeatedNgrams(scores, sequence, settings.noRepeatNgramSize);
  if (length === 1) forceToken(scores, settings.bosTokenId);
  if (length === settings.maxLength - 1) forceToken(scores, settings.eosTokenId);
}

/** Whether the next token is forced (then its processed log-probability is exactly 0). */
export function isForcedStep(sequenceLength: number, settings: ProcessorSettings): boolean {
  return sequenceLength === 1 || sequenceLength === settings.maxLength - 1;
}

/**
 * Bans every token that would complete an n-gram already present in the sequence (HF's
 * NoRepeatNGramLogitsProcessor: no bans while length + 1 < n).
 */
export function banRepeatedNgrams(scores: Float32Array, sequence: readonly number[], n: number): void {
  const length = sequence.length;
  if (n <= 0 || length + 1 < n) return;
  const prefixStart = length - (n - 1);
  for (let start = 0; start + n <= length; start++) {
    let matches = true;
    for (let k = 0; k < n - 1; k++) {
      if (sequence[start + k] !== sequence[prefixStart + k]) {
        matches = false;
        break;
      }
    }
    if (matches) scores[sequence[start + n - 1]!] = Number.NEGATIVE_INFINITY;
  }
}

function forceToken(scores: Float32Array, token: number): void {
  scores.fill(Number.NEGATIVE_INFINITY);
  scores[token] = 0;
}

/** In-place log-softmax; rows of all -Infinity stay -Infinity. */
export function logSoftmax(scores: Float32Array): void {
  const logSum = logSumExp(scores);
  if (logSum === Number.NEGATIVE_INFINITY) return;
  for (let i = 0; i < scores.length; i++) scores[i] = scores[i]! - logSum;
}

/**
 * Scores this far below the maximum are left out of the sum: e^-40 × 51289 tokens ≈ 2e-13, far
 * below float32's own precision, and a trained model's logits leave most of the vocabulary there,
 * so most of the row's exponentials are skipped.
 */
const NEGLIGIBLE_BELOW_MAX = 40;

/** log(Σ exp(scores)), stable; -Infinity for an empty or all -Infinity row. */
export function logSumExp(scores: Float32Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < scores.length; i++) if (scores[i]! > max) max = scores[i]!;
  if (max === Number.NEGATIVE_INFINITY) return max;
  const floor = max - NEGLIGIBLE_BELOW_MAX;
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i]!;
    if (score > floor) sum += expNearZero(score - max);
  }
  return max + Math.log(sum);
}

/** 2^k for k in [-64, 0], by k + 64. */
const POWERS_OF_TWO = Float64Array.from({ length: 65 }, (_, i) => 2 ** (i - 64));

/**
 * e^x for x in [-40, 0], within 1e-8 relative of Math.exp and ~2.5× faster: this runs for every
 * token of every row at every decode step (51289 a row), where Math.exp was most of the loop's time.
 * e^x = 2^n · e^y with n the integer nearest x·log2(e) and |y| ≤ ln2 / 2, e^y by its Taylor
 * polynomial to y^7 (remainder < 0.347^8 / 8! ≈ 5e-9).
 */
export function expNearZero(x: number): number {
  const t = x * Math.LOG2E;
  const n = (t - 0.5) | 0; // t ≤ 0: truncation of t - 0.5 rounds t to its nearest integer
  const y = (t - n) * Math.LN2;
  const ey = 1 + y * (1 + y * (1 / 2 + y * (1 / 6 + y * (1 / 24 + y * (1 / 120 + y * (1 / 720 + y * (1 / 5040)))))));
  return ey * POWERS_OF_TWO[n + 64]!;
}

/** Index of the largest score; the first one on ties (as torch.argmax). */
export function argmax(scores: Float32Array): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  return best;
}
