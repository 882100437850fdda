/**
 * The typed answers of Florence-2 post-processing, named as the conformance vectors name them
 * (`../shared/vectors/README.md`, "Task → post-processing type"). Coordinates are pixels of the
 * original image, doubles, never clamped or rounded.
 */

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

/** The answer each parser returns. Which parser a task uses is the task table's (tasks.ts). */
export interface ResultByParserType {
  pure_text: string;
  description_with_bboxes: BoxesResult;
  bboxes: BoxesResult;
  phrase_grounding: BoxesResult;
  ocr: OcrResult;
  polygons: PolygonsResult;
  /** The polygon branch of open-vocabulary detection, which no task selects directly (parser-level only). */
  description_with_polygons: PolygonsResult;
  description_with_bboxes_or_polygons: OpenVocabularyResult;
}

/** Every parser the gateway has. */
export type ParserType = keyof ResultByParserType;

/** Any post-processing answer. */
export type TaskResult = ResultByParserType[ParserType];
