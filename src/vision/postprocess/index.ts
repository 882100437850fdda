/**
 * Florence-2 post-processing: a decoded generation (special tokens kept) to the typed answer of
 * its task, under the gateway semantics of `../shared/vectors/README.md`. One parser per file;
 * this module validates the arguments, cleans the text once and dispatches.
 */
import { TaskInputError } from '../errors.js';
import type { ParserType, ResultByParserType } from '../results.js';
import { parseTypeOf, type ResultForTask } from '../tasks.js';
import { parseBboxes } from './bboxes.js';
import { cleanGeneration, type Generation } from './cleanup.js';
import { parseDescriptionWithBboxes } from './descriptionWithBboxes.js';
import { parseDescriptionWithPolygons } from './descriptionWithPolygons.js';
import { assertImageSize, type ImageSize } from './imageSize.js';
import { parseOcr } from './ocr.js';
import { parseOpenVocabulary } from './openVocabulary.js';
import type { Parsed } from './parsed.js';
import { parsePhraseGrounding } from './phraseGrounding.js';
import { parsePolygons } from './polygons.js';
import { parsePureText } from './pureText.js';

export type { ImageSize } from './imageSize.js';
export type { Parsed, RegionTokens } from './parsed.js';
export { GROUNDING_BLACKLIST } from './phraseGrounding.js';

type Parser<T extends ParserType> = (generation: Generation, size: ImageSize) => Parsed<ResultByParserType[T]>;

const PARSERS: { readonly [T in ParserType]: Parser<T> } = {
  pure_text: parsePureText,
  description_with_bboxes: (generation, size) => parseDescriptionWithBboxes(generation, size),
  bboxes: parseBboxes,
  phrase_grounding: parsePhraseGrounding,
  ocr: parseOcr,
  polygons: parsePolygons,
  description_with_polygons: parseDescriptionWithPolygons,
  description_with_bboxes_or_polygons: parseOpenVocabulary,
};

const PARSER_TYPES = Object.keys(PARSERS) as readonly ParserType[];

/**
 * The answer to `task` in `text` for an image of `size`. Unknown task strings are pure text.
 * Throws TaskInputError for a non-string task or text, or a size that is not positive and finite.
 */
export function parseGeneration<T extends string>(task: T, text: string, size: ImageSize): ResultForTask<T> {
  return parseGenerationWithRegions(task, text, size).answer;
}

/**
 * The answer as `parseGeneration` gives it, with the location tokens (positions in the cleaned
 * text) behind each of its regions, for scoring them (regionScores.ts). Same errors.
 */
export function parseGenerationWithRegions<T extends string>(task: T, text: string, size: ImageSize): Parsed<ResultForTask<T>> {
  if (typeof task !== 'string') throw new TaskInputError(`task must be a string; got ${typeof task}`);
  return parseWithRegions(parseTypeOf(task), text, size) as Parsed<ResultForTask<T>>;
}

/** The answer of one parser, for parser-level use (`description_with_polygons` included). */
export function parseByType<T extends ParserType>(type: T, text: string, size: ImageSize): ResultByParserType[T] {
  return parseWithRegions(type, text, size).answer;
}

function parseWithRegions<T extends ParserType>(type: T, text: string, size: ImageSize): Parsed<ResultByParserType[T]> {
  if (!isParserType(type)) {
    throw new TaskInputError(`unknown post-processing type ${JSON.stringify(String(type))}; expected one of ${PARSER_TYPES.join(', ')}`);
  }
  if (typeof text !== 'string') throw new TaskInputError(`generated text must be a string; got ${text === null ? 'null' : typeof text}`);
  assertImageSize(size);
  const parser: Parser<T> = PARSERS[type];
  return parser(cleanGeneration(text), size);
}

export function isParserType(value: unknown): value is ParserType {
  return typeof value === 'string' && Object.hasOwn(PARSERS, value);
}
