/**
 * Per-request image loading: each source (URL, base64 text, uploaded id) is fetched, hashed and
 * sniffed once per request however many fields name it. Sniffing reads the header only (format,
 * oriented size, pixel limit); pixels are decoded later, and only if a task needs them.
 */
import DataLoader from 'dataloader';
import type { ImageHandle } from '../../engine/taskRunner.js';
import { decodeBase64Image } from '../../images/base64Image.js';
import { fetchImage } from '../../images/fetchImage.js';
import { imageIdOf, parseImageId } from '../../images/imageId.js';
import { ImageNotFoundError } from '../../images/errors.js';
import { FlorenceError } from '../../vision/errors.js';
import { readImageInfo } from '../../vision/image.js';
import { Image } from '../types/Image.js';
import type { GatewayServices } from '../services.js';

/** Where an image comes from: exactly one of the three. */
export type ImageSourceSpec = { readonly url: string } | { readonly base64: string } | { readonly id: string };

/** Sniffs bytes into an Image (format check, oriented size, pixel limit) and gives it its content id. */
export async function imageFromBytes(bytes: Uint8Array, services: GatewayServices): Promise<Image> {
  const info = await readImageInfo(bytes, { maxPixels: services.imageLimits.maxPixels });
  const handle: ImageHandle = { id: imageIdOf(bytes), width: info.width, height: info.height, bytes };
  return Image.of(handle, info.format);
}

export function createImageLoader(services: GatewayServices, signal: AbortSignal): DataLoader<ImageSourceSpec, Image, string> {
  return new DataLoader<ImageSourceSpec, Image, string>((specs) => Promise.all(specs.map((spec) => loadImage(spec, services, signal).catch(asError))), {
    cacheKeyFn: imageSourceKey,
  });
}

/**
 * The loader key of a source: `{url}` and `{url}` from two fields collide. Plain concatenation, not
 * JSON: a base64 source is megabytes, and the key is built for every field that names it.
 */
function imageSourceKey(spec: ImageSourceSpec): string {
  if ('url' in spec) return `url:${spec.url}`;
  if ('base64' in spec) return `base64:${spec.base64}`;
  return `id:${spec.id}`;
}

async function loadImage(spec: ImageSourceSpec, services: GatewayServices, signal: AbortSignal): Promise<Image> {
  const limits = services.imageLimits;
  if ('url' in spec) {
    const { bytes } = await fetchImage(spec.url, {
      allowHosts: limits.allowHosts,
      maxBytes: limits.maxBytes,
      timeoutMs: limits.fetchTimeoutMs,
      maxRedirects: limits.maxRedirects,
      signal,
    });
    return imageFromBytes(bytes, services);
  }
  if ('base64' in spec) return imageFromBytes(decodeBase64Image(spec.base64, limits.maxBase64Bytes), services);
  const id = parseImageId(spec.id);
  const upload = await services.uploads.get(id);
  if (!upload) {
    throw new ImageNotFoundError(`no uploaded image has id ${id}; upload the bytes with POST /images (uploads expire after ${Math.round(services.uploads.ttlMs / 3_600_000)} h)`);
  }
  return Image.of({ id, width: upload.width, height: upload.height, bytes: upload.bytes }, upload.format);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new FlorenceError('BAD_IMAGE', String(error));
}
