/**
 * `description_with_bboxes` (`<OD>`, `<DENSE_REGION_CAPTION>`, and the box branch of open-vocabulary
 * detection): every chunk "label text + four or more location tokens" gives one box per four tokens,
 * each with the chunk's label. Label-less runs are labelled `""` (the gateway's `[^<]*`, where
 * Python's `[^<]+` would misread `loc_1>` as a label).
 */
import { findChunks } from './chunks.js';
import type { Generation } from './cleanup.js';
import { boxesOf } from './coordinates.js';
import type { ImageSize } from './imageSize.js';
import { boxChunkLabel } from './labels.js';
import type { BoxesResult } from '../results.js';
import { readLocationToken } from './tokens.js';

const NO_DROPPED_LABELS: ReadonlySet<string> = new Set();

/** `droppedLabels`: labels whose chunk is dropped (the grounding blacklist for phrase grounding). */
export function parseDescriptionWithBboxes(
  generation: Generation,
  size: ImageSize,
  droppedLabels: ReadonlySet<string> = NO_DROPPED_LABELS,
): BoxesResult {
  const result: BoxesResult = { bboxes: [], labels: [] };
  const text = generation.cleaned;
  for (const chunk of findChunks(text, readLocationToken)) {
    const label = boxChunkLabel(text, chunk);
    if (label === undefined || droppedLabels.has(label)) continue;
    for (const box of boxesOf(chunk.tokens, size)) {
      result.bboxes.push(box);
      result.labels.push(label);
    }
  }
  return result;
}
