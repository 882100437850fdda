/**
 * Per-request image loading: each source (URL, base64 text, uploaded id) is fetched, hashed and
 * sniffed once per request however many fields name it. Sniffing reads the header only (format,
 * oriented size, pixel limit); pixels are decoded later, and only if a task needs them. Images
 * fetched by URL are also kept in the upload store, so `GET /images/{id}` can serve them.
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
import type { StoredUpload } from '../uploads.js';

/** Where an image comes from: exactly one of the three. */
export type ImageSourceSpec = { readonly url: string } | { readonly base64: string } | { readonly id: string };

/** Sniffs bytes into an Image (format check, oriented size, pixel limit) and gives it its content id. */
export async function imageFromBytes(bytes: Uint8Array, services: GatewayServices): Promise<Image> {
  const info = await readImageInfo(bytes, { maxPixels: services.imageLimits.maxPixels });
  const handle: ImageHandle = { id: imageIdOf(bytes), width: info.width, height: info.height, bytes };
  return Image.of(handle, info.format);
}

export function createImageLoader(services: GatewayServices, signal: AbortSignal): DataLoader<ImageSourceSpec, Image, string> {
  return new DataLoader<ImageSourceSpec, Image, string>(
    (specs) => Promise.all(specs.map((spec) => loadImage(spec, services, signal).catch(asError))),
    {
      cacheKeyFn: imageSourceKey,
    },
  );
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
    const image = await imageFromBytes(bytes, services);
    keepFetchedImage(image, bytes, services);
    return image;
  }
  if ('base64' in spec) return imageFromBytes(decodeBase64Image(spec.base64, limits.maxBase64Bytes), services);
  const id = parseImageId(spec.id);
  const upload = await services.uploads.get(id);
  if (!upload) {
    throw new ImageNotFoundError(
      `no uploaded image has id ${id}; upload the bytes with POST /images (uploads expire after ` +
        `${Math.round(services.uploads.ttlMs / 3_600_000)} h)`,
    );
  }
  return Image.of({ id, width: upload.width, height: upload.height, bytes: upload.bytes }, upload.format);
}

/**
 * Puts a URL's bytes in the upload store, so a client can show the picture by the id the answer
 * names (`GET /images/{id}`; the GraphiQL explorer does). In the background: the query never waits
 * for the store, and a store that fails costs a log line, not the field.
 */
function keepFetchedImage(image: Image, bytes: Uint8Array, services: GatewayServices): void {
  const stored: StoredUpload = { bytes, width: image.width, height: image.height, format: image.format };
  services.uploads.keep(image.id, stored).catch((error: unknown) => {
    services.logger.warn({ err: error, imageId: image.id }, 'could not keep a fetched image for GET /images');
  });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new FlorenceError('BAD_IMAGE', String(error));
}
