/** Common rule 1: the markers removed from every generation before it is parsed. */

/**
 * Removed in this order, each in one pass over the result of the previous one (so `"<<s>/s>"`
 * loses `<s>` first and then the `</s>` that appears), exactly like chained Python `replace` calls.
 */
const GENERATION_MARKERS = ['<s>', '</s>', '<pad>'] as const;

/** A generation as decoded (special tokens kept) and after cleanup; parsers read `cleaned`. */
export interface Generation {
  readonly raw: string;
  readonly cleaned: string;
}

export function cleanGeneration(raw: string): Generation {
  let cleaned = raw;
  for (const marker of GENERATION_MARKERS) cleaned = cleaned.replaceAll(marker, '');
  return { raw, cleaned };
}
