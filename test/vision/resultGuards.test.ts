/**
 * The shape checks for answers read back from storage: every parser's own answers pass its check
 * and the checks of parsers with the same shape, and fail every other; then a table of near misses,
 * each refused.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseByType, type ImageSize } from '../../src/vision/postprocess/index.js';
import { isResultForTask, isResultOfParser } from '../../src/vision/resultGuards.js';
import type { ParserType } from '../../src/vision/results.js';
import { TASKS } from '../../src/vision/tasks.js';

const SIZE: ImageSize = { width: 640, height: 480 };
const BOX = '<loc_100><loc_200><loc_300><loc_400>';
const QUAD = '<loc_100><loc_200><loc_300><loc_200><loc_300><loc_400><loc_100><loc_400>';
const POLYGON = '<poly><loc_100><loc_200><loc_300><loc_200><loc_300><loc_400></poly>';

/** Parsers by the shape of their answer. */
const SHAPE_OF: { readonly [T in ParserType]: string } = {
  pure_text: 'text',
  description_with_bboxes: 'boxes',
  bboxes: 'boxes',
  phrase_grounding: 'boxes',
  ocr: 'ocr',
  polygons: 'polygons',
  description_with_polygons: 'polygons',
  description_with_bboxes_or_polygons: 'open vocabulary',
};
const PARSER_TYPES = Object.keys(SHAPE_OF) as ParserType[];

/** Generations with something in them for each parser, plus the empty one every parser answers. */
const GENERATIONS: { readonly [T in ParserType]: readonly string[] } = {
  pure_text: ['</s><s>a green car</s>'],
  description_with_bboxes: [`</s><s>car${BOX}wheel${BOX}${BOX}</s>`],
  bboxes: [`</s><s>${BOX}${BOX}</s>`],
  phrase_grounding: [`</s><s>A green car${BOX}a building${BOX}</s>`],
  ocr: [`</s><s>HELLO${QUAD}WORLD${QUAD}</s>`],
  polygons: [`</s><s>car${POLYGON}${POLYGON}</s>`],
  description_with_polygons: [`</s><s>car${POLYGON}wheel${POLYGON}</s>`],
  description_with_bboxes_or_polygons: [`</s><s>car${BOX}</s>`, `</s><s>car${POLYGON}</s>`],
};

describe('answers the parsers give', () => {
  for (const type of PARSER_TYPES) {
    test(`${type}: its answers pass the checks of its shape (${SHAPE_OF[type]}) and no other`, () => {
      for (const text of [...GENERATIONS[type], '</s><s></s>']) {
        const answer = parseByType(type, text, SIZE);
        for (const guard of PARSER_TYPES) {
          assert.equal(isResultOfParser(guard, answer), SHAPE_OF[guard] === SHAPE_OF[type], `${guard} on ${JSON.stringify(answer)}`);
        }
      }
    });

    test(`${type}: the sample generations are not empty answers`, () => {
      for (const text of GENERATIONS[type]) {
        const answer = parseByType(type, text, SIZE);
        const lists: unknown[] = typeof answer === 'string' ? [] : Object.values(answer);
        const empty = typeof answer === 'string' ? answer === '' : lists.every((list) => Array.isArray(list) && list.length === 0);
        assert.equal(empty, false, text);
      }
    });
  }

  test("a task's check is its parser's; unknown task strings answer text", () => {
    for (const task of TASKS) {
      const answer = parseByType(task.parse, GENERATIONS[task.parse][0] ?? '', SIZE);
      assert.equal(isResultForTask(task.token, answer), true, task.token);
      assert.equal(isResultForTask(task.token, task.parse === 'pure_text' ? { bboxes: [], labels: [] } : 'text'), false, task.token);
    }
    assert.equal(isResultForTask('describe the picture', 'a car'), true);
    assert.equal(isResultForTask('describe the picture', { bboxes: [], labels: [] }), false);
    assert.equal(isResultForTask('<FOO>', 'a car'), true);
  });
});

describe('near misses are refused', () => {
  const box = [1, 2, 3, 4];
  const quad = [1, 2, 3, 2, 3, 4, 1, 4];
  const cases: readonly (readonly [string, ParserType, unknown])[] = [
    ['nothing', 'pure_text', undefined],
    ['a number for text', 'pure_text', 7],
    ['null for boxes', 'bboxes', null],
    ['a list for boxes', 'bboxes', [box]],
    ['text for boxes', 'description_with_bboxes', 'car'],
    ['boxes without labels', 'description_with_bboxes', { bboxes: [box] }],
    ['a box of three numbers', 'description_with_bboxes', { bboxes: [[1, 2, 3]], labels: ['car'] }],
    ['a box of five numbers', 'phrase_grounding', { bboxes: [[1, 2, 3, 4, 5]], labels: ['car'] }],
    ['a coordinate as text', 'description_with_bboxes', { bboxes: [[1, 2, '3', 4]], labels: ['car'] }],
    ['a NaN coordinate', 'description_with_bboxes', { bboxes: [[1, 2, Number.NaN, 4]], labels: ['car'] }],
    ['an infinite coordinate', 'bboxes', { bboxes: [[1, 2, Infinity, 4]], labels: [''] }],
    ['a null coordinate (JSON of NaN)', 'bboxes', { bboxes: [[1, 2, null, 4]], labels: [''] }],
    ['fewer labels than boxes', 'description_with_bboxes', { bboxes: [box, box], labels: ['car'] }],
    ['more labels than boxes', 'description_with_bboxes', { bboxes: [box], labels: ['car', 'bus'] }],
    ['a label that is not text', 'description_with_bboxes', { bboxes: [box], labels: [null] }],
    ['a quad of four numbers', 'ocr', { quad_boxes: [box], labels: ['HELLO'] }],
    ['quads without as many labels', 'ocr', { quad_boxes: [quad, quad], labels: ['HELLO'] }],
    ['boxes for OCR', 'ocr', { bboxes: [box], labels: ['HELLO'] }],
    ['an instance that is one flat polygon', 'polygons', { polygons: [[1, 2, 3, 4, 5, 6]], labels: ['car'] }],
    ['a polygon point as text', 'polygons', { polygons: [[[1, 2, 3, 4, '5', 6]]], labels: ['car'] }],
    ['instances without as many labels', 'description_with_polygons', { polygons: [[[1, 2, 3, 4, 5, 6]]], labels: [] }],
    ['open vocabulary without polygons', 'description_with_bboxes_or_polygons', { bboxes: [box], bboxes_labels: ['car'] }],
    [
      'open vocabulary with plain labels',
      'description_with_bboxes_or_polygons',
      { bboxes: [box], labels: ['car'], polygons: [], polygons_labels: [] },
    ],
    [
      'open vocabulary with a label short',
      'description_with_bboxes_or_polygons',
      { bboxes: [], bboxes_labels: [], polygons: [[[1, 2, 3, 4, 5, 6]]], polygons_labels: [] },
    ],
  ];
  for (const [name, type, value] of cases) {
    test(`${type}: ${name}`, () => {
      assert.equal(isResultOfParser(type, value), false);
    });
  }

  test('the shapes those near misses miss are accepted', () => {
    assert.equal(isResultOfParser('description_with_bboxes', { bboxes: [box, box], labels: ['car', ''] }), true);
    assert.equal(isResultOfParser('ocr', { quad_boxes: [quad], labels: ['HELLO'] }), true);
    // A polygon of any length, an odd last bin included, as the parsers keep it.
    assert.equal(isResultOfParser('polygons', { polygons: [[[1, 2, 3, 4, 5, 6, 7]], []], labels: ['car', ''] }), true);
    const found = { bboxes: [box], bboxes_labels: ['car'], polygons: [], polygons_labels: [] };
    assert.equal(isResultOfParser('description_with_bboxes_or_polygons', found), true);
  });
});
