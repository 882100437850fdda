/**
 * `description_with_polygons`, the polygon branch of open-vocabulary detection: chunks of label
 * text + four or more location/`<sep>`/`<poly>`/`</poly>` tokens, each labelled by the polygon label
 * rule (with the newline rule; no label text gives `""`) and split into instances and polygons.
 */
import { findChunks } from './chunks.js';
import type { Generation } from './cleanup.js';
import type { ImageSize } from './imageSize.js';
import { polygonChunkLabel } from './labels.js';
import { polygonInstances } from './polygonInstances.js';
import type { Parsed } from './parsed.js';
import type { PolygonsResult } from '../results.js';
import { readPolygonToken, type MarkupToken } from './tokens.js';

export function parseDescriptionWithPolygons(generation: Generation, size: ImageSize): Parsed<PolygonsResult> {
  const text = generation.cleaned;
  const answer: PolygonsResult = { polygons: [], labels: [] };
  const regions: (readonly MarkupToken[])[] = [];
  for (const chunk of findChunks(text, readPolygonToken)) {
    const label = polygonChunkLabel(text, chunk);
    if (label === undefined) continue;
    for (const instance of polygonInstances(chunk.tokens, size)) {
      answer.polygons.push(instance.polygons);
      answer.labels.push(label);
      regions.push(instance.tokens);
    }
  }
  return { answer, regions };
}
