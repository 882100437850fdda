/**
 * The task table and what derives from it: the token list and specs in table order (the order
 * prompt construction tries them), lookups that see only the table's own keys, and result types
 * that follow each task's parser (checked by the compiler; a wrong line stops the build).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BoxesResult, OcrResult, OpenVocabularyResult, ParserType, PolygonsResult, TaskResult } from '../../src/vision/results.js';
import {
  TASK_TABLE,
  TASK_TOKENS,
  TASKS,
  findTask,
  isTaskToken,
  parseTypeOf,
  type ParseType,
  type ParseTypeOf,
  type ResultForTask,
  type TaskToken,
} from '../../src/vision/tasks.js';

/** INTERFACE.md §8, in the order of Microsoft's, HF's and transformers.js' tables. */
const REFERENCE_ORDER = [
  '<OCR>',
  '<OCR_WITH_REGION>',
  '<CAPTION>',
  '<DETAILED_CAPTION>',
  '<MORE_DETAILED_CAPTION>',
  '<OD>',
  '<DENSE_REGION_CAPTION>',
  '<REGION_PROPOSAL>',
  '<CAPTION_TO_PHRASE_GROUNDING>',
  '<REFERRING_EXPRESSION_SEGMENTATION>',
  '<REGION_TO_SEGMENTATION>',
  '<OPEN_VOCABULARY_DETECTION>',
  '<REGION_TO_CATEGORY>',
  '<REGION_TO_DESCRIPTION>',
  '<REGION_TO_OCR>',
] as const;

/** Strings that are keys of every object's prototype, or near misses of a token. */
const NOT_TOKENS = ['', 'OD', '<od>', '< OD >', '<OD> ', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '<__proto__>'];

type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
function typeHolds<T extends true>(): T | undefined {
  return undefined;
}

describe('the task table', () => {
  test('TASK_TOKENS and TASKS list the table in its order, the reference order', () => {
    assert.deepEqual(TASK_TOKENS, REFERENCE_ORDER);
    assert.deepEqual(Object.keys(TASK_TABLE), REFERENCE_ORDER);
    assert.deepEqual(
      TASKS.map((task) => task.token),
      REFERENCE_ORDER,
    );
  });

  test('each spec is its table row with its token, frozen', () => {
    for (const task of TASKS) {
      assert.deepEqual(task, { token: task.token, ...TASK_TABLE[task.token] }, task.token);
      assert.ok(Object.isFrozen(task), task.token);
    }
    assert.ok(Object.isFrozen(TASKS) && Object.isFrozen(TASK_TOKENS));
  });

  test('input kinds: seven tasks take none, three free text, five a region', () => {
    const byInput = (input: string) => TASKS.filter((task) => task.input === input).map((task) => task.token);
    assert.deepEqual(byInput('none'), REFERENCE_ORDER.slice(0, 8));
    const withText = ['<CAPTION_TO_PHRASE_GROUNDING>', '<REFERRING_EXPRESSION_SEGMENTATION>', '<OPEN_VOCABULARY_DETECTION>'];
    assert.deepEqual(byInput('text'), withText);
    assert.deepEqual(byInput('region'), ['<REGION_TO_SEGMENTATION>', '<REGION_TO_CATEGORY>', '<REGION_TO_DESCRIPTION>', '<REGION_TO_OCR>']);
    for (const task of TASKS) assert.equal(task.prompt.includes('{input}'), task.input !== 'none', task.token);
  });
});

describe('lookups', () => {
  test('every token is found with its spec and parse type', () => {
    for (const task of TASKS) {
      assert.equal(isTaskToken(task.token), true);
      assert.deepEqual(findTask(task.token), task);
      assert.equal(parseTypeOf(task.token), task.parse);
    }
  });

  for (const text of NOT_TOKENS) {
    test(`${JSON.stringify(text)} is not a task: no spec, parsed as pure text`, () => {
      assert.equal(isTaskToken(text), false);
      assert.equal(findTask(text), undefined);
      assert.equal(parseTypeOf(text), 'pure_text');
    });
  }
});

describe('types derived from the table (the compiler checks these)', () => {
  test("parse types and result types follow each task's row", () => {
    const checks = [
      typeHolds<Equal<TaskToken, (typeof REFERENCE_ORDER)[number]>>(),
      typeHolds<Equal<ParseTypeOf<'<OD>'>, 'description_with_bboxes'>>(),
      typeHolds<Equal<ParseTypeOf<'<REGION_TO_OCR>'>, 'pure_text'>>(),
      // The table selects every parser but the polygon branch of open-vocabulary detection.
      typeHolds<Equal<ParseType, Exclude<ParserType, 'description_with_polygons'>>>(),
      typeHolds<Equal<ResultForTask<'<CAPTION>'>, string>>(),
      typeHolds<Equal<ResultForTask<'<OD>'>, BoxesResult>>(),
      typeHolds<Equal<ResultForTask<'<REGION_PROPOSAL>'>, BoxesResult>>(),
      typeHolds<Equal<ResultForTask<'<CAPTION_TO_PHRASE_GROUNDING>'>, BoxesResult>>(),
      typeHolds<Equal<ResultForTask<'<OCR_WITH_REGION>'>, OcrResult>>(),
      typeHolds<Equal<ResultForTask<'<REFERRING_EXPRESSION_SEGMENTATION>'>, PolygonsResult>>(),
      typeHolds<Equal<ResultForTask<'<OPEN_VOCABULARY_DETECTION>'>, OpenVocabularyResult>>(),
      typeHolds<Equal<ResultForTask<'<OD>' | '<OCR>'>, BoxesResult | string>>(),
      typeHolds<Equal<ResultForTask<'free text'>, string>>(),
      typeHolds<Equal<ResultForTask<string>, TaskResult>>(),
      // @ts-expect-error a box answer is not an OCR answer
      typeHolds<Equal<ResultForTask<'<OD>'>, OcrResult>>(),
    ];
    // The checks are the compiler's; at run time each is a placeholder.
    assert.deepEqual(new Set(checks), new Set([undefined]));
  });
});
