/**
 * The image-source limits of the gateway: their defaults, the ceilings a setting may not pass, and
 * the limits built from the settings. The settings themselves (MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS,
 * FETCH_TIMEOUT_MS, ALLOW_HOSTS) are read, once at startup, by the configuration table
 * (src/server/configVariables.ts), which refuses a bad value naming the variable.
 */
import { DEFAULT_MAX_PIXELS } from '../vision/image.js';
import { parseAllowHosts, type AllowHosts } from './addressPolicy.js';
import { DEFAULT_MAX_REDIRECTS } from './fetchImage.js';

/** 20 MB: above a full-quality phone photo (~12 MB), below what many concurrent fetches can hold in memory. */
export const DEFAULT_MAX_IMAGE_BYTES = 20_000_000;

/**
 * 3 MB: base64 arrives inside the JSON body of POST /graphql, a third larger (4 MB), and that body is
 * capped well under 5 MB; bigger images come by URL or through POST /images.
 */
export const DEFAULT_MAX_BASE64_IMAGE_BYTES = 3_000_000;

/** 10 s: a healthy image host answers well within it; a stalled one must not hold a request slot longer. */
export const DEFAULT_FETCH_TIMEOUT_MS = 10_000;

/** 1 GB: bodies are held whole in memory, so anything larger is a typo rather than a plan. */
export const MAX_IMAGE_BYTES_CEILING = 1_000_000_000;

/** 1 gigapixel: about 4 GB once decoded as RGBA; anything larger is a typo rather than a plan. */
export const MAX_PIXELS_CEILING = 1_000_000_000;

/** 10 min: longer than any request deadline, so a longer fetch timeout could never take effect. */
export const FETCH_TIMEOUT_CEILING_MS = 600_000;

export interface ImageLimits {
  /** Largest image body fetched from a URL, in bytes (MAX_IMAGE_BYTES). */
  readonly maxBytes: number;
  /** Largest base64 image once decoded, in bytes: the smaller of 3 MB and maxBytes. */
  readonly maxBase64Bytes: number;
  /** Largest width × height, checked from the header before decoding (MAX_IMAGE_PIXELS). */
  readonly maxPixels: number;
  /** One deadline for a URL fetch: connect, headers and body across redirects (FETCH_TIMEOUT_MS). */
  readonly fetchTimeoutMs: number;
  /** Redirects followed before a fetch is refused. */
  readonly maxRedirects: number;
  /** Hosts and addresses exempt from the private-address check (ALLOW_HOSTS); none by default. */
  readonly allowHosts: AllowHosts;
}

/** What the operator sets; the rest of ImageLimits follows from it. */
export type ImageLimitSettings = Pick<ImageLimits, 'maxBytes' | 'maxPixels' | 'fetchTimeoutMs' | 'allowHosts'>;

/** The limits for these settings: base64 images follow maxBytes down, never above 3 MB (the JSON body's cap). */
export function imageLimits(settings: ImageLimitSettings): ImageLimits {
  return Object.freeze({
    maxBytes: settings.maxBytes,
    maxBase64Bytes: Math.min(DEFAULT_MAX_BASE64_IMAGE_BYTES, settings.maxBytes),
    maxPixels: settings.maxPixels,
    fetchTimeoutMs: settings.fetchTimeoutMs,
    maxRedirects: DEFAULT_MAX_REDIRECTS,
    allowHosts: settings.allowHosts,
  });
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = imageLimits({
  maxBytes: DEFAULT_MAX_IMAGE_BYTES,
  maxPixels: DEFAULT_MAX_PIXELS,
  fetchTimeoutMs: DEFAULT_FETCH_TIMEOUT_MS,
  allowHosts: parseAllowHosts(undefined),
});
