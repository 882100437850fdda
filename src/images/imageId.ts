/**
 * Content ids of images: `sha256:` and the 64 lowercase hex digits of the SHA-256 of the bytes. The
 * same bytes get the same id wherever they came from (URL, base64, upload), so caches and uploads
 * share one key.
 */
import { createHash } from 'node:crypto';
import { TaskInputError } from '../vision/errors.js';

const IMAGE_ID_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** Longest piece of the user's text quoted back in a message. */
const MAX_ECHO_LENGTH = 80;

/** `sha256:<64 hex>` of `bytes`. */
export function imageIdOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** `text` if it is an image id; TaskInputError saying what an id looks like otherwise. */
export function parseImageId(text: string): string {
  if (IMAGE_ID_PATTERN.test(text)) return text;
  const shown = text.length > MAX_ECHO_LENGTH ? `${text.slice(0, MAX_ECHO_LENGTH)}…` : text;
  throw new TaskInputError(`expected an image id "sha256:" followed by 64 lowercase hex digits, got ${JSON.stringify(shown)}`);
}
