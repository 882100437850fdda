/**
 * Florence-2's special and added tokens with their real ids (INTERFACE.md §7.2). Shared by the
 * tokenizer synthesis and the bias steering, which must agree on which id is `<loc_k>` or `<poly>`.
 */

export const BOS_ID = 0;
export const PAD_ID = 1;
export const EOS_ID = 2;
export const UNK_ID = 3;
export const MASK_ID = 50264;
/** BPE vocabulary entries: ids 0 … 50264. */
export const BASE_VOCAB_SIZE = 50265;
/** First id after the five BART specials and the byte-level pieces of the base vocabulary. */
export const FIRST_ORDINARY_ID = 4;
export const LAST_ORDINARY_ID = MASK_ID - 1;

export const LOC_COUNT = 1000;
export const FIRST_ADDED_ID = 50265;

/** Added tokens 50265 … 51288 in id order: task markers, 1000 locations, structure tokens. */
export const ADDED_TOKENS: readonly string[] = [
  '<od>',
  '</od>',
  '<ocr>',
  '</ocr>',
  ...Array.from({ length: LOC_COUNT }, (_, k) => `<loc_${k}>`),
  '<cap>',
  '</cap>',
  '<ncap>',
  '</ncap>',
  '<dcap>',
  '</dcap>',
  '<grounding>',
  '</grounding>',
  '<seg>',
  '</seg>',
  '<sep>',
  '<region_cap>',
  '</region_cap>',
  // Misspelled in the real tokenizer; the id matters, so the spelling is kept.
  '<region_to_desciption>',
  '</region_to_desciption>',
  '<proposal>',
  '</proposal>',
  '<poly>',
  '</poly>',
  '<and>',
];

export const LOC_FIRST_ID = FIRST_ADDED_ID + 4;

export function locId(k: number): number {
  return LOC_FIRST_ID + k;
}

export function addedTokenId(content: string): number {
  const index = ADDED_TOKENS.indexOf(content);
  if (index < 0) throw new Error(`unknown added token ${content}`);
  return FIRST_ADDED_ID + index;
}

export const SEP_ID = addedTokenId('<sep>');
export const POLY_ID = addedTokenId('<poly>');
export const POLY_END_ID = addedTokenId('</poly>');

/** The five BART specials of the base vocabulary. */
export const BART_SPECIALS: readonly { readonly id: number; readonly content: string }[] = [
  { id: BOS_ID, content: '<s>' },
  { id: PAD_ID, content: '<pad>' },
  { id: EOS_ID, content: '</s>' },
  { id: UNK_ID, content: '<unk>' },
  { id: MASK_ID, content: '<mask>' },
];
