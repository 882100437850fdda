/**
 * A synthetic Florence-2 tokenizer.json: the real file's structure (byte-level BPE, RobertaProcessing,
 * ByteLevel decoder, 1029 added tokens with the real ids) over an invented vocabulary, because the
 * real vocabulary must not be committed. Ids 4…259 are the 256 byte symbols, then come merges learned
 * from a small embedded English corpus (the task prompts and some prose), then deterministic filler
 * merges that build pronounceable pseudo-words ("karo", "Ġtimenu") until the base vocabulary has
 * exactly 50265 entries. BPE is lossless, so any text round-trips.
 */
import { TASKS } from '../vision/tasks.js';
import { BYTE_TO_CHAR } from './byteLevel.js';
import { trainBpe } from './bpeTrainer.js';
import type { Merge } from './bpeTrainer.js';
import {
  ADDED_TOKENS,
  BART_SPECIALS,
  BASE_VOCAB_SIZE,
  EOS_ID,
  FIRST_ADDED_ID,
  FIRST_ORDINARY_ID,
  BOS_ID,
  LAST_ORDINARY_ID,
  MASK_ID,
} from './tokenIds.js';

export interface AddedToken {
  readonly id: number;
  readonly content: string;
  readonly single_word: boolean;
  readonly lstrip: boolean;
  readonly rstrip: boolean;
  readonly normalized: boolean;
  readonly special: boolean;
}

/** The parts of tokenizer.json this project reads or writes. */
export interface TokenizerJson {
  readonly version: string;
  readonly truncation: null;
  readonly padding: null;
  readonly added_tokens: readonly AddedToken[];
  readonly normalizer: null;
  readonly pre_tokenizer: Readonly<Record<string, unknown>>;
  readonly post_processor: Readonly<Record<string, unknown>>;
  readonly decoder: Readonly<Record<string, unknown>>;
  readonly model: {
    readonly type: 'BPE';
    readonly dropout: null;
    readonly unk_token: null;
    readonly continuing_subword_prefix: string;
    readonly end_of_word_suffix: string;
    readonly fuse_unk: boolean;
    readonly byte_fallback: boolean;
    readonly ignore_merges: boolean;
    readonly vocab: Readonly<Record<string, number>>;
    readonly merges: readonly string[];
  };
}

/** Added-token entries 0-3, 50264 (BART specials) and 50265…51288 (Florence tokens). */
export function addedTokens(): AddedToken[] {
  const entry = (id: number, content: string, normalized: boolean, lstrip = false): AddedToken => ({
    id,
    content,
    single_word: false,
    lstrip,
    rstrip: false,
    normalized,
    special: true,
  });
  return [
    ...BART_SPECIALS.map((s) => entry(s.id, s.content, true, s.id === MASK_ID)),
    ...ADDED_TOKENS.map((content, i) => entry(FIRST_ADDED_ID + i, content, false)),
  ];
}

/** Plain English for the trainer: the task prompts plus prose in the captioning register. */
const CORPUS_PROSE = [
  'A green car parked in front of a yellow building.',
  'The image shows a person riding a bicycle down a quiet street next to a row of trees.',
  'There is a dog sitting on the grass in the park, and a child is playing with a red ball.',
  'Two people are standing on the beach near the water while the sun sets behind them.',
  'The text on the sign says open every day from nine in the morning to six in the evening.',
  'A table with plates of food, glasses of water and a bowl of fruit in the middle of the room.',
  'The building has large windows, a wooden door and a small garden with flowers in front of it.',
  'Locate the car, the wheels, the door handle and the window in the picture.',
  'What is the color of the bus? The bus is blue and white with a number on the front.',
  'A cat is sleeping on a chair beside the window while the light comes in from the street.',
].join(' ');

function corpus(): string {
  const prompts = TASKS.map((t) => t.prompt.replace('{input}', 'a green car'));
  return `${prompts.join(' ')} ${CORPUS_PROSE}`;
}

/** How many merges the corpus may contribute; the rest of the vocabulary is filler. */
const MAX_LEARNED_MERGES = 2000;
const CONSONANTS = 'bcdfghjklmnprstvwyz';
const VOWELS = 'aeiou';
/** Coprime with 95³ (95 = 5·19), so i·stride mod 95³ visits every three-syllable word once. */
const TRIPLE_STRIDE = 7919;
const SPACE = BYTE_TO_CHAR[' '.charCodeAt(0)] ?? 'Ġ';

/** Pseudo-word merges in a fixed order: syllables, then two- and three-syllable words. */
function* fillerMerges(): Generator<Merge> {
  const syllables: [string, string][] = [];
  for (const c of CONSONANTS) for (const v of VOWELS) syllables.push([c, v]);
  const lower = syllables.map(([c, v]) => c + v);
  const capital = syllables.map(([c, v]) => c.toUpperCase() + v);
  for (const [c, v] of syllables) yield { left: c, right: v };
  for (const [c, v] of syllables) yield { left: c.toUpperCase(), right: v };
  for (const s of [...lower, ...capital]) yield { left: SPACE, right: s };
  for (const first of [...lower, ...capital]) {
    for (const second of lower) {
      yield { left: first, right: second };
      yield { left: SPACE + first, right: second };
    }
  }
  // Three-syllable words in a scrambled but fixed order, so no prefix dominates the vocabulary.
  const n = lower.length;
  const triples = n * n * n;
  for (let i = 0; i < triples; i++) {
    const j = (i * TRIPLE_STRIDE) % triples;
    const stem = (lower[Math.floor(j / (n * n))] ?? '') + (lower[Math.floor(j / n) % n] ?? '');
    const last = lower[j % n] ?? '';
    yield { left: stem, right: last };
    yield { left: SPACE + stem, right: last };
  }
}

export function synthesizeTokenizer(): TokenizerJson {
  const vocab = new Map<string, number>();
  for (const s of BART_SPECIALS) if (s.id !== MASK_ID) vocab.set(s.content, s.id);
  BYTE_TO_CHAR.forEach((ch, b) => vocab.set(ch, FIRST_ORDINARY_ID + b));
  const merges: string[] = [];
  const add = (m: Merge): void => {
    const token = m.left + m.right;
    if (vocab.size > LAST_ORDINARY_ID || vocab.has(token) || !vocab.has(m.left) || !vocab.has(m.right)) return;
    vocab.set(token, vocab.size);
    merges.push(`${m.left} ${m.right}`);
  };
  for (const m of trainBpe(corpus(), MAX_LEARNED_MERGES)) add(m);
  for (const m of fillerMerges()) {
    if (vocab.size > LAST_ORDINARY_ID) break;
    add(m);
  }
  vocab.set('<mask>', MASK_ID);
  if (vocab.size !== BASE_VOCAB_SIZE) throw new Error(`synthetic vocabulary has ${vocab.size} entries, expected ${BASE_VOCAB_SIZE}`);

  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens(),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', EOS_ID], cls: ['<s>', BOS_ID], trim_offsets: true, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges,
    },
  };
}

/** A word piece the bias may pick: optional leading space, then two or more ASCII letters. */
const WORD_TOKEN = new RegExp(`^${SPACE}?[A-Za-z]{2,}$`);

/**
 * Ids 4…50263 of `vocab` that are plain words, so steered labels are readable; falls back to every
 * ordinary id for an unusual vocabulary.
 */
export function wordTokenIds(vocab: Readonly<Record<string, number>>): number[] {
  const ids: number[] = [];
  for (const [token, id] of Object.entries(vocab)) {
    if (id >= FIRST_ORDINARY_ID && id <= LAST_ORDINARY_ID && WORD_TOKEN.test(token)) ids.push(id);
  }
  if (ids.length >= 100) return ids.sort((a, b) => a - b);
  return Array.from({ length: LAST_ORDINARY_ID - FIRST_ORDINARY_ID + 1 }, (_, i) => FIRST_ORDINARY_ID + i);
}

/** Reads the vocabulary of a tokenizer.json text (the synthetic one or a given file). */
export function vocabOf(tokenizerText: string): Record<string, number> {
  const parsed: unknown = JSON.parse(tokenizerText);
  const vocab = (parsed as { model?: { vocab?: unknown } }).model?.vocab;
  if (typeof vocab !== 'object' || vocab === null) throw new Error('tokenizer.json has no model.vocab');
  return vocab as Record<string, number>;
}
