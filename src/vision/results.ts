/**
 * The typed answers of Florence-2 post-processing, named as the conformance vectors name them
 * (`../shared/vectors/README.md`, "Task → post-processing type"). Coordinates are pixels of the
 * original image, doubles, never clamped or rounded.
 */
import type { ParseType, TaskToken } from './tasks.js';

/** Boxes `[x1, y1, x2, y2]` with one label per box (`<OD>`, `<DENSE_REGION_CAPTION>`, grounding, proposals). */
export interface BoxesResult {
  bboxes: number[][];
  labels: string[];
}

/** OCR lines: quads `[x1, y1, x2, y2, x3, y3, x4, y4]` with one text per quad (`<OCR_WITH_REGION>`). */
export interface OcrResult {
  quad_boxes: number[][];
  labels: string[];
}

/** Segmentation: `polygons[instance][polygon]` is a flat `[x1, y1, x2, y2, …]`; one label per instance. */
export interface PolygonsResult {
  polygons: number[][][];
  labels: string[];
}

/** `<OPEN_VOCABULARY_DETECTION>`: always all four keys; the branch not taken holds empty lists. */
export interface OpenVocabularyResult {
  bboxes: number[][];
  bboxes_labels: string[];
  polygons: number[][][];
  polygons_labels: string[];
}

/**
 * Every parser the gateway has: the task table's parse types plus `description_with_polygons`, the
 * polygon branch of open-vocabulary detection, which no task selects directly (parser-level only).
 */
export type ParserType = ParseType | 'description_with_polygons';

/** The answer each parser returns. */
export interface ResultByParserType {
  pure_text: string;
  description_with_bboxes: BoxesResult;
  bboxes: BoxesResult;
  phrase_grounding: BoxesResult;
  ocr: OcrResult;
  polygons: PolygonsResult;
  description_with_polygons: PolygonsResult;
  description_with_bboxes_or_polygons: OpenVocabularyResult;
}

/** Any post-processing answer. */
export type TaskResult = ResultByParserType[ParserType];

/**
 * A type-level mirror of the `parse` column of `TASKS` (tasks.ts), so that a literal task gives a
 * precise result type. Why a mirror: `TASKS` is typed `readonly TaskSpec[]`, which erases the
 * literal parse types. `satisfies` makes the compiler demand all 15 tokens; a test checks every
 * entry against `TASKS`, which stays the one source used at run time.
 */
export const TASK_PARSE_TYPES = {
  '<OCR>': 'pure_text',
  '<OCR_WITH_REGION>': 'ocr',
  '<CAPTION>': 'pure_text',
  '<DETAILED_CAPTION>': 'pure_text',
  '<MORE_DETAILED_CAPTION>': 'pure_text',
  '<OD>': 'description_with_bboxes',
  '<DENSE_REGION_CAPTION>': 'description_with_bboxes',
  '<REGION_PROPOSAL>': 'bboxes',
  '<CAPTION_TO_PHRASE_GROUNDING>': 'phrase_grounding',
  '<REFERRING_EXPRESSION_SEGMENTATION>': 'polygons',
  '<REGION_TO_SEGMENTATION>': 'polygons',
  '<OPEN_VOCABULARY_DETECTION>': 'description_with_bboxes_or_polygons',
  '<REGION_TO_CATEGORY>': 'pure_text',
  '<REGION_TO_DESCRIPTION>': 'pure_text',
  '<REGION_TO_OCR>': 'pure_text',
} as const satisfies Record<TaskToken, ParseType>;

/**
 * The answer for a task string: precise for a literal task token, `string` for any other literal
 * (unknown tasks are pure text), and the union when the task is only known as `string`.
 */
export type ResultForTask<T extends string> = string extends T
  ? TaskResult
  : T extends TaskToken
    ? ResultByParserType[(typeof TASK_PARSE_TYPES)[T]]
    : string;
