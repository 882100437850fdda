/**
 * The wrapper every cached value is stored in. Its tag names the format and its version, so an entry
 * written by another format (an older gateway, another program sharing the Redis, garbage) reads as
 * "not ours" rather than as a value of the wrong shape. Bump the version when the stored shape of
 * values changes; old entries then become misses and are deleted on first read.
 */

/** Format and version of stored values. */
export const ENVELOPE_FORMAT = 'florence-cache@1';

export interface Envelope {
  readonly format: string;
  readonly value: unknown;
}

export function wrapValue(value: unknown): Envelope {
  return { format: ENVELOPE_FORMAT, value };
}

/** Why a stored entry was not accepted, for debug logs. */
export type RejectReason = 'not an envelope' | 'other envelope format';

/** The value inside a current envelope, or why there is none. */
export function openEnvelope(
  stored: unknown,
): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: RejectReason } {
  if (typeof stored !== 'object' || stored === null || !Object.hasOwn(stored, 'format') || !Object.hasOwn(stored, 'value')) {
    return { ok: false, reason: 'not an envelope' };
  }
  const { format, value } = stored as Envelope;
  return format === ENVELOPE_FORMAT ? { ok: true, value } : { ok: false, reason: 'other envelope format' };
}
