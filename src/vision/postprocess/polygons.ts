/**
 * `polygons` (`<REFERRING_EXPRESSION_SEGMENTATION>`, `<REGION_TO_SEGMENTATION>`): every maximal run
 * of four or more location/`<sep>`/`<poly>`/`</poly>` tokens (other text ignored) is labelled by the
 * polygon label rule (normally `""`) and split into instances and polygons; one label per instance.
 */
import { findChunks } from './chunks.js';
import type { Generation } from './cleanup.js';
import type { ImageSize } from './imageSize.js';
import { polygonChunkLabel } from './labels.js';
import { polygonInstances } from './polygonInstances.js';
import type { Parsed } from './parsed.js';
import type { PolygonsResult } from '../results.js';
import { readPolygonToken, type MarkupToken } from './tokens.js';

export function parsePolygons(generation: Generation, size: ImageSize): Parsed<PolygonsResult> {
  const text = generation.cleaned;
  const answer: PolygonsResult = { polygons: [], labels: [] };
  const regions: (readonly MarkupToken[])[] = [];
  for (const chunk of findChunks(text, readPolygonToken)) {
    // The run alone, without the text the scan entered it from: that text is ignored here.
    const run = { ...chunk, textStart: chunk.runStart };
    const label = polygonChunkLabel(text, run);
    if (label === undefined) continue;
    for (const instance of polygonInstances(run.tokens, size)) {
      answer.polygons.push(instance.polygons);
      answer.labels.push(label);
      regions.push(instance.tokens);
    }
  }
  return { answer, regions };
}
