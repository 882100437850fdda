/** `pure_text`: the cleaned generation, trimmed; everything else (even `<loc_N>` tokens) stays. */
import type { Generation } from './cleanup.js';
import type { Parsed } from './parsed.js';
import { trimPython } from './whitespace.js';

/** Location tokens kept in the text are not regions: a pure-text answer has none. */
export function parsePureText(generation: Generation): Parsed<string> {
  return { answer: trimPython(generation.cleaned), regions: [] };
}
