/**
 * A cheap estimate of how many bytes a cached value keeps alive, for byte-bounded LRU eviction.
 * It is an estimate (V8 does not expose real sizes), tuned to over- rather than under-count, and
 * exact where it matters most: binary payloads (uploads, feature tensors) count their real bytes.
 */

/** Header of a V8 heap object (map pointer, properties, elements), rounded up. */
const OBJECT_OVERHEAD_BYTES = 32;
/** One tagged pointer per property or array element. */
const SLOT_BYTES = 8;
/** V8 stores a string in one or two bytes per char; count two so non-Latin text is not undercounted. */
const STRING_BYTES_PER_CHAR = 2;
/** A heap number or a bigint of ordinary size. */
const NUMBER_BYTES = 8;

/**
 * Estimated bytes retained by `value`. Typed arrays and Buffers count the whole ArrayBuffer behind
 * them, once per distinct buffer: a small view of a huge buffer keeps all of it alive, while many
 * views of one buffer keep it alive only once. Cycles are counted once.
 */
export function estimateBytes(value: unknown): number {
  const seen = new WeakSet<object>();
  const pending: unknown[] = [value];
  let total = 0;
  while (pending.length > 0) {
    const item = pending.pop();
    switch (typeof item) {
      case 'string':
        total += OBJECT_OVERHEAD_BYTES / 2 + item.length * STRING_BYTES_PER_CHAR;
        continue;
      case 'number':
      case 'bigint':
        total += NUMBER_BYTES;
        continue;
      case 'boolean':
      case 'undefined':
      case 'symbol':
      case 'function':
        total += SLOT_BYTES;
        continue;
      case 'object':
        break;
    }
    if (item === null || typeof item !== 'object') {
      total += SLOT_BYTES;
      continue;
    }
    if (seen.has(item)) continue;
    seen.add(item);
    total += OBJECT_OVERHEAD_BYTES;
    if (ArrayBuffer.isView(item)) {
      pending.push(item.buffer);
    } else if (item instanceof ArrayBuffer || isSharedArrayBuffer(item)) {
      total += item.byteLength;
    } else if (Array.isArray(item)) {
      total += item.length * SLOT_BYTES;
      for (const element of item) pending.push(element);
    } else if (item instanceof Map) {
      total += item.size * 2 * SLOT_BYTES;
      for (const [key, entry] of item) pending.push(key, entry);
    } else if (item instanceof Set) {
      total += item.size * SLOT_BYTES;
      for (const entry of item) pending.push(entry);
    } else {
      for (const key of Object.keys(item)) {
        total += SLOT_BYTES + key.length * STRING_BYTES_PER_CHAR;
        pending.push((item as Record<string, unknown>)[key]);
      }
    }
  }
  return Math.ceil(total);
}

function isSharedArrayBuffer(value: object): value is SharedArrayBuffer {
  return typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer;
}
