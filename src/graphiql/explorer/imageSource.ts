/**
 * Which picture the explorer shows for an answer: the one the query's variables name, else the one
 * the answer names.
 *
 * 1. `variables.base64` (plain or a `data:` URL): shown as it is, without a round trip.
 * 2. `variables.id`: the stored image, `GET /images/{id}`.
 * 3. Anything else (`variables.url`, a literal in the query): the image id in the answer, if the
 *    query asked for `id`; the gateway keeps what it fetched by URL, so `GET /images/{id}` has it.
 */
import { findResponseImage } from './shapes.js';

export type ImageSource =
  /** A `data:` URL to show directly. */
  | { readonly kind: 'inline'; readonly url: string }
  /** An image the gateway stores, by its content id. */
  | { readonly kind: 'stored'; readonly id: string }
  /** Nothing to show, and why, in words for the panel. */
  | { readonly kind: 'none'; readonly reason: string };

/** Leading base64 characters of each format's magic bytes, for a `data:` URL's media type. */
const BASE64_SIGNATURES: readonly (readonly [prefix: string, mediaType: string])[] = [
  ['/9j/', 'image/jpeg'],
  ['iVBORw0KGgo', 'image/png'],
  ['R0lGOD', 'image/gif'],
  ['UklGR', 'image/webp'],
  ['SUkq', 'image/tiff'],
  ['TU0AK', 'image/tiff'],
];
/** `data:image/…;base64,` (what a browser's FileReader or a canvas writes). */
const IMAGE_DATA_URL = /^data:image\/[\w.+-]+;base64,/i;

export function imageSourceOf(variables: unknown, response: unknown): ImageSource {
  const named = typeof variables === 'object' && variables !== null ? (variables as Record<string, unknown>) : {};
  const base64 = named['base64'];
  if (typeof base64 === 'string' && base64.trim() !== '') return { kind: 'inline', url: inlineUrl(base64) };
  const id = named['id'];
  if (typeof id === 'string' && id !== '') return { kind: 'stored', id };
  const answered = findResponseImage(response).id;
  if (answered !== undefined) return { kind: 'stored', id: answered };
  return {
    kind: 'none',
    reason:
      typeof named['url'] === 'string'
        ? 'The image came from a URL: add id to the image’s fields and run again to see it here.'
        : 'No image to show: set the id or base64 variable (drop, paste or pick a file above), or query the image’s id.',
  };
}

/** A base64 variable as something an <img> can show: a data: URL with the format's media type. */
export function inlineUrl(base64: string): string {
  const text = base64.trim();
  if (IMAGE_DATA_URL.test(text)) return text;
  const payload = text.startsWith('data:') ? text.slice(text.indexOf(',') + 1) : text;
  const compact = payload.replace(/\s+/g, '');
  const mediaType = BASE64_SIGNATURES.find(([prefix]) => compact.startsWith(prefix))?.[1] ?? 'application/octet-stream';
  return `data:${mediaType};base64,${compact}`;
}
