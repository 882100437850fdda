/** Steps 3 and 4 of the polygon rules: a chunk's instances, and each instance's polygons. */
import { binsToCoordinates } from './coordinates.js';
import type { ImageSize } from './imageSize.js';
import type { MarkupToken } from './tokens.js';

export interface PolygonInstance {
  /** Flat `[x1, y1, x2, y2, …]` per polygon. */
  readonly polygons: number[][];
  /**
   * The location tokens of those polygons, in order: every token of each run read as a polygon,
   * an odd last bin (which gives no coordinate) included, so an instance always has some.
   */
  readonly tokens: readonly MarkupToken[];
}

/**
 * The polygons of each instance of a chunk, instances without polygons left out. With both
 * `<poly>` and `</poly>` present, each `<poly> … </poly>` pair (shortest, left to right, like
 * `re.finditer(r"<poly>(.*?)</poly>")`) is one instance; otherwise the whole chunk is one.
 */
export function polygonInstances(tokens: readonly MarkupToken[], size: ImageSize): PolygonInstance[] {
  const hasOpen = tokens.some((token) => token.kind === 'poly');
  const hasClose = tokens.some((token) => token.kind === 'endPoly');
  const instances = hasOpen && hasClose ? pairedInstances(tokens) : [tokens];
  return instances.map((instance) => polygonsOf(instance, size)).filter((instance) => instance.polygons.length > 0);
}

function pairedInstances(tokens: readonly MarkupToken[]): (readonly MarkupToken[])[] {
  const instances: (readonly MarkupToken[])[] = [];
  let index = 0;
  for (;;) {
    const open = findKind(tokens, 'poly', index);
    if (open < 0) break;
    const close = findKind(tokens, 'endPoly', open + 1);
    // No `</poly>` after this `<poly>` means none after any later one either: findall stops.
    if (close < 0) break;
    instances.push(tokens.slice(open + 1, close));
    index = close + 1;
  }
  return instances;
}

/**
 * Every maximal run of location tokens followed by `<sep>` or by the end of the instance (runs
 * followed by `<poly>`/`</poly>` are not polygons), as flat coordinates; an odd last bin is dropped,
 * so a one-bin run is the empty polygon `[]`.
 */
function polygonsOf(instance: readonly MarkupToken[], size: ImageSize): PolygonInstance {
  const polygons: number[][] = [];
  const used: MarkupToken[] = [];
  let index = 0;
  while (index < instance.length) {
    if (instance[index]?.kind !== 'loc') {
      index++;
      continue;
    }
    let runEnd = index;
    while (runEnd < instance.length && instance[runEnd]?.kind === 'loc') runEnd++;
    if (runEnd === instance.length || instance[runEnd]?.kind === 'sep') {
      const run = instance.slice(index, runEnd);
      polygons.push(binsToCoordinates(run.slice(0, Math.floor(run.length / 2) * 2), size));
      used.push(...run);
    }
    index = runEnd;
  }
  return { polygons, tokens: used };
}

function findKind(tokens: readonly MarkupToken[], kind: MarkupToken['kind'], from: number): number {
  for (let index = from; index < tokens.length; index++) if (tokens[index]?.kind === kind) return index;
  return -1;
}
