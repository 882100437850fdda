/**
 * THE price table: what each Florence-2 task costs, in abstract cost units, and how many items a
 * list field is assumed to hold. Both the estimate before execution (graphql-query-complexity, via
 * the `complexity` option of the field decorators) and the runtime budget (charged when a job really
 * goes to the model) read their numbers here, so the two never disagree.
 *
 * One cost unit is one text-encoder pass: ~56 GFLOP, ~0.3 s on a 2-core CPU for Florence-2-base
 * (DESIGN.md §5, STACK.md). A task's price is
 *
 *     ENCODER_UNITS + expected tokens × beams / DECODE_TOKENS_PER_UNIT      (rounded up)
 *
 * and the vision encoder is charged once per image that has any task to run (VISION_ENCODER_UNITS),
 * not per field: every task on an image shares its features.
 */
import type { GenerationOptions } from '../../vision/generation/settings.js';
import type { TaskToken } from '../../vision/tasks.js';

/** One text-encoder pass over ~577 image + prompt tokens (~56 GFLOP): the unit itself. */
export const ENCODER_UNITS = 1;

/** The DaViT vision encoder on one 768² image: ~380 GFLOP ≈ 6.8 encoder passes, rounded up. */
export const VISION_ENCODER_UNITS = 7;

/**
 * Decoded tokens per unit. A decoder step does ~0.2 GFLOP (0.004 units) but is memory-bound: ~35 ms
 * alone (0.12 units), and rows batched together share that step. A token is priced between the
 * two, at 0.05 units.
 */
export const DECODE_TOKENS_PER_UNIT = 20;

/**
 * Expected answer length per task, in generated tokens (`<s>` and `</s>` included), from the
 * shapes of typical answers: a location is 4 tokens, a quad 8, a polygon vertex 2.
 */
export const EXPECTED_TOKENS: Readonly<Record<TaskToken, number>> = {
  '<CAPTION>': 20, // one sentence (STACK.md's measured caption)
  '<DETAILED_CAPTION>': 60, // a few sentences
  '<MORE_DETAILED_CAPTION>': 120, // a paragraph
  '<OD>': 60, // ~10 objects × (a word + 4 locations)
  '<DENSE_REGION_CAPTION>': 100, // ~10 regions × (a few words + 4 locations)
  '<REGION_PROPOSAL>': 40, // ~10 boxes × 4 locations
  '<OCR>': 60, // a few lines of text
  '<OCR_WITH_REGION>': 120, // ~6 lines × (words + 8 locations)
  '<CAPTION_TO_PHRASE_GROUNDING>': 40, // ~5 phrases × (words + a box or two)
  '<REFERRING_EXPRESSION_SEGMENTATION>': 80, // one polygon of ~40 vertices
  '<OPEN_VOCABULARY_DETECTION>': 30, // a few boxes of one name
  '<REGION_TO_SEGMENTATION>': 80, // one polygon of ~40 vertices
  '<REGION_TO_CATEGORY>': 6, // a word or two
  '<REGION_TO_DESCRIPTION>': 20, // a phrase
  '<REGION_TO_OCR>': 20, // a line of text
};

/** For a task string the table does not know (none reach here today): the longest listed answer. */
const FALLBACK_EXPECTED_TOKENS = 120;

/**
 * Items a list field is assumed to hold when its children are priced (the estimate cannot know
 * how many regions the model will find; the runtime budget caps what really happens).
 */
export const ASSUMED_LIST_SIZE = {
  /** objects, denseRegions, regionProposals, find, textRegions: a busy photo has about ten. */
  detections: 10,
  /** ground, Caption.phrases: a one-sentence caption has about five noun phrases. */
  phrases: 5,
  /** GroundedPhrase.regions: a phrase names one or two things (5 × 2 = one detection list). */
  regionsPerPhrase: 2,
} as const;

/** The most cost units one request may be estimated at or spend: about eight cascades, or every field of two images. */
export const DEFAULT_MAX_QUERY_COST = 500;
/** Same ceiling as the estimate: a query admitted on assumed list sizes may do that much real work, no more. */
export const DEFAULT_REQUEST_BUDGET = 500;

/** The generation settings a price depends on; unset ones take the server's defaults. */
export type PricedOptions = Pick<GenerationOptions, 'numBeams' | 'maxNewTokens'>;

/**
 * Cost units of one task run, without the vision encoder. Beams multiply decoding (each beam is a
 * decoder row); a `maxNewTokens` below the expected length caps it.
 */
export function taskPrice(task: string, options: PricedOptions = {}): number {
  const expected = EXPECTED_TOKENS[task as TaskToken] ?? FALLBACK_EXPECTED_TOKENS;
  const tokens = Math.min(expected, options.maxNewTokens ?? expected);
  const beams = Math.max(1, options.numBeams ?? 1);
  // Whole units (rounded up, in integer arithmetic) so sums of prices stay exact.
  return ENCODER_UNITS + Math.ceil((tokens * beams) / DECODE_TOKENS_PER_UNIT);
}
