/**
 * `ocr` (`<OCR_WITH_REGION>`): the linear-time equivalent of Python's
 * `re.findall(r"([^\n]+?)(?:<loc_[0-9]+>){8}", text)`. Each line is the shortest non-empty,
 * newline-free text followed by exactly eight location tokens (the text may itself hold `<` and
 * location tokens); label = that text trimmed, quad = the eight coordinates. No area filter.
 *
 * Why not the regular expression: the lazy `[^\n]+?` retries every end position from every start,
 * quadratic on a long line. Instead: list every location token once, mark where eight of them
 * follow back to back ("octets"), and for a scan position p take the first octet starting after p;
 * a newline between p and that octet fails every start up to the newline, so the scan jumps past it.
 */
import type { Generation } from './cleanup.js';
import { binsToCoordinates } from './coordinates.js';
import type { ImageSize } from './imageSize.js';
import type { Parsed } from './parsed.js';
import type { OcrResult } from '../results.js';
import { trimPython } from './whitespace.js';
import { readLocationToken, type MarkupToken } from './tokens.js';

/** A quad is four (x, y) corners. */
const QUAD_TOKENS = 8;
const NEWLINE = '\n';

export function parseOcr(generation: Generation, size: ImageSize): Parsed<OcrResult> {
  const text = generation.cleaned;
  const tokens = allLocationTokens(text);
  const octetAt = nextOctetIndex(tokens);
  const answer: OcrResult = { quad_boxes: [], labels: [] };
  const regions: MarkupToken[][] = [];

  let scanFrom = 0;
  let tokenIndex = 0;
  let newlineAt = -1;
  while (scanFrom < text.length) {
    // The label needs at least one character, so the octet starts after scanFrom.
    while (tokenIndex < tokens.length && tokens[tokenIndex]!.start <= scanFrom) tokenIndex++;
    const octet = octetAt[tokenIndex];
    if (octet === undefined || octet < 0) break;
    // An index nextOctetIndex found in `tokens`, eight of them from there on.
    const octetStart = tokens[octet]!.start;
    if (newlineAt < scanFrom) newlineAt = indexOrEnd(text, NEWLINE, scanFrom);
    if (newlineAt < octetStart) {
      scanFrom = newlineAt + 1;
      continue;
    }
    const quadTokens = tokens.slice(octet, octet + QUAD_TOKENS);
    answer.labels.push(trimPython(text.slice(scanFrom, octetStart)));
    answer.quad_boxes.push(binsToCoordinates(quadTokens, size));
    regions.push(quadTokens);
    scanFrom = quadTokens[QUAD_TOKENS - 1]!.end;
  }
  return { answer, regions };
}

function allLocationTokens(text: string): MarkupToken[] {
  const tokens: MarkupToken[] = [];
  for (let at = text.indexOf('<'); at >= 0; at = text.indexOf('<', at + 1)) {
    const token = readLocationToken(text, at);
    if (token !== undefined) tokens.push(token);
  }
  return tokens;
}

/**
 * For each token index i, the first index j ≥ i at which QUAD_TOKENS tokens follow back to back,
 * or -1; one extra entry for "past the last token".
 */
function nextOctetIndex(tokens: readonly MarkupToken[]): number[] {
  const next = new Array<number>(tokens.length + 1).fill(-1);
  let runLength = 0;
  for (let index = tokens.length - 1; index >= 0; index--) {
    const adjacent = index + 1 < tokens.length && tokens[index]!.end === tokens[index + 1]!.start;
    runLength = adjacent ? runLength + 1 : 1;
    next[index] = runLength >= QUAD_TOKENS ? index : next[index + 1]!;
  }
  return next;
}

function indexOrEnd(text: string, search: string, from: number): number {
  const index = text.indexOf(search, from);
  return index < 0 ? text.length : index;
}
