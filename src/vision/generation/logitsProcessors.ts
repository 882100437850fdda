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
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < scores.length; i++) if (scores[i]! > max) max = scores[i]!;
  if (max === Number.NEGATIVE_INFINITY) return;
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += Math.exp(scores[i]! - max);
  const logSum = max + Math.log(sum);
  for (let i = 0; i < scores.length; i++) scores[i] = scores[i]! - logSum;
}

/**
 * Scores this far below the maximum are left out of the sum: e^-40 × 51289 tokens ≈ 2e-13, far
 * below float32's own precision, and a trained model's logits leave most of the vocabulary there,
 * so most of the row's `exp` calls (the costly part, ~25 ns each) are skipped.
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
    if (score > floor) sum += Math.exp(score - max);
  }
  return max + Math.log(sum);
}

/** Index of the largest score; the first one on ties (as torch.argmax). */
export function argmax(scores: Float32Array): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  return best;
}
