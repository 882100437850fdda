/**
 * Label rules shared by the parsers. They reproduce HF's `^\s*(.*?)(?=<loc_|<poly>|…)` search:
 * after the leading whitespace, `.` cannot cross a newline (U+000A only), so a newline between a
 * label and its coordinates makes the search fail and the chunk is dropped.
 */
import type { TokenChunk } from './chunks.js';
import { skipPythonSpace, trimPython } from './whitespace.js';

const NEWLINE = '\n';

/**
 * The label of a chunk whose label text is `labelText`: the text trimmed, or undefined when it
 * holds a newline after its leading whitespace (the chunk is then dropped).
 */
export function labelFromText(labelText: string): string | undefined {
  if (labelText.includes(NEWLINE, skipPythonSpace(labelText))) return undefined;
  return trimPython(labelText);
}

/** Boxes with labels: the label text is everything before the chunk's first location token. */
export function boxChunkLabel(text: string, chunk: TokenChunk): string | undefined {
  return labelFromText(text.slice(chunk.textStart, chunk.runStart));
}

/**
 * The polygon label rule: drop one location token at the very start of the chunk, then take the
 * text before the first `<loc_` or `<poly>` of the rest (so `<loc_1><sep><loc_2>…` is labelled
 * `"<sep>"`). Undefined when nothing follows that could carry coordinates, or by the newline rule.
 */
export function polygonChunkLabel(text: string, chunk: TokenChunk): string | undefined {
  const { tokens } = chunk;
  const first = tokens[0];
  const startsWithLocation = first !== undefined && chunk.textStart === chunk.runStart && first.kind === 'loc';
  const firstKept = startsWithLocation ? 1 : 0;
  const labelStart = startsWithLocation ? first.end : chunk.textStart;
  for (let index = firstKept; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token.kind === 'loc' || token.kind === 'poly') return labelFromText(text.slice(labelStart, token.start));
  }
  return undefined;
}
