/**
 * Runtime answers → schema objects. Parsed results are the gateway-semantics shapes
 * (src/vision/results.ts), typed by their task (runTask); these functions give them names a
 * frontend wants.
 */
import type { BoxesResult, OcrResult, OpenVocabularyResult, PolygonsResult } from '../vision/results.js';
import { Box } from './types/geometry.js';
import { GroundedPhrase } from './types/GroundedPhrase.js';
import type { Image } from './types/Image.js';
import { Region } from './types/Region.js';
import { Segment } from './types/Segment.js';
import { TextRegion } from './types/TextRegion.js';

const LOCATION_TOKEN = /<loc_\d+>/g;

/**
 * A RunResult's `regionScores`: one per region of its answer, in the answer's order. A missing
 * entry (a runner that scores nothing) reads as null.
 */
export type RegionScores = readonly (number | null)[];
const UNSCORED: RegionScores = [];

/** A REGION_TO_* answer without the location tokens the model echoes back ("car<loc_52>…" → "car"). */
export function regionAnswer(text: string): string {
  return text.replace(LOCATION_TOKEN, '').trim();
}

export function asRegions(image: Image, boxes: BoxesResult, labelled: boolean, scores: RegionScores = UNSCORED): Region[] {
  return boxes.bboxes.map((box, i) => Region.of(image, boxOf(box), labelled ? (boxes.labels[i] ?? '') : null, scores[i] ?? null));
}

/** Phrase grounding's flat (box, label) list grouped by phrase, in order of first appearance. */
export function asGroundedPhrases(image: Image, boxes: BoxesResult, scores: RegionScores = UNSCORED): GroundedPhrase[] {
  const byPhrase = new Map<string, Region[]>();
  boxes.bboxes.forEach((box, i) => {
    const phrase = boxes.labels[i] ?? '';
    const regions = byPhrase.get(phrase) ?? [];
    regions.push(Region.of(image, boxOf(box), phrase, scores[i] ?? null));
    byPhrase.set(phrase, regions);
  });
  return [...byPhrase].map(([phrase, regions]) => GroundedPhrase.of(phrase, regions));
}

export function asTextRegions(ocr: OcrResult, scores: RegionScores = UNSCORED): TextRegion[] {
  return ocr.quad_boxes.map((quad, i) => TextRegion.fromQuad(ocr.labels[i] ?? '', quad, scores[i] ?? null));
}

/**
 * Every polygon of every instance of a segmentation answer, as one Segment; `score` is the
 * RunResult's `locationScore` (all instances' location tokens together).
 */
export function asSegment(segmentation: PolygonsResult, score: number | null = null): Segment {
  return Segment.fromPolygons(segmentation.polygons.flat(), score);
}

/**
 * Open-vocabulary answers: boxes as they are, polygon instances as regions around their polygons.
 * The scores follow the same order (only one of the two lists is ever non-empty).
 */
export function asFoundRegions(image: Image, found: OpenVocabularyResult, scores: RegionScores = UNSCORED): Region[] {
  const boxed = found.bboxes.map((box, i) => Region.of(image, boxOf(box), found.bboxes_labels[i] ?? '', scores[i] ?? null));
  const outlined = found.polygons.map((instance, i) => {
    const score = scores[found.bboxes.length + i] ?? null;
    const segment = Segment.fromPolygons(instance, score);
    return Region.of(image, segment.box, found.polygons_labels[i] ?? '', score, segment);
  });
  return [...boxed, ...outlined];
}

function boxOf(box: readonly number[]): Box {
  const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = box;
  return Box.of(x1, y1, x2, y2);
}
