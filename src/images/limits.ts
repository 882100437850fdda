/**
 * The image-source limits of the gateway and their loading from the environment. Every value is
 * checked once at startup; a bad one throws ImageConfigError naming the variable, what was expected
 * and what was found, so a typo cannot quietly remove a limit.
 */
import { DEFAULT_MAX_PIXELS } from '../vision/image.js';
import { parseAllowHosts, type AllowHosts } from './addressPolicy.js';
import { ImageConfigError } from './errors.js';
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
const MAX_IMAGE_BYTES_CEILING = 1_000_000_000;

/** 1 gigapixel: about 4 GB once decoded as RGBA; anything larger is a typo rather than a plan. */
const MAX_PIXELS_CEILING = 1_000_000_000;

/** 10 min: longer than any request deadline, so a longer fetch timeout could never take effect. */
const FETCH_TIMEOUT_CEILING_MS = 600_000;

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

export const DEFAULT_IMAGE_LIMITS: ImageLimits = Object.freeze({
  maxBytes: DEFAULT_MAX_IMAGE_BYTES,
  maxBase64Bytes: DEFAULT_MAX_BASE64_IMAGE_BYTES,
  maxPixels: DEFAULT_MAX_PIXELS,
  fetchTimeoutMs: DEFAULT_FETCH_TIMEOUT_MS,
  maxRedirects: DEFAULT_MAX_REDIRECTS,
  allowHosts: parseAllowHosts(undefined),
});

/**
 * ImageLimits from MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, FETCH_TIMEOUT_MS and ALLOW_HOSTS; unset or
 * blank variables keep their defaults. Throws ImageConfigError for a bad value.
 */
export function imageLimitsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): ImageLimits {
  const maxBytes = readWholeNumber(env, 'MAX_IMAGE_BYTES', 'bytes', DEFAULT_MAX_IMAGE_BYTES, MAX_IMAGE_BYTES_CEILING);
  return Object.freeze({
    maxBytes,
    maxBase64Bytes: Math.min(DEFAULT_MAX_BASE64_IMAGE_BYTES, maxBytes),
    maxPixels: readWholeNumber(env, 'MAX_IMAGE_PIXELS', 'pixels', DEFAULT_MAX_PIXELS, MAX_PIXELS_CEILING),
    fetchTimeoutMs: readWholeNumber(env, 'FETCH_TIMEOUT_MS', 'milliseconds', DEFAULT_FETCH_TIMEOUT_MS, FETCH_TIMEOUT_CEILING_MS),
    maxRedirects: DEFAULT_MAX_REDIRECTS,
    allowHosts: parseAllowHosts(env['ALLOW_HOSTS']),
  });
}

function readWholeNumber(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  unit: string,
  fallback: number,
  ceiling: number,
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= 1 && value <= ceiling)) {
    const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
    throw new ImageConfigError(
      name,
      `${name} must be a whole number of ${unit} from 1 to ${ceiling} (default ${fallback}), got ${JSON.stringify(shown)}`,
    );
  }
  return value;
}
