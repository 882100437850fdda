/**
 * The Florence-2 tokenizer: BART byte-level BPE plus 1024 added tokens (INTERFACE.md §7), through
 * `@huggingface/tokenizers`. Prompts are wrapped in `<s> … </s>` by id here, as HF's Florence-2
 * processor does (it adds the strings and tokenizes with add_special_tokens off), so the result
 * does not depend on the file's post-processor. Decoding keeps special tokens, because the
 * `<loc_N>`, `<poly>` and `<sep>` tokens carry the answer.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { ModelFilesError, TaskInputError } from './errors.js';

/** Ids of the tokens the runtime relies on (INTERFACE.md §7.2). */
export const BOS_ID = 0;
export const PAD_ID = 1;
export const EOS_ID = 2;

/** Token → id facts a Florence-2 tokenizer.json must satisfy. */
const REQUIRED_IDS: readonly (readonly [string, number])[] = [
  ['<s>', BOS_ID],
  ['<pad>', PAD_ID],
  ['</s>', EOS_ID],
  ['<loc_0>', 50269],
  ['<loc_999>', 51268],
  ['<sep>', 51279],
  ['<poly>', 51286],
  ['</poly>', 51287],
];
/** The last location token: its absence means the file lacks Florence-2's added tokens altogether. */
const LAST_LOCATION_TOKEN = '<loc_999>';
const FIRST_ADDED_ID = 50265;
const LAST_ADDED_ID = 51288;

/** Right-padded prompt ids for one batched encoder call. */
export interface EncodedBatch {
  /** One row per prompt, padded on the right with PAD_ID to the longest row. */
  inputIds: number[][];
  /** 1 for a real token, 0 for padding. */
  attentionMask: number[][];
}

export interface DecodeOptions {
  /**
   * Drop special tokens (all 1029 added tokens, `<loc_N>` included) as HF's `skip_special_tokens`.
   * Off by default: post-processing needs them.
   */
  skipSpecialTokens?: boolean;
}

/** `[start, end)` of a token's text in a decoded string. */
export type TextSpan = readonly [start: number, end: number];

export class Florence2Tokenizer {
  /** Where the vocabulary came from, for error messages (a path or a caller's label). */
  readonly source: string;
  readonly #tokenizer: Tokenizer;
  /** Ids of the file's added tokens (`<s>`, `<loc_N>`, …): decoding writes their content verbatim. */
  readonly #addedIds: ReadonlySet<number>;

  private constructor(tokenizer: Tokenizer, source: string, addedIds: ReadonlySet<number>) {
    this.#tokenizer = tokenizer;
    this.source = source;
    this.#addedIds = addedIds;
  }

  /** Loads and validates a `tokenizer.json`. Throws ModelFilesError naming the file. */
  static async fromFile(path: string): Promise<Florence2Tokenizer> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      throw new ModelFilesError(`cannot read the tokenizer file ${path}: ${errorMessage(cause)}`, { cause });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new ModelFilesError(`the tokenizer file ${path} is not valid JSON: ${errorMessage(cause)}`, { cause });
    }
    return Florence2Tokenizer.fromJSON(json, path);
  }

  /**
   * Builds and validates a tokenizer from a parsed `tokenizer.json`; `source` names it in errors.
   * Throws ModelFilesError.
   */
  static fromJSON(json: unknown, source = 'tokenizer.json'): Florence2Tokenizer {
    if (!isTokenizerJson(json)) {
      throw new ModelFilesError(
        `${source} is not a tokenizer.json: expected an object with "model" and "added_tokens"; got ${describeJson(json)}`,
      );
    }
    let tokenizer: Tokenizer;
    try {
      // clean_up_tokenization_spaces is passed on every decode; this config only keeps the library's defaults.
      tokenizer = new Tokenizer(json, {});
    } catch (cause) {
      throw new ModelFilesError(`${source} could not be loaded as a tokenizer: ${errorMessage(cause)}`, { cause });
    }
    const addedIds = new Set(json.added_tokens.flatMap((token) => (isAddedToken(token) ? [token.id] : [])));
    const florence = new Florence2Tokenizer(tokenizer, source, addedIds);
    florence.assertFlorenceVocabulary();
    return florence;
  }

  /**
   * Throws ModelFilesError unless the vocabulary has Florence-2's ids: `<s>` 0, `<pad>` 1, `</s>` 2,
   * `<loc_0>` … `<loc_999>` at 50269 … 51268, `<sep>`, `<poly>`, `</poly>`. Microsoft's own
   * tokenizer.json fails: its processor adds the 1024 tokens at run time.
   */
  assertFlorenceVocabulary(): void {
    const name = basename(this.source);
    if (this.tokenToId(LAST_LOCATION_TOKEN) === undefined) {
      throw new ModelFilesError(
        `${this.source} lacks the 1024 Florence-2 added tokens (<od> … <loc_0> … <loc_999> … <and>, ids ` +
          `${FIRST_ADDED_ID}–${LAST_ADDED_ID}): ${LAST_LOCATION_TOKEN} is not in its vocabulary. Microsoft's original ` +
          `${name} is completed by its Python processor at run time; use a converted one (e.g. onnx-community's).`,
      );
    }
    for (const [token, expectedId] of REQUIRED_IDS) {
      const id = this.tokenToId(token);
      if (id !== expectedId) {
        throw new ModelFilesError(
          `${this.source} is not a Florence-2 tokenizer: expected ${token} to have id ${expectedId}; got ${id ?? 'no such token'}`,
        );
      }
    }
  }

  /** `<s>` + the prompt's tokens + `</s>` (added tokens such as `<loc_52>` in the text are matched first). */
  encodePrompt(prompt: string): number[] {
    if (typeof prompt !== 'string') throw new TaskInputError(`prompt must be a string; got ${typeof prompt}`);
    const { ids } = this.#tokenizer.encode(prompt, { add_special_tokens: false });
    return [BOS_ID, ...ids, EOS_ID];
  }

  /** Each prompt encoded, right-padded with `<pad>` to the longest, with attention masks. */
  encodeBatch(prompts: readonly string[]): EncodedBatch {
    const rows = prompts.map((prompt) => this.encodePrompt(prompt));
    const width = rows.reduce((longest, row) => Math.max(longest, row.length), 0);
    return {
      inputIds: rows.map((row) => [...row, ...new Array<number>(width - row.length).fill(PAD_ID)]),
      attentionMask: rows.map((row) => [...new Array<number>(row.length).fill(1), ...new Array<number>(width - row.length).fill(0)]),
    };
  }

  /**
   * The text of `ids` with special tokens kept verbatim and `clean_up_tokenization_spaces` applied
   * (`" ."` → `"."`, `" 's"` → `"'s"`, …; INTERFACE.md §7.5). An empty list decodes to `""`.
   * Throws ModelFilesError for an id outside the vocabulary: a model whose output does not fit its
   * tokenizer.
   */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    if (ids.length === 0) return ''; // the library throws for an empty list
    for (const id of ids) {
      // The library checks only the first id and maps unknown ids to an empty string silently.
      if (!Number.isSafeInteger(id) || this.#tokenizer.id_to_token(id) === undefined) {
        throw new ModelFilesError(`token id ${String(id)} is not in the vocabulary of ${this.source}`);
      }
    }
    return this.#tokenizer.decode([...ids], {
      skip_special_tokens: options.skipSpecialTokens ?? false,
      clean_up_tokenization_spaces: true,
    });
  }

  /**
   * Where each id's text lies in `text`, the string `decode(ids)` returned for them: an added token
   * spans its own content; the tokens of a run of ordinary tokens all span the run's text (their
   * byte-level pieces need not end on characters). Undefined when the pieces, decoded one added
   * token or ordinary run at a time, do not add up to `text` (then positions cannot be mapped).
   */
  tokenSpans(ids: readonly number[], text: string): TextSpan[] | undefined {
    const spans: TextSpan[] = [];
    let position = 0;
    let runStart = 0;
    // Spans the ordinary tokens ids[runStart, end); false when their text is not next in `text`.
    const closeRun = (end: number): boolean => {
      if (end === runStart) return true;
      const runText = this.decode(ids.slice(runStart, end));
      if (!text.startsWith(runText, position)) return false;
      for (let index = runStart; index < end; index++) spans.push([position, position + runText.length]);
      position += runText.length;
      return true;
    };
    for (let index = 0; index < ids.length; index++) {
      const id = ids[index] ?? -1;
      if (!this.#addedIds.has(id)) continue;
      if (!closeRun(index)) return undefined;
      const content = this.#tokenizer.id_to_token(id) ?? '';
      if (!text.startsWith(content, position)) return undefined;
      spans.push([position, position + content.length]);
      position += content.length;
      runStart = index + 1;
    }
    if (!closeRun(ids.length)) return undefined;
    return position === text.length ? spans : undefined;
  }

  tokenToId(token: string): number | undefined {
    return this.#tokenizer.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return Number.isSafeInteger(id) && id >= 0 ? this.#tokenizer.id_to_token(id) : undefined;
  }
}

interface TokenizerJsonShape {
  model: object;
  added_tokens: unknown[];
}

function isTokenizerJson(json: unknown): json is TokenizerJsonShape {
  if (typeof json !== 'object' || json === null) return false;
  const { model, added_tokens: addedTokens } = json as Record<string, unknown>;
  return typeof model === 'object' && model !== null && Array.isArray(addedTokens);
}

function isAddedToken(token: unknown): token is { id: number } {
  return typeof token === 'object' && token !== null && Number.isSafeInteger((token as Record<string, unknown>)['id']);
}

function describeJson(json: unknown): string {
  if (Array.isArray(json)) return 'an array';
  if (typeof json === 'object' && json !== null) return `an object with keys ${Object.keys(json).slice(0, 8).join(', ') || '(none)'}`;
  return json === null ? 'null' : typeof json;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
