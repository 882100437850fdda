/**
 * Reading the markup tokens the parsers look for: location tokens `<loc_` + ASCII digits + `>`
 * (any number of digits, read as a decimal integer with no range limit: `<loc_1000>` is 1000,
 * `<loc_0005>` is 5) and the polygon markup `<sep>`, `<poly>`, `</poly>`. Every token starts with
 * `<` and holds no other `<`, so tokens never overlap and at most one starts at any position.
 */

export type MarkupKind = 'loc' | 'sep' | 'poly' | 'endPoly';

export interface MarkupToken {
  readonly kind: MarkupKind;
  /** Index of the token's `<`. */
  readonly start: number;
  /** Index just past the token's `>`. */
  readonly end: number;
  /** The location bin (only for `loc`; 0 otherwise). Beyond 2^53 it is the nearest double. */
  readonly bin: number;
}

/** Reads one token at `position`, or returns undefined when none starts there. */
export type TokenReader = (text: string, position: number) => MarkupToken | undefined;

const LOC_PREFIX = '<loc_';
const LOC_SUFFIX_CODE = 0x3e; // '>'
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

const POLYGON_MARKUP: readonly (readonly [string, MarkupKind])[] = [
  ['<sep>', 'sep'],
  ['<poly>', 'poly'],
  ['</poly>', 'endPoly'],
];

/** A location token at `position`, if one starts there. */
export const readLocationToken: TokenReader = (text, position) => {
  if (!text.startsWith(LOC_PREFIX, position)) return undefined;
  const digitsStart = position + LOC_PREFIX.length;
  let index = digitsStart;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code < DIGIT_0 || code > DIGIT_9) break;
    index++;
  }
  if (index === digitsStart || text.charCodeAt(index) !== LOC_SUFFIX_CODE) return undefined;
  return { kind: 'loc', start: position, end: index + 1, bin: Number(text.slice(digitsStart, index)) };
};

/** A location token or one of `<sep>`, `<poly>`, `</poly>` at `position`. */
export const readPolygonToken: TokenReader = (text, position) => {
  const location = readLocationToken(text, position);
  if (location !== undefined) return location;
  for (const [content, kind] of POLYGON_MARKUP) {
    if (text.startsWith(content, position)) return { kind, start: position, end: position + content.length, bin: 0 };
  }
  return undefined;
};
