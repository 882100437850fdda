/**
 * The `minScore` argument of the fields that list regions: checked once at the field, before its
 * task is queued, then applied to the scored list (Region, TextRegion; the regions of a
 * GroundedPhrase).
 */
import { TaskInputError } from '../vision/errors.js';
import { GroundedPhrase } from './types/GroundedPhrase.js';

export const MIN_SCORE_DESCRIPTION =
  'Leave out regions whose `score` is below this, from 0 to 1 (regions without a score are left out too). The answer is cached whole: ' +
  'changing minScore runs nothing again.';

/** Throws TaskInputError (BAD_INPUT) unless `minScore` is absent or a number from 0 to 1. */
export function checkMinScore(minScore: number | null | undefined): number | undefined {
  if (minScore === null || minScore === undefined) return undefined;
  if (!(minScore >= 0 && minScore <= 1)) throw new TaskInputError(`minScore must be a number from 0 to 1; got ${minScore}`);
  return minScore;
}

/** The items scored at least `minScore` (all items when it is undefined), in their order. */
export function atLeast<T extends { readonly score: number | null }>(items: readonly T[], minScore: number | undefined): T[] {
  if (minScore === undefined) return [...items];
  return items.filter((item) => item.score !== null && item.score >= minScore);
}

/** Each phrase with its regions scored at least `minScore`; phrases left with none are left out. */
export function groundedAtLeast(phrases: readonly GroundedPhrase[], minScore: number | undefined): GroundedPhrase[] {
  if (minScore === undefined) return [...phrases];
  return phrases
    .map((phrase) => GroundedPhrase.of(phrase.phrase, atLeast(phrase.regions, minScore)))
    .filter((phrase) => phrase.regions.length > 0);
}
