/**
 * Confidence of each region of an answer, by Florence-2's own rule (`SCORE_MODE: 'avg_loc_scores'`
 * of its post-processor, which pairs token spans with transition scores): the exponential of the
 * mean transition log-probability of the tokens that wrote the region's location tokens. A box has
 * four such tokens, an OCR quad eight, a polygon instance every token of its polygons. Every task
 * that yields regions is scored so, not only `<OD>` and `<DENSE_REGION_CAPTION>` as in Microsoft's code.
 *
 * The parsers report each region's location tokens as positions in the cleaned text; these lead
 * back through the cleanup (cleanedToRawOffsets) to the decoded text, and from there to the tokens
 * whose text covers them (HF's `_find_matched_token_indices`, by overlap). The model writes each
 * `<loc_N>` as one added token, so a region's tokens are exactly its location tokens.
 */
import { cleanedToRawOffsets } from './postprocess/cleanup.js';
import type { RegionTokens } from './postprocess/index.js';
import type { TextSpan } from './tokenizer.js';

export interface RegionScoring {
  /**
   * One per region, in the answer's order; each in [0, 1]. Null when the decoded text could not be
   * split back into tokens (Florence2Tokenizer.tokenSpans), which no Florence-2 tokenizer does.
   */
  readonly regionScores: readonly (number | null)[];
  /** The same rule over every region's location tokens together (a Segment of several instances); null without regions. */
  readonly locationScore: number | null;
}

/**
 * `text` is the decoded sequence (its start token included), `spans` the text of each of its ids,
 * and `tokenLogprobs[i]` the transition log-probability of id `i + 1` (the start token has none).
 */
export function scoreRegions(
  regions: RegionTokens,
  text: string,
  spans: readonly TextSpan[] | undefined,
  tokenLogprobs: readonly number[],
): RegionScoring {
  if (regions.length === 0) return { regionScores: [], locationScore: null };
  if (spans === undefined) return { regionScores: regions.map(() => null), locationScore: null };
  const offsets = cleanedToRawOffsets(text);
  const everyToken = new Set<number>();
  const regionScores = regions.map((region) => {
    const tokens = new Set<number>();
    for (const markup of region) {
      for (let position = markup.start; position < markup.end; position++) {
        const raw = offsets[position];
        if (raw !== undefined) for (const index of tokensCovering(spans, raw)) tokens.add(index);
      }
    }
    tokens.forEach((index) => everyToken.add(index));
    return meanScore(tokens, tokenLogprobs);
  });
  return { regionScores, locationScore: meanScore(everyToken, tokenLogprobs) };
}

/** exp(mean log-probability) of the generated tokens among `sequenceIndices`; null when there are none. */
function meanScore(sequenceIndices: ReadonlySet<number>, tokenLogprobs: readonly number[]): number | null {
  let sum = 0;
  let count = 0;
  for (const index of sequenceIndices) {
    const logprob = tokenLogprobs[index - 1];
    if (logprob === undefined) continue; // the start token, which the model did not choose
    sum += logprob;
    count++;
  }
  return count === 0 ? null : Math.exp(sum / count);
}

/** Indices of the spans holding `position` (spans are in text order; a run's tokens share one span). */
function tokensCovering(spans: readonly TextSpan[], position: number): number[] {
  let low = 0;
  let high = spans.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const [, end] = spans[middle] ?? [0, 0];
    if (end <= position) low = middle + 1;
    else high = middle;
  }
  const covering: number[] = [];
  for (let index = low; index < spans.length; index++) {
    const [start, end] = spans[index] ?? [0, 0];
    if (start > position) break;
    if (position < end) covering.push(index);
  }
  return covering;
}
