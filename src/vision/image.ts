/**
 * Image decoding and Florence-2 preprocessing (INTERFACE.md §5), as the Python reference does it:
 * sharp decodes, applies the EXIF orientation (boxes must match what a browser shows) and makes
 * 8-bit RGB the way Pillow's `convert('RGB')` does; the 768² stretch is Pillow's own bicubic
 * (`pillowResize.ts`), value for value; then rescale 1/255, ImageNet normalisation, NCHW float32.
 * Decoding is defensive: formats are sniffed by libvips (never trusted from a name or header),
 * vector and unknown formats are refused, a pixel limit stops decompression bombs before any pixel
 * is decoded, and truncated data is refused rather than padded.
 */
import { readFile } from 'node:fs/promises';
import sharp, { type FailOnOptions, type Metadata, type SharpOptions } from 'sharp';
import { ImageDecodeError, ImageTooLargeError } from './errors.js';
import { cmykToRgb } from './pillowConvert.js';
import { resizeBicubic, type RgbImage } from './pillowResize.js';

/** Raster formats Florence-2 inputs may use, as sharp names them (`heif` covers AVIF). */
export const SUPPORTED_IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif'] as const;
export type ImageFormat = (typeof SUPPORTED_IMAGE_FORMATS)[number];

/** 50 megapixels: above any camera's output, below what would exhaust memory when decoded. */
export const DEFAULT_MAX_PIXELS = 50_000_000;

const IMAGE_SIZE = 768;
const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/**
 * Which damage refuses an image; everything that decodes pixels (here, the overlay) uses it.
 * Pillow refuses a truncated file ("image file is truncated") but decodes through other damage (a
 * PNG chunk with a bad CRC, stray bytes in a JPEG); libvips' default ('warning') refuses both, and
 * 'none' pads a cut-off image with grey. 'truncated' is Pillow's line.
 */
export const FAIL_ON: FailOnOptions = 'truncated';

/**
 * How sharp decodes for analysis.
 * - `ignoreIcc`: Pillow's `convert('RGB')` keeps the stored values and ignores an embedded colour
 *   profile; sharp would otherwise transform them to sRGB first.
 * - `pages: 1`: the first frame of a GIF, WebP or TIFF, as `Image.open` gives it.
 */
const DECODE_OPTIONS = { failOn: FAIL_ON, ignoreIcc: true, pages: 1, autoOrient: true } as const satisfies SharpOptions;

export interface ImageLimits {
  /** Largest accepted width × height, checked from the header before decoding. */
  readonly maxPixels?: number;
}

/** What a decoded image is, as shown to a user: sizes after EXIF orientation. */
export interface ImageInfo {
  readonly width: number;
  readonly height: number;
  readonly format: ImageFormat;
}

/** An image ready for the vision encoder, with the size its coordinates are reported in. */
export interface PreparedImage extends ImageInfo {
  /** [3, 768, 768] normalised channels, planar. */
  readonly pixelValues: Float32Array;
}

/** Image bytes, or a path to read them from. */
export type ImageSource = Uint8Array | string;

export async function readImageBytes(source: ImageSource): Promise<Uint8Array> {
  if (typeof source !== 'string') return source;
  try {
    return await readFile(source);
  } catch (error) {
    throw new ImageDecodeError(`cannot read image file ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      cause: error,
    });
  }
}

/** Sniffs and checks an image without decoding its pixels. */
export async function readImageInfo(bytes: Uint8Array, limits: ImageLimits = {}): Promise<ImageInfo> {
  if (bytes.length === 0) throw new ImageDecodeError('the image is empty (0 bytes); expected JPEG, PNG, WebP, GIF, TIFF or AVIF data');
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes).metadata();
  } catch (error) {
    throw new ImageDecodeError(
      `the data is not a readable image (${describeSharpError(error)}); expected JPEG, PNG, WebP, GIF, TIFF or AVIF`,
      {
        cause: error,
      },
    );
  }
  const format = metadata.format as string;
  if (!(SUPPORTED_IMAGE_FORMATS as readonly string[]).includes(format)) {
    throw new ImageDecodeError(`images in ${format.toUpperCase()} format are not accepted; expected JPEG, PNG, WebP, GIF, TIFF or AVIF`);
  }
  const { width, height } = metadata.autoOrient;
  const maxPixels = limits.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (width * height > maxPixels) {
    throw new ImageTooLargeError(
      `the image is ${width}×${height} pixels (${formatMegapixels(width * height)}); the limit is ${formatMegapixels(maxPixels)}`,
    );
  }
  if (width < 1 || height < 1) throw new ImageDecodeError(`the image has no pixels (${width}×${height})`);
  return { width, height, format: format as ImageFormat };
}

/** Decodes, orients, resizes and normalises one image for the vision encoder. */
export async function prepareImage(source: ImageSource, limits: ImageLimits = {}): Promise<PreparedImage> {
  const bytes = await readImageBytes(source);
  const info = await readImageInfo(bytes, limits);
  const rgb = await decodeRgb(bytes, limits);
  return { ...info, pixelValues: normalise(resizeBicubic(rgb, IMAGE_SIZE, IMAGE_SIZE).data) };
}

/**
 * The oriented image as 8-bit RGB, as Pillow's `exif_transpose` + `convert('RGB')` give it: alpha
 * dropped (not blended), grey repeated, CMYK converted by Pillow's formula (`pillowConvert.ts`).
 */
export async function decodeRgb(bytes: Uint8Array, limits: ImageLimits = {}): Promise<RgbImage> {
  try {
    const decoder = sharp(bytes, { ...DECODE_OPTIONS, limitInputPixels: limits.maxPixels ?? DEFAULT_MAX_PIXELS });
    if ((await decoder.metadata()).space === 'cmyk') {
      const { data, info } = await decoder
        .pipelineColourspace('cmyk')
        .toColourspace('cmyk')
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 4) throw new Error(`expected 4 channels of CMYK, got ${info.channels}`);
      return { data: cmykToRgb(data), width: info.width, height: info.height };
    }
    const { data, info } = await decoder.removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels after conversion to RGB, got ${info.channels}`);
    return { data, width: info.width, height: info.height };
  } catch (error) {
    throw new ImageDecodeError(
      `the image's pixels could not be decoded (${describeSharpError(error)}); the file may be truncated or corrupt: send the complete ` +
        `image`,
      { cause: error },
    );
  }
}

/** Interleaved 8-bit RGB → planar ImageNet-normalised floats. */
function normalise(rgb: Uint8Array): Float32Array {
  const plane = IMAGE_SIZE * IMAGE_SIZE;
  if (rgb.length !== plane * 3) throw new ImageDecodeError(`expected ${plane * 3} bytes of RGB after resizing, got ${rgb.length}`);
  const out = new Float32Array(plane * 3);
  for (let channel = 0; channel < 3; channel++) {
    const scale = 1 / (255 * IMAGENET_STD[channel]!);
    const shift = IMAGENET_MEAN[channel]! / IMAGENET_STD[channel]!;
    const base = channel * plane;
    for (let i = 0; i < plane; i++) out[base + i] = rgb[i * 3 + channel]! * scale - shift;
  }
  return out;
}

function describeSharpError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .split('\n')[0]!
    .replace(/^Input buffer /, '')
    .trim();
}

function formatMegapixels(pixels: number): string {
  return `${(pixels / 1e6).toFixed(pixels < 1e6 ? 2 : 1)} megapixels`;
}
