/**
 * Splitting a generation into chunks: the linear-time equivalent of Python's
 * `re.findall(r"[^<]*(?:TOKEN){4,}", text)`, where TOKEN is what a TokenReader reads.
 *
 * Why not the regular expression: at every start position it rescans the `[^<]*` text up to the
 * next `<`, which is quadratic on long text without markup (100 kB takes seconds). The scan below
 * reproduces findall's leftmost, greedy, non-overlapping matches exactly:
 * from scan position p, `[^<]*` can only end at the first `<` at or after p (call it q), because
 * the next item must start with `<`; the match succeeds when at least four tokens follow q
 * back to back, and then takes all of them. On failure findall retries at p+1, …, q, which all
 * reach the same q, so the next attempt that can differ starts at q+1, inside the failed markup
 * (which is why a label-less run after `<sep>` gets the label text `"sep>"`).
 */
import type { MarkupToken, TokenReader } from './tokens.js';

/** Fewest consecutive tokens that make a chunk (`{4,}`). */
export const MIN_RUN_TOKENS = 4;

export interface TokenChunk {
  /** Where the chunk's `[^<]*` text starts (the scan position). */
  readonly textStart: number;
  /** Where its tokens start: `text.slice(textStart, runStart)` is the label text. */
  readonly runStart: number;
  /** Just past its last token. */
  readonly end: number;
  /** The maximal run of consecutive tokens, at least MIN_RUN_TOKENS of them. */
  readonly tokens: readonly MarkupToken[];
}

export function findChunks(text: string, readToken: TokenReader): TokenChunk[] {
  const chunks: TokenChunk[] = [];
  let scanFrom = 0;
  for (;;) {
    const runStart = text.indexOf('<', scanFrom);
    if (runStart < 0) break;
    const tokens = readRun(text, runStart, readToken);
    if (tokens.length >= MIN_RUN_TOKENS) {
      const end = tokens[tokens.length - 1]!.end;
      chunks.push({ textStart: scanFrom, runStart, end, tokens });
      scanFrom = end;
    } else {
      scanFrom = runStart + 1;
    }
  }
  return chunks;
}

/** The tokens that follow each other without a gap from `start` on (possibly none). */
function readRun(text: string, start: number, readToken: TokenReader): MarkupToken[] {
  const tokens: MarkupToken[] = [];
  let position = start;
  for (let token = readToken(text, position); token !== undefined; token = readToken(text, position)) {
    tokens.push(token);
    position = token.end;
  }
  return tokens;
}
