/** decodeBase64Image: accepted spellings, refusals with what was expected, size judged before decoding. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBase64Image } from '../../src/images/base64Image.js';
import { ImageTooLargeError, TaskInputError } from '../../src/vision/errors.js';

/** Bytes whose base64 uses + and / (standard) or - and _ (URL-safe), and needs padding. */
const BYTES = Uint8Array.from([0xfb, 0xff, 0xbf, 0x00, 0x10, 0x83, 0x61]);
const STANDARD = Buffer.from(BYTES).toString('base64'); // "+/+/ABCDYQ=="
const URL_SAFE = Buffer.from(BYTES).toString('base64url'); // "-_-_ABCDYQ"

const VALID: readonly (readonly [string, string])[] = [
  ['standard with padding', STANDARD],
  ['standard without padding', STANDARD.replace(/=+$/, '')],
  ['URL-safe without padding', URL_SAFE],
  ['URL-safe with padding', `${URL_SAFE}==`],
  ['wrapped lines and surrounding whitespace', `  ${STANDARD.slice(0, 4)}\r\n${STANDARD.slice(4, 8)}\n\t${STANDARD.slice(8)} \n`],
  ['a data URL', `data:image/png;base64,${STANDARD}`],
  ['a data URL with parameters and upper case', `DATA:Image/JPEG;name=photo.jpg;BASE64,${STANDARD}`],
  ['a data URL with a URL-safe payload', `data:image/webp;base64,${URL_SAFE}`],
  ['a data URL with an SVG+XML-style subtype (sniffing decides later)', `data:image/svg+xml;base64,${STANDARD}`],
];

for (const [name, text] of VALID) {
  test(`decodes ${name}`, () => {
    assert.deepEqual(Buffer.from(decodeBase64Image(text, 100)), Buffer.from(BYTES));
  });
}

test('decodes every length remainder (0, 2 and 3 trailing characters)', () => {
  for (let length = 1; length <= 9; length++) {
    const bytes = Buffer.from(Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff));
    assert.deepEqual(Buffer.from(decodeBase64Image(bytes.toString('base64'), 100)), bytes, `length ${length}`);
    assert.deepEqual(Buffer.from(decodeBase64Image(bytes.toString('base64url'), 100)), bytes, `length ${length} url-safe`);
  }
});

const EXPECTED = 'expected base64 (standard or URL-safe alphabet) or a data:image/…;base64, URL';

const INVALID: readonly (readonly [string, string, string])[] = [
  ['empty', '', `the base64 image is empty; ${EXPECTED}`],
  ['only whitespace', ' \n\t ', `the base64 image is empty; ${EXPECTED}`],
  ['an invalid character', 'AAAA!AAA', `the base64 image has an invalid character "!" at position 4; ${EXPECTED}`],
  ['a URL instead of base64', 'https://example.com/a.png', `the base64 image has an invalid character ":" at position 5; ${EXPECTED}`],
  ['non-ASCII', 'AAAAé', `the base64 image has an invalid character "é" at position 4; ${EXPECTED}`],
  ['padding in the middle', 'AA==AAAA', `the base64 image has padding ("=") before its end; ${EXPECTED}`],
  ['three padding characters', 'AA===', `the base64 image has padding ("=") before its end; ${EXPECTED}`],
  ['padding with a wrong length', 'AAAAAA=', `the base64 image has padding ("=") but 7 characters, not a multiple of 4; ${EXPECTED}`],
  ['a truncated length', 'AAAAA', `the base64 image has 5 characters, a length no base64 encoding produces (truncated?); ${EXPECTED}`],
  ['mixed alphabets', 'ab+c-d/e', `the base64 image mixes the standard (+/) and URL-safe (-_) alphabets; ${EXPECTED}`],
  [
    'a non-image data URL',
    'data:text/plain;base64,AAAA',
    'the image data URL must look like data:image/png;base64,…; got "data:text/plain;base64"',
  ],
  ['a data URL without ;base64', 'data:image/png,AAAA', 'the image data URL must look like data:image/png;base64,…; got "data:image/png"'],
  [
    'a data URL without a comma',
    'data:image/png;base64',
    'the image data URL must look like data:image/png;base64,…; got "data:image/png;base64"',
  ],
  ['a data URL with no media type', 'data:;base64,AAAA', 'the image data URL must look like data:image/png;base64,…; got "data:;base64"'],
  [
    'a data URL with a long header',
    `data:text/${'x'.repeat(100)};base64,AAAA`,
    `the image data URL must look like data:image/png;base64,…; got "data:text/${'x'.repeat(30)}…"`,
  ],
];

for (const [name, text, message] of INVALID) {
  test(`refuses ${name} with BAD_INPUT`, () => {
    assert.throws(
      () => decodeBase64Image(text, 100),
      (error: unknown) => error instanceof TaskInputError && error.code === 'BAD_INPUT' && error.message === message,
    );
  });
}

test('the byte limit is exact: at the limit decodes, one over is refused', () => {
  const bytes = Buffer.alloc(30, 7);
  assert.equal(decodeBase64Image(bytes.toString('base64'), 30).length, 30);
  assert.throws(() => decodeBase64Image(bytes.toString('base64'), 29), {
    name: 'ImageTooLargeError',
    message: 'the base64 image holds 30 bytes; the limit is 29 bytes',
  });
  // Whitespace and padding do not count towards the size.
  assert.equal(decodeBase64Image(`${Buffer.alloc(29, 7).toString('base64')}\n`.repeat(1), 29).length, 29);
});

test('the size is judged from the text before it is checked or decoded', () => {
  // 30 MB of invalid characters: refused as too large, so the size check ran before the alphabet
  // check and the decoder (either would have answered BAD_INPUT).
  const huge = '!'.repeat(30_000_000);
  assert.throws(
    () => decodeBase64Image(huge, 20_000_000),
    (error: unknown) =>
      error instanceof ImageTooLargeError &&
      error.code === 'IMAGE_TOO_LARGE' &&
      error.message === 'the base64 image holds 22500000 bytes; the limit is 20 MB',
  );
});

test('the limit applies to a data URL payload too', () => {
  assert.throws(() => decodeBase64Image(`data:image/png;base64,${'A'.repeat(400)}`, 100), {
    name: 'ImageTooLargeError',
    message: 'the base64 image holds 300 bytes; the limit is 100 bytes',
  });
});

test('maxBytes must be a positive integer', () => {
  assert.throws(() => decodeBase64Image('AAAA', 0), {
    name: 'RangeError',
    message: 'decodeBase64Image: maxBytes must be a positive integer, got 0',
  });
});
