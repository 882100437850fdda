/**
 * Pillow's bicubic resize of 8-bit RGB, value for value: what `Image.resize(size, Image.BICUBIC)`
 * gives in Pillow 9.4 (`ImagingResample` in libImaging/Resample.c). Florence-2 was trained on
 * images its Python processor resized this way, and no other cubic kernel (sharp's, the browser's)
 * reproduces it: they differ at edges and wherever the picture is shrunk.
 *
 * What makes it Pillow's, in the order Pillow does it:
 * 1. Coefficients per output pixel, in double precision: a = −0.5 cubic, its support (2) widened by
 *    the scale factor when shrinking, taps clipped to the image, normalised to sum to 1.
 * 2. The coefficients rounded to fixed point with 22 fractional bits (32 − 8 − 2: 8 for the pixel,
 *    2 for the overshoot of negative lobes), half away from zero.
 * 3. Two separable passes, horizontal first, over only the rows the vertical pass will read; each
 *    pass starts its sum at one half, shifts the fraction off and clips to 0..255 (`clip8`), so
 *    the intermediate image is 8-bit too. A pass whose axis keeps its size is skipped; when both
 *    are, the pixels are copied.
 */

/** Interleaved 8-bit RGB pixels, row-major, with their size. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

const CHANNELS = 3;
/** Fractional bits of the fixed-point coefficients: 32 bits less 8 for the value, 2 for overshoot. */
const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
/** Every sum starts at one half so that shifting the fraction off rounds to nearest. */
const HALF = 1 << (PRECISION_BITS - 1);
/** The bicubic kernel is zero from distance 2 on (before widening for a shrink). */
const BICUBIC_SUPPORT = 2;

/** The image resized to `width` × `height` exactly as Pillow's `resize(…, BICUBIC)` does it. */
export function resizeBicubic(image: RgbImage, width: number, height: number): RgbImage {
  checkImage(image);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`the target size must be whole positive pixels; got ${width}×${height}`);
  }
  const needHorizontal = width !== image.width;
  const needVertical = height !== image.height;
  if (!needHorizontal && !needVertical) return { data: image.data.slice(), width, height };

  const vertical = precomputeCoefficients(image.height, height);
  let rows = image;
  let firstRow = 0;
  if (needHorizontal) {
    // Only the rows the vertical pass reads are resized horizontally (all of them when the height stays).
    firstRow = vertical.starts[0] ?? 0;
    const lastRow = (vertical.starts[height - 1] ?? 0) + (vertical.counts[height - 1] ?? 0);
    rows = resizeRows(image, width, firstRow, lastRow);
  }
  return needVertical ? resizeColumns(rows, vertical, firstRow) : rows;
}

/** Per output pixel: the first input pixel it reads, how many, and their fixed-point weights. */
interface Coefficients {
  /** Weights per output pixel (the longest tap count); `weights[out * taps + i]`. */
  readonly taps: number;
  readonly starts: Int32Array;
  readonly counts: Int32Array;
  readonly weights: Int32Array;
}

/** Pillow's `precompute_coeffs` then `normalize_coeffs_8bpc`, for the whole input range (no box). */
function precomputeCoefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = BICUBIC_SUPPORT * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const invFilterScale = 1 / filterScale;
  const starts = new Int32Array(outSize);
  const counts = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const raw = new Float64Array(taps);
  for (let out = 0; out < outSize; out++) {
    const center = (out + 0.5) * scale;
    // C's (int) casts truncate toward zero; the same bounds, so the same taps.
    const first = Math.max(Math.trunc(center - support + 0.5), 0);
    const count = Math.min(Math.trunc(center + support + 0.5), inSize) - first;
    let sum = 0;
    for (let i = 0; i < count; i++) {
      const weight = bicubic((i + first - center + 0.5) * invFilterScale);
      raw[i] = weight;
      sum += weight;
    }
    for (let i = 0; i < count; i++) {
      const normalised = sum !== 0 ? (raw[i] ?? 0) / sum : (raw[i] ?? 0);
      weights[out * taps + i] = normalised < 0 ? Math.trunc(-0.5 + normalised * ONE) : Math.trunc(0.5 + normalised * ONE);
    }
    starts[out] = first;
    counts[out] = count;
  }
  return { taps, starts, counts, weights };
}

/** The a = −0.5 cubic convolution kernel, written as Pillow writes it (same operations, same rounding). */
function bicubic(distance: number): number {
  const x = Math.abs(distance);
  if (x < 1) return (1.5 * x - 2.5) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * -0.5;
  return 0;
}

/** Horizontal pass over rows [firstRow, lastRow): a `width` × (lastRow − firstRow) image. */
function resizeRows(image: RgbImage, width: number, firstRow: number, lastRow: number): RgbImage {
  const { taps, starts, counts, weights } = precomputeCoefficients(image.width, width);
  const source = image.data;
  const rows = lastRow - firstRow;
  const out = new Uint8Array(width * rows * CHANNELS);
  const inStride = image.width * CHANNELS;
  for (let row = 0; row < rows; row++) {
    const rowStart = (row + firstRow) * inStride;
    let o = row * width * CHANNELS;
    for (let x = 0; x < width; x++) {
      const k = x * taps;
      const count = counts[x] ?? 0;
      let p = rowStart + (starts[x] ?? 0) * CHANNELS;
      let r = HALF;
      let g = HALF;
      let b = HALF;
      for (let i = 0; i < count; i++, p += CHANNELS) {
        const weight = weights[k + i] ?? 0;
        r += (source[p] ?? 0) * weight;
        g += (source[p + 1] ?? 0) * weight;
        b += (source[p + 2] ?? 0) * weight;
      }
      out[o++] = clip8(r);
      out[o++] = clip8(g);
      out[o++] = clip8(b);
    }
  }
  return { data: out, width, height: rows };
}

/**
 * Vertical pass; `rowOffset` is the input row the image starts at (the horizontal pass kept only
 * the rows needed). Sums run a row of taps at a time for memory locality; integer sums in doubles
 * are exact, so the order does not change a value.
 */
function resizeColumns(image: RgbImage, coefficients: Coefficients, rowOffset: number): RgbImage {
  const { taps, starts, counts, weights } = coefficients;
  const height = starts.length;
  const stride = image.width * CHANNELS;
  const source = image.data;
  const out = new Uint8Array(stride * height);
  const sums = new Float64Array(stride);
  for (let y = 0; y < height; y++) {
    sums.fill(HALF);
    const first = (starts[y] ?? 0) - rowOffset;
    const count = counts[y] ?? 0;
    for (let i = 0; i < count; i++) {
      const weight = weights[y * taps + i] ?? 0;
      const rowStart = (first + i) * stride;
      for (let v = 0; v < stride; v++) sums[v] = (sums[v] ?? 0) + (source[rowStart + v] ?? 0) * weight;
    }
    const o = y * stride;
    for (let v = 0; v < stride; v++) out[o + v] = clip8(sums[v] ?? 0);
  }
  return { data: out, width: image.width, height };
}

/** Drops the fraction (an arithmetic shift, as Pillow's) and clips to a byte. */
function clip8(sum: number): number {
  const value = sum >> PRECISION_BITS;
  return value < 0 ? 0 : value > 255 ? 255 : value;
}

function checkImage({ data, width, height }: RgbImage): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`the image size must be whole positive pixels; got ${width}×${height}`);
  }
  if (data.length !== width * height * CHANNELS) {
    throw new RangeError(`a ${width}×${height} RGB image has ${width * height * CHANNELS} bytes; got ${data.length}`);
  }
}
