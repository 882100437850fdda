/**
 * Runtime checks that a value has the shape of a parser's answer (results.ts), for answers that come
 * back from outside the process: a results cache shared with other replicas or written by an
 * earlier version. An answer that passes can be used by its static type without further checks;
 * one that fails is not that task's answer.
 *
 * The checks are as strict as the parsers are: a box is four finite numbers, an OCR quad eight, a
 * polygon any number of them (an odd last bin is kept), and every list of labels is as long as the
 * list of shapes it names.
 */
import type { BoxesResult, OcrResult, OpenVocabularyResult, ParserType, PolygonsResult, ResultByParserType } from './results.js';
import { parseTypeOf, type ResultForTask } from './tasks.js';

/** Numbers in a box `[x1, y1, x2, y2]`. */
const BOX_NUMBERS = 4;
/** Numbers in an OCR quad: four (x, y) corners. */
const QUAD_NUMBERS = 8;

type Guard<T> = (value: unknown) => value is T;

const RESULT_GUARDS: { readonly [T in ParserType]: Guard<ResultByParserType[T]> } = {
  pure_text: (value): value is string => typeof value === 'string',
  description_with_bboxes: isBoxesResult,
  bboxes: isBoxesResult,
  phrase_grounding: isBoxesResult,
  ocr: isOcrResult,
  polygons: isPolygonsResult,
  description_with_polygons: isPolygonsResult,
  description_with_bboxes_or_polygons: isOpenVocabularyResult,
};

/** Whether `value` has the shape of `type`'s answer. */
export function isResultOfParser<T extends ParserType>(type: T, value: unknown): value is ResultByParserType[T] {
  const guard: Guard<ResultByParserType[T]> = RESULT_GUARDS[type];
  return guard(value);
}

/** Whether `value` has the shape of `task`'s answer (unknown task strings answer text, as they parse). */
export function isResultForTask<T extends string>(task: T, value: unknown): value is ResultForTask<T> {
  return isResultOfParser(parseTypeOf(task), value);
}

function isBoxesResult(value: unknown): value is BoxesResult {
  return isRecord(value) && isListOf(value['bboxes'], isBox) && isLabelsFor(value['labels'], value['bboxes']);
}

function isOcrResult(value: unknown): value is OcrResult {
  return isRecord(value) && isListOf(value['quad_boxes'], isQuad) && isLabelsFor(value['labels'], value['quad_boxes']);
}

function isPolygonsResult(value: unknown): value is PolygonsResult {
  return isRecord(value) && isListOf(value['polygons'], isInstance) && isLabelsFor(value['labels'], value['polygons']);
}

function isOpenVocabularyResult(value: unknown): value is OpenVocabularyResult {
  return (
    isRecord(value) &&
    isListOf(value['bboxes'], isBox) &&
    isLabelsFor(value['bboxes_labels'], value['bboxes']) &&
    isListOf(value['polygons'], isInstance) &&
    isLabelsFor(value['polygons_labels'], value['polygons'])
  );
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isListOf<T>(value: unknown, isItem: Guard<T>): value is T[] {
  return Array.isArray(value) && value.every((item) => isItem(item));
}

/** One string per shape; `shapes` has been checked to be a list before this runs. */
function isLabelsFor(labels: unknown, shapes: unknown): labels is string[] {
  return isListOf(labels, isString) && Array.isArray(shapes) && labels.length === shapes.length;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isCoordinate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isCoordinates(value: unknown): value is number[] {
  return isListOf(value, isCoordinate);
}

function isBox(value: unknown): value is number[] {
  return isCoordinates(value) && value.length === BOX_NUMBERS;
}

function isQuad(value: unknown): value is number[] {
  return isCoordinates(value) && value.length === QUAD_NUMBERS;
}

/** A polygon instance: its polygons, each a flat `[x1, y1, x2, y2, …]`. */
function isInstance(value: unknown): value is number[][] {
  return isListOf(value, isCoordinates);
}
