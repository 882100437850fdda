/**
 * The `Content-Type` to serve stored image bytes with, from the format sniffing found. Sniffing
 * (libvips) names AVIF and HEIC both `heif`; their ISO-BMFF brand tells them apart.
 */
import type { ImageFormat } from '../vision/image.js';

const MEDIA_TYPES: Readonly<Record<ImageFormat, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  heif: 'image/heif',
};

/** Brands (bytes 8–11 of the `ftyp` box) of AVIF stills and sequences. */
const AVIF_BRANDS = new Set(['avif', 'avis']);
/** Brands of HEVC-coded HEIF (what phones call HEIC). */
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx']);

/**
 * `image/…` for sniffed bytes; `application/octet-stream` for a format this gateway never accepts
 * (an old upload from another version, say), so a browser never guesses one.
 */
export function imageMediaType(format: string, bytes: Uint8Array): string {
  if (format === 'heif') {
    const brand = bytes.byteLength >= 12 && ascii(bytes, 4, 8) === 'ftyp' ? ascii(bytes, 8, 12) : '';
    if (AVIF_BRANDS.has(brand)) return 'image/avif';
    if (HEIC_BRANDS.has(brand)) return 'image/heic';
  }
  return isImageFormat(format) ? MEDIA_TYPES[format] : 'application/octet-stream';
}

function isImageFormat(format: string): format is ImageFormat {
  return Object.hasOwn(MEDIA_TYPES, format);
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}
