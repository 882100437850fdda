/**
 * Binary-safe (de)serialisation of keyv entries for stores that hold strings (Redis). node:v8's
 * structured-clone format keeps Float32Array, Uint8Array, Buffer, Map, Date and nested objects as
 * they were, and is much faster than JSON on large arrays (STACK.md trap 4). keyv only calls a
 * deserializer on strings and @redis/client returns strings, so the bytes travel as base64 behind a
 * short tag.
 *
 * Reading never throws: anything that is not a payload we wrote (garbage, another serializer's JSON,
 * a v8 format this Node cannot read) becomes an entry whose value is `UNREADABLE`, which the result
 * cache treats as a miss and deletes. v8.deserialize builds plain data only (no code runs), so a
 * hostile store can at worst hand us wrong values, which the callers' validators reject.
 */
import { deserialize as v8Deserialize, serialize as v8Serialize } from 'node:v8';
import type { DeserializedData } from 'keyv';

/** Tag in front of every payload: the encoding and its version; anything else is not ours. */
export const PAYLOAD_TAG = 'v8b64:';

/** The value of an entry that exists but could not be read back; never a real cached value. */
export const UNREADABLE: unique symbol = Symbol('florence.cache.unreadable');
export type Unreadable = typeof UNREADABLE;

/** A value v8 cannot serialise (a function, a class with private state, a symbol): a caller's bug. */
export class CacheSerializationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Encodes any structured-cloneable value as a tagged base64 string. Throws CacheSerializationError. */
export function encodePayload(value: unknown): string {
  let bytes: Buffer;
  try {
    bytes = v8Serialize(value);
  } catch (error) {
    throw new CacheSerializationError(
      `cache value is not serialisable (${(error as Error).message}); store plain data, typed arrays or Buffers`,
      { cause: error },
    );
  }
  return PAYLOAD_TAG + bytes.toString('base64');
}

/** Decodes what `encodePayload` wrote; anything else, or a corrupt payload, is `UNREADABLE`. */
export function decodePayload(payload: unknown): unknown {
  if (typeof payload !== 'string' || !payload.startsWith(PAYLOAD_TAG)) return UNREADABLE;
  try {
    return v8Deserialize(Buffer.from(payload.slice(PAYLOAD_TAG.length), 'base64'));
  } catch {
    return UNREADABLE;
  }
}

/** keyv `serialize` option: the whole `{ value, expires }` record as one payload. */
export function serializeEntry<Value>(data: DeserializedData<Value>): string {
  return encodePayload({ value: data.value, expires: data.expires });
}

/**
 * keyv `deserialize` option. Always returns a record (so keyv hands the value to the result cache,
 * which then deletes an unreadable entry) and never throws (keyv would pass the throw to callers).
 */
export function deserializeEntry<Value>(payload: string): DeserializedData<Value> {
  const decoded = decodePayload(payload);
  const record = isEntryRecord(decoded) ? decoded : { value: UNREADABLE, expires: undefined };
  // keyv types the deserializer as generic in what its caller expects; the bytes cannot promise
  // that, which is why the result cache validates every value it reads.
  return record as DeserializedData<Value>;
}

function isEntryRecord(value: unknown): value is { value: unknown; expires: number | undefined } {
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, 'value')) return false;
  const expires = (value as { expires?: unknown }).expires;
  return expires === undefined || (typeof expires === 'number' && Number.isFinite(expires));
}
