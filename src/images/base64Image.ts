/**
 * Decodes an image sent inline as base64: plain (standard `+/` or URL-safe `-_` alphabet, padding
 * optional, whitespace ignored) or a `data:image/…;base64,` URL. The size is judged from the text's
 * length before anything is decoded or copied, so an oversized payload costs one scan. The bytes are not
 * trusted as an image: the caller sniffs them with sharp.
 */
import { formatByteLimit } from '../shared/bytes.js';
import { ImageTooLargeError, TaskInputError } from '../vision/errors.js';

/** Longest piece of the user's text quoted back in a message. */
const MAX_ECHO_LENGTH = 40;

const EXPECTED = 'expected base64 (standard or URL-safe alphabet) or a data:image/…;base64, URL';

/** Image bytes from base64 `text`; TaskInputError when it is not base64, ImageTooLargeError over `maxBytes`. */
export function decodeBase64Image(text: string, maxBytes: number): Uint8Array {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1)
    throw new RangeError(`decodeBase64Image: maxBytes must be a positive integer, got ${maxBytes}`);
  const payload = stripDataUrl(text.trim());
  const decodedLength = Math.floor((countDataCharacters(payload) * 3) / 4);
  if (decodedLength > maxBytes) {
    throw new ImageTooLargeError(`the base64 image holds ${decodedLength} bytes; the limit is ${formatByteLimit(maxBytes)}`);
  }
  const invalid = /[^A-Za-z0-9+/\-_=\t\n\f\r ]/.exec(payload);
  if (invalid !== null) {
    throw new TaskInputError(
      `the base64 image has an invalid character ${JSON.stringify(invalid[0])} at position ${invalid.index}; ${EXPECTED}`,
    );
  }
  const encoded = payload.replace(/[\t\n\f\r ]+/g, '');
  if (encoded === '') throw new TaskInputError(`the base64 image is empty; ${EXPECTED}`);
  checkShape(encoded);
  return Buffer.from(encoded, 'base64');
}

/**
 * Base64 characters in `payload`, not counting whitespace and padding: what the decoded size
 * follows from. Counted by a regex scan, which neither copies an oversized payload nor walks it
 * character by character in JavaScript (a 2 MB image took ~20 ms that way, on every request).
 */
function countDataCharacters(payload: string): number {
  let skipped = 0;
  NOT_DATA.lastIndex = 0;
  while (NOT_DATA.exec(payload) !== null) skipped++;
  return payload.length - skipped;
}

/** Whitespace and padding: the characters of a base64 text that carry no data. */
const NOT_DATA = /[\t\n\f\r =]/g;

/** The payload of a `data:image/<type>[;params];base64,` URL, or `text` unchanged if it is not one. */
function stripDataUrl(text: string): string {
  if (!/^data:/i.test(text)) return text;
  const comma = text.indexOf(',');
  const header = comma === -1 ? text : text.slice(0, comma);
  const params = header
    .slice('data:'.length)
    .split(';')
    .map((part) => part.trim().toLowerCase());
  const mediaType = params[0] ?? '';
  if (comma === -1 || !/^image\/[a-z0-9.+-]+$/.test(mediaType) || params[params.length - 1] !== 'base64') {
    throw new TaskInputError(`the image data URL must look like data:image/png;base64,…; got ${echo(header)}`);
  }
  return text.slice(comma + 1);
}

function checkShape(encoded: string): void {
  const withoutPadding = encoded.replace(/={1,2}$/, '');
  if (withoutPadding.includes('=')) {
    throw new TaskInputError(`the base64 image has padding ("=") before its end; ${EXPECTED}`);
  }
  if (/[+/]/.test(withoutPadding) && /[-_]/.test(withoutPadding)) {
    throw new TaskInputError(`the base64 image mixes the standard (+/) and URL-safe (-_) alphabets; ${EXPECTED}`);
  }
  // Four characters carry three bytes; a lone trailing character carries none, so the text was cut.
  if (withoutPadding.length % 4 === 1) {
    throw new TaskInputError(
      `the base64 image has ${withoutPadding.length} characters, a length no base64 encoding produces (truncated?); ${EXPECTED}`,
    );
  }
  if (encoded.length !== withoutPadding.length && encoded.length % 4 !== 0) {
    throw new TaskInputError(`the base64 image has padding ("=") but ${encoded.length} characters, not a multiple of 4; ${EXPECTED}`);
  }
}

function echo(text: string): string {
  return JSON.stringify(text.length > MAX_ECHO_LENGTH ? `${text.slice(0, MAX_ECHO_LENGTH)}…` : text);
}
