/**
 * GPT-2 / RoBERTa byte-level encoding: every byte maps to a printable character (space -> "Ġ"),
 * and text is pre-split with the GPT-2 pattern before BPE, exactly as the ByteLevel pre-tokenizer
 * with use_regex = true and add_prefix_space = false does.
 */

/** byte -> character, the `bytes_to_unicode` table of GPT-2. */
export const BYTE_TO_CHAR: readonly string[] = buildByteTable();

function buildByteTable(): string[] {
  const printable: number[] = [];
  const range = (from: string, to: string): void => {
    for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) printable.push(c);
  };
  range('!', '~');
  range('¡', '¬');
  range('®', 'ÿ');
  const table: string[] = new Array<string>(256);
  const printableSet = new Set(printable);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    // Bytes without a printable Latin-1 glyph are shifted past 255.
    table[b] = String.fromCharCode(printableSet.has(b) ? b : 256 + extra++);
  }
  return table;
}

const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

/** The GPT-2 pre-tokenization pattern. */
export const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** Text -> byte-level pieces (each a string of byte characters). */
export function preTokenize(text: string): string[] {
  const encoder = new TextEncoder();
  return (text.match(GPT2_SPLIT) ?? []).map((piece) => Array.from(encoder.encode(piece), (b) => BYTE_TO_CHAR[b] ?? '').join(''));
}

/** A byte-level token string -> the text it stands for (invalid UTF-8 replaced). */
export function decodeByteLevel(token: string): string {
  const bytes: number[] = [];
  for (const ch of token) {
    const b = CHAR_TO_BYTE.get(ch);
    if (b === undefined) return token;
    bytes.push(b);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Uint8Array.from(bytes));
}
