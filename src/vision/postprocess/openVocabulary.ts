/**
 * `description_with_bboxes_or_polygons` (`<OPEN_VOCABULARY_DETECTION>`): polygons when the raw
 * generation contains `<poly>`, boxes with labels (no blacklist) otherwise; always all four keys.
 */
import type { Generation } from './cleanup.js';
import { parseDescriptionWithBboxes } from './descriptionWithBboxes.js';
import { parseDescriptionWithPolygons } from './descriptionWithPolygons.js';
import type { ImageSize } from './imageSize.js';
import type { OpenVocabularyResult } from '../results.js';

const POLYGON_START = '<poly>';

export function parseOpenVocabulary(generation: Generation, size: ImageSize): OpenVocabularyResult {
  // The raw text decides, as in HF: cleanup could in theory join "<po<s>ly>" into a "<poly>".
  if (generation.raw.includes(POLYGON_START)) {
    const { polygons, labels } = parseDescriptionWithPolygons(generation, size);
    return { bboxes: [], bboxes_labels: [], polygons, polygons_labels: labels };
  }
  const { bboxes, labels } = parseDescriptionWithBboxes(generation, size);
  return { bboxes, bboxes_labels: labels, polygons: [], polygons_labels: [] };
}
