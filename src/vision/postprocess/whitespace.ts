/**
 * Whitespace as Python's `str.isspace()` (and `re`'s `\s`) define it, because the gateway's trimming
 * rules come from Python implementations. JavaScript's `trim()` differs: it keeps U+001C–U+001F and
 * U+0085 and strips U+FEFF.
 */

/** Code points for which Python's `str.isspace()` is true (all in the BMP, so one UTF-16 unit each). */
const PYTHON_WHITESPACE: ReadonlySet<number> = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
  0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

export function isPythonSpace(codeUnit: number): boolean {
  return PYTHON_WHITESPACE.has(codeUnit);
}

/** Index of the first non-whitespace character at or after `from` (`text.length` if none). */
export function skipPythonSpace(text: string, from = 0): number {
  let index = from;
  while (index < text.length && isPythonSpace(text.charCodeAt(index))) index++;
  return index;
}

/** Python's `str.strip()` with no arguments. */
export function trimPython(text: string): string {
  const start = skipPythonSpace(text);
  let end = text.length;
  while (end > start && isPythonSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}
