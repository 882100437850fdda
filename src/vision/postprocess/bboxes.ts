/**
 * `bboxes` (`<REGION_PROPOSAL>`): every maximal run of four or more location tokens, four tokens per
 * box; all other text is ignored and every label is `""`. The runs are the chunks' runs: the text
 * before them only matters for labels, which this parser does not read.
 */
import { findChunks } from './chunks.js';
import type { Generation } from './cleanup.js';
import { binsToCoordinates, boxTokenGroups } from './coordinates.js';
import type { ImageSize } from './imageSize.js';
import type { Parsed } from './parsed.js';
import type { BoxesResult } from '../results.js';
import { readLocationToken } from './tokens.js';

export function parseBboxes(generation: Generation, size: ImageSize): Parsed<BoxesResult> {
  const regions = findChunks(generation.cleaned, readLocationToken).flatMap((chunk) => boxTokenGroups(chunk.tokens));
  const bboxes = regions.map((box) => binsToCoordinates(box, size));
  return { answer: { bboxes, labels: bboxes.map(() => '') }, regions };
}
