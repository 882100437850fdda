/**
 * `phrase_grounding` (`<CAPTION_TO_PHRASE_GROUNDING>`): chunks, labels and boxes as for boxes with
 * labels, except that a chunk whose label is exactly (case-sensitive) one of the blacklisted
 * strings — pronouns and words for the whole picture — is dropped.
 */
import type { Generation } from './cleanup.js';
import { parseDescriptionWithBboxes } from './descriptionWithBboxes.js';
import type { ImageSize } from './imageSize.js';
import type { Parsed } from './parsed.js';
import type { BoxesResult } from '../results.js';

/** The 72 banned grounding labels of Microsoft's processor config (vectors README, "Phrase grounding"). */
export const GROUNDING_BLACKLIST: ReadonlySet<string> = new Set([
  'a',
  'a group',
  'a set',
  'all',
  'an',
  'another',
  'any',
  'anybody',
  'anyone',
  'anything',
  'each',
  'each other',
  'everybody',
  'everyone',
  'everything',
  'few',
  'he',
  'her',
  'hers',
  'herself',
  'him',
  'himself',
  'his',
  'I',
  'image',
  'images',
  'it',
  'its',
  'itself',
  'lots',
  'many',
  'me',
  'mine',
  'myself',
  'nobody',
  'none',
  'one',
  'one another',
  'oneself',
  'other objects',
  'our',
  'ours',
  'ourselves',
  'several',
  'she',
  'some',
  'somebody',
  'someone',
  'something',
  'that',
  'the',
  'the image',
  'their',
  'theirs',
  'them',
  'themselves',
  'these',
  'they',
  'this',
  'those',
  'us',
  'we',
  'what',
  'which',
  'who',
  'whom',
  'whose',
  'you',
  'your',
  'yours',
  'yourself',
  'yourselves',
]);

export function parsePhraseGrounding(generation: Generation, size: ImageSize): Parsed<BoxesResult> {
  return parseDescriptionWithBboxes(generation, size, GROUNDING_BLACKLIST);
}
