/** The image size post-processing scales coordinates by, and its validation. */
import { TaskInputError } from '../errors.js';

/** Width and height of the original image in pixels (positive, finite; fractions allowed). */
export interface ImageSize {
  width: number;
  height: number;
}

/**
 * Throws TaskInputError unless `size` has a positive finite `width` and `height`. Why strict: a
 * zero, negative or NaN size would silently turn every coordinate into 0, a negative or NaN.
 */
export function assertImageSize(size: unknown): asserts size is ImageSize {
  if (typeof size !== 'object' || size === null) {
    throw new TaskInputError(`image size must be an object {width, height} of positive numbers; got ${describe(size)}`);
  }
  const { width, height } = size as Record<string, unknown>;
  for (const [name, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new TaskInputError(`image ${name} must be a positive finite number of pixels; got ${describe(value)}`);
    }
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return value === null ? 'null' : typeof value;
}
