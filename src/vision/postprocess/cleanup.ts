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

/**
 * Where each character of the cleaned text sits in the raw text (`raw[offsets[i]] === cleaned[i]`):
 * the removals of `cleanGeneration`, tracked, so that positions the parsers report in the cleaned
 * text lead back to the generated tokens that wrote them.
 */
export function cleanedToRawOffsets(raw: string): Int32Array {
  let text = raw;
  let offsets = Int32Array.from({ length: raw.length }, (_, index) => index);
  for (const marker of GENERATION_MARKERS) {
    const keptOffsets = new Int32Array(text.length);
    const keptText: string[] = [];
    let kept = 0;
    let from = 0;
    const keep = (end: number) => {
      keptOffsets.set(offsets.subarray(from, end), kept);
      keptText.push(text.slice(from, end));
      kept += end - from;
    };
    for (let at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + marker.length)) {
      keep(at);
      from = at + marker.length;
    }
    keep(text.length);
    text = keptText.join('');
    offsets = keptOffsets.slice(0, kept);
  }
  return offsets;
}
