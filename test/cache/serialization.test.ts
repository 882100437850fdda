/**
 * The binary serializer Redis entries travel in: typed arrays and nested data round-trip exactly,
 * and no payload, however broken, makes reading throw.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { serialize as v8Serialize } from 'node:v8';
import { Keyv } from 'keyv';
import { MemoryStore } from '../../src/cache/memoryStore.js';
import {
  CacheSerializationError,
  PAYLOAD_TAG,
  UNREADABLE,
  decodePayload,
  deserializeEntry,
  encodePayload,
  serializeEntry,
} from '../../src/cache/serialization.js';

describe('round trips', () => {
  const cases: ReadonlyArray<readonly [string, unknown]> = [
    ['string', 'a caption with ünïcödé and emoji 🐈'],
    ['nested object', { bboxes: [[1.5, 2, 3, 4]], labels: ['cat'], meta: { beams: 3, done: true, none: null } }],
    ['Float32Array', Float32Array.from([0, -0, 1.5, Number.MIN_VALUE, 3.4e38, Number.NaN])],
    ['Uint8Array', Uint8Array.from([0, 1, 127, 128, 255])],
    ['Buffer', Buffer.from('89504e470d0a1a0a', 'hex')],
    ['typed arrays inside objects', { features: new Float32Array([1, 2, 3]), pixels: new Uint8Array([9, 8]) }],
  ];
  for (const [name, value] of cases) {
    test(name, () => {
      const back = decodePayload(encodePayload(value));
      assert.deepEqual(back, value);
      if (ArrayBuffer.isView(value)) assert.equal((back as object).constructor, value.constructor);
    });
  }

  test('a view of a larger buffer stores only its own bytes', () => {
    const big = new Float32Array(10_000);
    big.set([7, 8, 9], 5_000);
    const view = big.subarray(5_000, 5_003);
    const payload = encodePayload(view);
    assert.ok(payload.length < 200, `payload is ${payload.length} characters`);
    assert.deepEqual(decodePayload(payload), Float32Array.from([7, 8, 9]));
  });

  test('serializeEntry/deserializeEntry keep keyv records, expiry included', () => {
    const record = { value: { text: 'hi', features: new Float32Array([1.25]) }, expires: 1_700_000_000_000 };
    assert.deepEqual(deserializeEntry(serializeEntry(record)), record);
    assert.deepEqual(deserializeEntry(serializeEntry({ value: 'x', expires: undefined })), { value: 'x', expires: undefined });
  });

  test('keyv with the serializer over a string store round-trips Float32Array', async () => {
    const keyv = new Keyv({
      store: new MemoryStore({ maxBytes: 1_000_000, maxEntries: 10 }),
      serialize: serializeEntry,
      deserialize: deserializeEntry,
      throwOnErrors: true,
    });
    await keyv.set('f', { features: new Float32Array([0.1, 0.2]) });
    const back = (await keyv.get('f')) as { features: Float32Array };
    assert.ok(back.features instanceof Float32Array);
    assert.deepEqual(back.features, new Float32Array([0.1, 0.2]));
  });
});

describe('corrupt payloads are UNREADABLE, never thrown', () => {
  const tagged = (bytes: Uint8Array) => PAYLOAD_TAG + Buffer.from(bytes).toString('base64');
  const valid = encodePayload({ value: { a: [1, 2, 3], b: 'text' }, expires: undefined });
  const cases: ReadonlyArray<readonly [string, unknown]> = [
    ['empty string', ''],
    ['plain text', 'hello'],
    ["keyv's default JSON", '{"value":{"a":1},"expires":null}'],
    ['tag with invalid base64', `${PAYLOAD_TAG}!!!!`],
    ['tag with nothing', PAYLOAD_TAG],
    ['truncated payload', valid.slice(0, valid.length - 12)],
    ['random bytes behind the tag', tagged(randomBytes(64))],
    ['a v8 header and junk', tagged(Uint8Array.from([0xff, 0x0f, 0x6f, 0x22, 0xff, 0xff, 0xff, 0xff, 0x0f]))],
    ['a Buffer instead of a string', Buffer.from(valid)],
    ['undefined', undefined],
  ];
  for (const [name, payload] of cases) {
    test(name, () => {
      assert.equal(decodePayload(payload), UNREADABLE);
      if (typeof payload === 'string') assert.deepEqual(deserializeEntry(payload), { value: UNREADABLE, expires: undefined });
    });
  }

  test('readable v8 data that is not a keyv record is an unreadable entry', () => {
    for (const value of [42, 'text', null, [1, 2], { expires: 5 }, { value: 1, expires: 'tomorrow' }]) {
      assert.deepEqual(deserializeEntry(PAYLOAD_TAG + v8Serialize(value).toString('base64')).value, UNREADABLE, JSON.stringify(value));
    }
  });

  test('a thousand random payloads never throw', () => {
    for (let i = 0; i < 1_000; i++) {
      const bytes = randomBytes(1 + (i % 97));
      if (i % 2 === 0) bytes[0] = 0xff; // a v8 version header, to get past the first check
      assert.doesNotThrow(() => deserializeEntry(tagged(bytes)));
    }
  });
});

test('an unserialisable value fails with CacheSerializationError naming the problem', () => {
  assert.throws(
    () => encodePayload({ callback: () => 1 }),
    (error: unknown) => {
      assert.ok(error instanceof CacheSerializationError);
      assert.match(error.message, /^cache value is not serialisable \(.+\); store plain data, typed arrays or Buffers$/);
      return true;
    },
  );
});
