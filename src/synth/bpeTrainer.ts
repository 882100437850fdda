/**
 * A minimal byte-pair-encoding trainer: counts adjacent symbol pairs over pre-tokenized words and
 * repeatedly merges the most frequent (ties broken by the pair's text, so the result is
 * deterministic). Used on a small embedded corpus to give the synthetic tokenizer merges that
 * behave like a real English BPE on the task prompts.
 */
import { preTokenize } from './byteLevel.js';

export interface Merge {
  readonly left: string;
  readonly right: string;
}

/** Stops when no pair occurs at least this often. */
const MIN_PAIR_COUNT = 2;

export function trainBpe(corpus: string, maxMerges: number): Merge[] {
  const wordCounts = new Map<string, number>();
  for (const piece of preTokenize(corpus)) wordCounts.set(piece, (wordCounts.get(piece) ?? 0) + 1);
  const words: { symbols: string[]; count: number }[] = [...wordCounts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([word, count]) => ({ symbols: [...word], count }));

  const merges: Merge[] = [];
  while (merges.length < maxMerges) {
    const pairCounts = new Map<string, number>();
    for (const { symbols, count } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = `${symbols[i]} ${symbols[i + 1]}`;
        pairCounts.set(key, (pairCounts.get(key) ?? 0) + count);
      }
    }
    let best: string | undefined;
    let bestCount = 0;
    for (const [key, count] of pairCounts) {
      if (count > bestCount || (count === bestCount && best !== undefined && key < best)) {
        best = key;
        bestCount = count;
      }
    }
    if (best === undefined || bestCount < MIN_PAIR_COUNT) break;
    const [left, right] = best.split(' ') as [string, string];
    merges.push({ left, right });
    for (const word of words) word.symbols = applyMerge(word.symbols, left, right);
  }
  return merges;
}

function applyMerge(symbols: string[], left: string, right: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (symbols[i] === left && symbols[i + 1] === right) {
      out.push(left + right);
      i++;
    } else {
      out.push(symbols[i] as string);
    }
  }
  return out;
}
