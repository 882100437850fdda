/** `pure_text`: the cleaned generation, trimmed; everything else (even `<loc_N>` tokens) stays. */
import type { Generation } from './cleanup.js';
import { trimPython } from './whitespace.js';

export function parsePureText(generation: Generation): string {
  return trimPython(generation.cleaned);
}
