/**
 * `description_with_bboxes` (`<OD>`, `<DENSE_REGION_CAPTION>`, and the box branch of open-vocabulary
 * detection): every chunk "label text + four or more location tokens" gives one box per four tokens,
 * each with the chunk's label. Label-less runs are labelled `""` (the gateway's `[^<]*`, where
 * Python's `[^<]+` would misread `loc_1>` as a label).
 */
import { findChunks } from './chunks.js';
import type { Generation } from './cleanup.js';
import { binsToCoordinates, boxTokenGroups } from './coordinates.js';
import type { ImageSize } from './imageSize.js';
import { boxChunkLabel } from './labels.js';
import type { Parsed } from './parsed.js';
import type { BoxesResult } from '../results.js';
import { readLocationToken, type MarkupToken } from './tokens.js';

const NO_DROPPED_LABELS: ReadonlySet<string> = new Set();

/** `droppedLabels`: labels whose chunk is dropped (the grounding blacklist for phrase grounding). */
export function parseDescriptionWithBboxes(
  generation: Generation,
  size: ImageSize,
  droppedLabels: ReadonlySet<string> = NO_DROPPED_LABELS,
): Parsed<BoxesResult> {
  const answer: BoxesResult = { bboxes: [], labels: [] };
  const regions: MarkupToken[][] = [];
  const text = generation.cleaned;
  for (const chunk of findChunks(text, readLocationToken)) {
    const label = boxChunkLabel(text, chunk);
    if (label === undefined || droppedLabels.has(label)) continue;
    for (const box of boxTokenGroups(chunk.tokens)) {
      answer.bboxes.push(binsToCoordinates(box, size));
      answer.labels.push(label);
      regions.push(box);
    }
  }
  return { answer, regions };
}
