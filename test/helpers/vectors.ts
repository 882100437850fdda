/**
 * Typed access to the conformance vectors in `../shared/vectors` (read at test time, never copied
 * into the repository), and the comparison rules of their README ("How to run a case").
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { vectorsDir } from './paths.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export const casesPath: string = join(vectorsDir, 'cases.json');
export const tokensPath: string = join(vectorsDir, 'tokens.json');
export const hasVectors: boolean = existsSync(casesPath) && existsSync(tokensPath);

/** `|actual − expected| ≤ 1e-3` for every number (README "Compare like this"). */
export const COORDINATE_TOLERANCE = 1e-3;

export interface ImageSizeRecord {
  width: number;
  height: number;
}

/** `construct_prompt`: `promptFromText(input)` must equal `expected`, or throw when `expected` is an error. */
export interface ConstructPromptCase {
  kind: 'construct_prompt';
  id: string;
  input: string;
  expected: string | { error: true };
  /** Ids of `<s>` + expected + `</s>`, where the source asserts them. */
  expectedInputIds: number[] | null;
}

/** `post_process` and `integration`: post-process `text` for `task` (or `parseType`) and compare with `expected`. */
export interface PostProcessCase {
  kind: 'post_process' | 'integration';
  id: string;
  task: string | null;
  parseType: string | null;
  /** `raw_text ?? reconstructed_raw_text`; null when only the real model can check the case. */
  text: string | null;
  imageSize: ImageSizeRecord | null;
  expected: JsonValue;
  expectedContains: string | null;
  /** Integration facts, where the source gives them. */
  generatedIds: number[] | null;
  decodedWithSkipSpecialTokens: boolean;
  prompt: string | null;
  derivedPrompt: string | null;
  expectedPromptInputIds: number[] | null;
}

export type VectorCase = ConstructPromptCase | PostProcessCase;

/** One line of tokens.json. */
export interface TokenFact {
  source: string;
  task: string;
  prompt: string;
  promptText: string;
  /** May end with `<pad>` (1) padding of a batched call. */
  promptInputIds: number[];
  generatedIds: number[] | null;
  decoded: string | null;
  decodedSkipSpecialTokens: string | null;
}

export function loadCases(): VectorCase[] {
  return readJsonArray(casesPath).map((value, index) => parseCase(asRecord(value, `cases.json[${index}]`)));
}

export function loadTokenFacts(): TokenFact[] {
  return readJsonArray(tokensPath).map((value, index) => {
    const record = new FieldReader(asRecord(value, `tokens.json[${index}]`));
    return {
      source: record.string('source'),
      task: record.string('task'),
      prompt: record.string('prompt'),
      promptText: record.string('prompt_text'),
      promptInputIds: record.ids('prompt_input_ids'),
      generatedIds: record.optional('generated_ids', () => record.ids('generated_ids')),
      decoded: record.optional('decoded', () => record.string('decoded')),
      decodedSkipSpecialTokens: record.optional('decoded_skip_special_tokens', () => record.string('decoded_skip_special_tokens')),
    };
  });
}

/** Asserts `actual` equals `expected` under the vectors' rules: numbers within 1e-3, strings exact, arrays ordered, objects same keys. */
export function assertMatchesExpected(actual: unknown, expected: JsonValue, path = '$'): void {
  if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', `${path}: expected a number, got ${JSON.stringify(actual)}`);
    const difference = Math.abs((actual as number) - expected);
    assert.ok(difference <= COORDINATE_TOLERANCE, `${path}: expected ${expected} ± ${COORDINATE_TOLERANCE}, got ${String(actual)}`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array, got ${JSON.stringify(actual)}`);
    const actualArray = actual as unknown[];
    assert.equal(actualArray.length, expected.length, `${path}: expected ${expected.length} elements, got ${actualArray.length}`);
    expected.forEach((element, index) => assertMatchesExpected(actualArray[index], element, `${path}[${index}]`));
  } else if (typeof expected === 'object' && expected !== null) {
    assert.ok(
      typeof actual === 'object' && actual !== null && !Array.isArray(actual),
      `${path}: expected an object, got ${JSON.stringify(actual)}`,
    );
    const actualRecord = actual as Record<string, unknown>;
    assert.deepEqual(Object.keys(actualRecord).sort(), Object.keys(expected).sort(), `${path}: key sets differ`);
    for (const [key, value] of Object.entries(expected)) assertMatchesExpected(actualRecord[key], value, `${path}.${key}`);
  } else {
    assert.equal(actual, expected, `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** Ids without the trailing `<pad>` (1) of a batched row. */
export function withoutPadding(ids: readonly number[]): number[] {
  let end = ids.length;
  while (end > 0 && ids[end - 1] === 1) end--;
  return ids.slice(0, end);
}

function parseCase(raw: Record<string, unknown>): VectorCase {
  const record = new FieldReader(raw);
  const id = record.string('id');
  const kind = record.string('kind');
  if (kind === 'construct_prompt') {
    const expected = raw.expected;
    const isError = typeof expected === 'object' && expected !== null && (expected as Record<string, unknown>).error === true;
    return {
      kind,
      id,
      input: record.string('input'),
      expected: isError ? { error: true } : record.string('expected'),
      expectedInputIds: record.optional('expected_input_ids', () => record.ids('expected_input_ids')),
    };
  }
  if (kind !== 'post_process' && kind !== 'integration') throw new Error(`${id}: unknown case kind ${JSON.stringify(kind)}`);
  const rawText = record.optional('raw_text', () => record.string('raw_text'));
  const reconstructed = record.optional('reconstructed_raw_text', () => record.string('reconstructed_raw_text'));
  return {
    kind,
    id,
    task: record.optional('task', () => record.string('task')),
    parseType: record.optional('parse_type', () => record.string('parse_type')),
    text: rawText ?? reconstructed,
    imageSize: record.optional('image_size', () => {
      const [width, height] = record.numbers('image_size');
      if (width === undefined || height === undefined) throw new Error(`${id}: image_size needs [width, height]`);
      return { width, height };
    }),
    expected: toJson(raw.expected ?? null, `${id}.expected`),
    expectedContains: record.optional('expected_contains', () => record.string('expected_contains')),
    generatedIds: record.optional('generated_ids', () => record.ids('generated_ids')),
    decodedWithSkipSpecialTokens: raw.decoded_with_skip_special_tokens === true,
    prompt: record.optional('prompt', () => record.string('prompt')),
    derivedPrompt: record.optional('derived_prompt', () => record.string('derived_prompt')),
    expectedPromptInputIds: record.optional('expected_prompt_input_ids', () => record.ids('expected_prompt_input_ids')),
  };
}

/** Reads typed fields of one JSON object, naming the field in every error. */
class FieldReader {
  constructor(private readonly record: Record<string, unknown>) {}

  string(name: string): string {
    const value = this.record[name];
    if (typeof value !== 'string') throw new Error(`${this.where(name)} must be a string`);
    return value;
  }

  numbers(name: string): number[] {
    const value = this.record[name];
    if (!Array.isArray(value) || !value.every((item): item is number => typeof item === 'number')) {
      throw new Error(`${this.where(name)} must be an array of numbers`);
    }
    return value;
  }

  ids(name: string): number[] {
    const value = this.numbers(name);
    if (!value.every(Number.isSafeInteger)) throw new Error(`${this.where(name)} must hold integers`);
    return value;
  }

  /** `read()` when the field is present and not null, else null. */
  optional<T>(name: string, read: () => T): T | null {
    const value = this.record[name];
    return value === undefined || value === null ? null : read();
  }

  private where(name: string): string {
    const id = this.record.id;
    return `${typeof id === 'string' ? id : 'record'}.${name}`;
  }
}

function readJsonArray(path: string): unknown[] {
  const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(value)) throw new Error(`${path} must hold a JSON array`);
  return value;
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where} must be an object`);
  return value as Record<string, unknown>;
}

function toJson(value: unknown, where: string): JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item, index) => toJson(item, `${where}[${index}]`));
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJson(item, `${where}.${key}`)]));
  }
  throw new Error(`${where} is not JSON`);
}
