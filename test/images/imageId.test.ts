/** Image ids: sha256 of the bytes, and validation of ids users send back. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageIdOf, parseImageId } from '../../src/images/imageId.js';
import { TaskInputError } from '../../src/vision/errors.js';

const EMPTY_SHA256 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const ABC_SHA256 = 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

test('imageIdOf is sha256:<hex> of the bytes (FIPS 180-2 vectors)', () => {
  assert.equal(imageIdOf(new Uint8Array()), EMPTY_SHA256);
  assert.equal(imageIdOf(new TextEncoder().encode('abc')), ABC_SHA256);
});

test('imageIdOf depends only on the bytes, not on the view', () => {
  const backing = new Uint8Array([0, 0x61, 0x62, 0x63, 0]);
  assert.equal(imageIdOf(backing.subarray(1, 4)), ABC_SHA256);
  assert.equal(imageIdOf(Buffer.from('abc')), ABC_SHA256);
});

test('parseImageId returns a valid id unchanged, and round-trips imageIdOf', () => {
  assert.equal(parseImageId(ABC_SHA256), ABC_SHA256);
  const id = imageIdOf(Uint8Array.from([1, 2, 3]));
  assert.equal(parseImageId(id), id);
});

const INVALID: readonly (readonly [string, string])[] = [
  ['', '""'],
  [
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    '"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"',
  ],
  [ABC_SHA256.toUpperCase(), JSON.stringify(ABC_SHA256.toUpperCase())],
  [`sha256:${'A'.repeat(64)}`, JSON.stringify(`sha256:${'A'.repeat(64)}`)],
  [ABC_SHA256.slice(0, -1), JSON.stringify(ABC_SHA256.slice(0, -1))],
  [`${ABC_SHA256}0`, JSON.stringify(`${ABC_SHA256}0`)],
  [` ${ABC_SHA256}`, JSON.stringify(` ${ABC_SHA256}`)],
  [`${ABC_SHA256}\n`, JSON.stringify(`${ABC_SHA256}\n`)],
  [`md5:${'0'.repeat(32)}`, JSON.stringify(`md5:${'0'.repeat(32)}`)],
  [`sha256:${'g'.repeat(64)}`, JSON.stringify(`sha256:${'g'.repeat(64)}`)],
  ['x'.repeat(1000), JSON.stringify(`${'x'.repeat(80)}…`)],
];

for (const [text, shown] of INVALID) {
  test(`parseImageId refuses ${JSON.stringify(text.slice(0, 30))}${text.length > 30 ? '…' : ''}`, () => {
    assert.throws(
      () => parseImageId(text),
      (error: unknown) =>
        error instanceof TaskInputError &&
        error.code === 'BAD_INPUT' &&
        error.message === `expected an image id "sha256:" followed by 64 lowercase hex digits, got ${shown}`,
    );
  });
}
