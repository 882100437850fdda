/**
 * Region inputs of the `REGION_TO_*` tasks: a pixel box to `<loc_x1><loc_y1><loc_x2><loc_y2>` with
 * Microsoft's BoxQuantizer (mode floor, 1000 bins per axis, INTERFACE.md §7.4), and back to bins.
 */
import { TaskInputError } from './errors.js';
import { assertImageSize, type ImageSize } from './postprocess/imageSize.js';

/** A box in pixels of the original image: top-left (x1, y1), bottom-right (x2, y2). */
export interface PixelBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** A box in location bins 0…999. */
export type BinBox = PixelBox;

const LOCATION_BINS = 1000;
const MAX_BIN = LOCATION_BINS - 1;
/** Exactly four tokens of one to three ASCII digits, nothing around them. */
const REGION_PATTERN = /^<loc_([0-9]{1,3})><loc_([0-9]{1,3})><loc_([0-9]{1,3})><loc_([0-9]{1,3})>$/;

/**
 * `bin = clamp(floor(coordinate / (size / 1000)), 0, 999)`: coordinates outside the image clamp to
 * the edge bins (x = width → 999, x = −3 → 0). Throws TaskInputError for a non-finite coordinate,
 * an inverted box (x2 < x1 or y2 < y1) or a bad size.
 * Example (640×480): `{x1: 34.24, y1: 160.08, x2: 597.44, y2: 371.76}` → `<loc_53><loc_333><loc_933><loc_774>`.
 */
export function regionToLocTokens(box: PixelBox, size: ImageSize): string {
  assertImageSize(size);
  if (typeof box !== 'object' || box === null) {
    throw new TaskInputError(`region must be an object {x1, y1, x2, y2} of pixel coordinates; got ${box === null ? 'null' : typeof box}`);
  }
  for (const name of ['x1', 'y1', 'x2', 'y2'] as const) {
    const value: unknown = box[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new TaskInputError(`region ${name} must be a finite number of pixels; got ${typeof value === 'number' ? value : typeof value}`);
    }
  }
  assertNotInverted(box, 'pixel');
  const binWidth = size.width / LOCATION_BINS;
  const binHeight = size.height / LOCATION_BINS;
  const bins = [box.x1 / binWidth, box.y1 / binHeight, box.x2 / binWidth, box.y2 / binHeight];
  return bins.map((bin) => `<loc_${Math.min(MAX_BIN, Math.max(0, Math.floor(bin)))}>`).join('');
}

/**
 * The bins of a region input `<loc_a><loc_b><loc_c><loc_d>` (exactly that, bins 0…999, not
 * inverted). Throws TaskInputError otherwise.
 */
export function parseRegionLocTokens(region: string): BinBox {
  const match = typeof region === 'string' ? REGION_PATTERN.exec(region) : null;
  if (match === null) {
    const shown = typeof region === 'string' ? JSON.stringify(region.length > 80 ? `${region.slice(0, 80)}…` : region) : typeof region;
    throw new TaskInputError(
      `a region must be exactly four location tokens <loc_x1><loc_y1><loc_x2><loc_y2> with bins 0…${MAX_BIN}; got ${shown}`,
    );
  }
  // At most three digits, so every bin is within 0…999.
  const bins = { x1: Number(match[1]), y1: Number(match[2]), x2: Number(match[3]), y2: Number(match[4]) };
  assertNotInverted(bins, 'bin');
  return bins;
}

function assertNotInverted(box: PixelBox, unit: string): void {
  if (box.x2 < box.x1 || box.y2 < box.y1) {
    throw new TaskInputError(
      `region is inverted: expected x1 ≤ x2 and y1 ≤ y2 (${unit} coordinates); got x1=${box.x1}, y1=${box.y1}, x2=${box.x2}, y2=${box.y2}`,
    );
  }
}
