/**
 * Runtime answers → schema objects. Parsed results are the gateway-semantics shapes
 * (src/vision/results.ts); these functions give them names a frontend wants.
 */
import type { BoxesResult, OcrResult, OpenVocabularyResult, PolygonsResult, TaskResult } from '../vision/results.js';
import { FlorenceError } from '../vision/errors.js';
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

export function asText(result: TaskResult): string {
  if (typeof result !== 'string') throw unexpected('text', result);
  return result;
}

/** A REGION_TO_* answer without the location tokens the model echoes back ("car<loc_52>…" → "car"). */
export function regionAnswer(result: TaskResult): string {
  return asText(result).replace(LOCATION_TOKEN, '').trim();
}

export function asRegions(image: Image, result: TaskResult, labelled: boolean, scores: RegionScores = UNSCORED): Region[] {
  const boxes = asBoxes(result);
  return boxes.bboxes.map((box, i) => Region.of(image, boxOf(box), labelled ? (boxes.labels[i] ?? '') : null, scores[i] ?? null));
}

/** Phrase grounding's flat (box, label) list grouped by phrase, in order of first appearance. */
export function asGroundedPhrases(image: Image, result: TaskResult, scores: RegionScores = UNSCORED): GroundedPhrase[] {
  const boxes = asBoxes(result);
  const byPhrase = new Map<string, Region[]>();
  boxes.bboxes.forEach((box, i) => {
    const phrase = boxes.labels[i] ?? '';
    const regions = byPhrase.get(phrase) ?? [];
    regions.push(Region.of(image, boxOf(box), phrase, scores[i] ?? null));
    byPhrase.set(phrase, regions);
  });
  return [...byPhrase].map(([phrase, regions]) => GroundedPhrase.of(phrase, regions));
}

export function asTextRegions(result: TaskResult, scores: RegionScores = UNSCORED): TextRegion[] {
  if (typeof result === 'string' || !('quad_boxes' in result)) throw unexpected('OCR quads', result);
  const ocr: OcrResult = result;
  return ocr.quad_boxes.map((quad, i) => TextRegion.fromQuad(ocr.labels[i] ?? '', quad, scores[i] ?? null));
}

/**
 * Every polygon of every instance of a segmentation answer, as one Segment; `score` is the
 * RunResult's `locationScore` (all instances' location tokens together).
 */
export function asSegment(result: TaskResult, score: number | null = null): Segment {
  if (typeof result === 'string' || !('polygons' in result) || 'bboxes_labels' in result) throw unexpected('polygons', result);
  const polygons: PolygonsResult = result;
  return Segment.fromPolygons(polygons.polygons.flat(), score);
}

/**
 * Open-vocabulary answers: boxes as they are, polygon instances as regions around their polygons.
 * The scores follow the same order (only one of the two lists is ever non-empty).
 */
export function asFoundRegions(image: Image, result: TaskResult, scores: RegionScores = UNSCORED): Region[] {
  if (typeof result === 'string' || !('bboxes_labels' in result)) throw unexpected('open-vocabulary detections', result);
  const found: OpenVocabularyResult = result;
  const boxed = found.bboxes.map((box, i) => Region.of(image, boxOf(box), found.bboxes_labels[i] ?? '', scores[i] ?? null));
  const outlined = found.polygons.map((instance, i) => {
    const score = scores[found.bboxes.length + i] ?? null;
    const segment = Segment.fromPolygons(instance, score);
    return Region.of(image, segment.box, found.polygons_labels[i] ?? '', score, segment);
  });
  return [...boxed, ...outlined];
}

function asBoxes(result: TaskResult): BoxesResult {
  if (typeof result === 'string' || !('bboxes' in result) || 'bboxes_labels' in result) throw unexpected('boxes', result);
  return result;
}

function boxOf(box: readonly number[]): Box {
  const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = box;
  return Box.of(x1, y1, x2, y2);
}

function unexpected(expected: string, result: TaskResult): FlorenceError {
  const got = typeof result === 'string' ? 'text' : Object.keys(result).join(', ');
  return new FlorenceError('MODEL_ERROR', `the task answered with ${got}; expected ${expected}`);
}
