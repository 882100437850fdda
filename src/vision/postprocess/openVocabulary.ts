/**
 * `description_with_bboxes_or_polygons` (`<OPEN_VOCABULARY_DETECTION>`): polygons when the raw
 * generation contains `<poly>`, boxes with labels (no blacklist) otherwise; always all four keys.
 */
import type { Generation } from './cleanup.js';
import { parseDescriptionWithBboxes } from './descriptionWithBboxes.js';
import { parseDescriptionWithPolygons } from './descriptionWithPolygons.js';
import type { ImageSize } from './imageSize.js';
import type { Parsed } from './parsed.js';
import type { OpenVocabularyResult } from '../results.js';

const POLYGON_START = '<poly>';

/** Regions: the boxes, or else the polygon instances (only one list is ever non-empty). */
export function parseOpenVocabulary(generation: Generation, size: ImageSize): Parsed<OpenVocabularyResult> {
  // The raw text decides, as in HF: cleanup could in theory join "<po<s>ly>" into a "<poly>".
  if (generation.raw.includes(POLYGON_START)) {
    const { answer, regions } = parseDescriptionWithPolygons(generation, size);
    return { answer: { bboxes: [], bboxes_labels: [], polygons: answer.polygons, polygons_labels: answer.labels }, regions };
  }
  const { answer, regions } = parseDescriptionWithBboxes(generation, size);
  return { answer: { bboxes: answer.bboxes, bboxes_labels: answer.labels, polygons: [], polygons_labels: [] }, regions };
}
