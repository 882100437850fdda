/** Common rule 3: location bins back to pixel coordinates. */
import type { ImageSize } from './imageSize.js';
import type { MarkupToken } from './tokens.js';

/** Florence-2 quantises each axis into 1000 bins; a bin maps back to its centre. */
const LOCATION_BINS = 1000;

/** A box is `<loc_x1><loc_y1><loc_x2><loc_y2>`. */
export const BOX_TOKENS = 4;

/**
 * `(bin + 0.5) × size / 1000` in doubles, with x (even positions) scaled by the width and y (odd
 * positions) by the height. No clamping, rounding or truncation: bins past 999 land outside the image.
 */
export function binsToCoordinates(tokens: readonly MarkupToken[], size: ImageSize): number[] {
  return tokens.map((token, index) => ((token.bin + 0.5) * (index % 2 === 0 ? size.width : size.height)) / LOCATION_BINS);
}

/** Consecutive groups of four tokens, one per box `[x1, y1, x2, y2]`; one to three leftover tokens are ignored. */
export function boxTokenGroups(tokens: readonly MarkupToken[]): MarkupToken[][] {
  const groups: MarkupToken[][] = [];
  for (let first = 0; first + BOX_TOKENS <= tokens.length; first += BOX_TOKENS) groups.push(tokens.slice(first, first + BOX_TOKENS));
  return groups;
}
