/**
 * The price table and the estimate built on it: task prices, what generation overrides do, and the
 * estimates of the README's cascade, every GraphiQL example, and 200 aliased cascades.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isObjectType } from 'graphql';
import { EXAMPLE_TABS } from '../../../src/graphiql/examples.js';
import { runsTask } from '../../../src/graphql/cost/complexity.js';
import { DEFAULT_MAX_QUERY_COST, EXPECTED_TOKENS, taskPrice, VISION_ENCODER_UNITS } from '../../../src/graphql/cost/prices.js';
import { TASK_TOKENS } from '../../../src/vision/tasks.js';
import { estimate, gatewaySchema } from './support.js';

const CASCADE = `query Cascade($url: String!) {
  image(url: $url) {
    caption { text phrases { phrase regions { box { x1 y1 x2 y2 } segment { area svgPath } } } }
  }
}`;

describe('task prices', () => {
  test('every task has an expected length, and prices are whole units', () => {
    assert.deepEqual(Object.keys(EXPECTED_TOKENS).sort(), [...TASK_TOKENS].sort());
    const prices = Object.fromEntries(TASK_TOKENS.map((task) => [task, taskPrice(task)]));
    assert.deepEqual(prices, {
      '<OCR>': 4,
      '<OCR_WITH_REGION>': 7,
      '<CAPTION>': 2,
      '<DETAILED_CAPTION>': 4,
      '<MORE_DETAILED_CAPTION>': 7,
      '<OD>': 4,
      '<DENSE_REGION_CAPTION>': 6,
      '<REGION_PROPOSAL>': 3,
      '<CAPTION_TO_PHRASE_GROUNDING>': 3,
      '<REFERRING_EXPRESSION_SEGMENTATION>': 5,
      '<REGION_TO_SEGMENTATION>': 5,
      '<OPEN_VOCABULARY_DETECTION>': 3,
      '<REGION_TO_CATEGORY>': 2,
      '<REGION_TO_DESCRIPTION>': 2,
      '<REGION_TO_OCR>': 2,
    });
  });

  test('beams multiply decoding; a short maxNewTokens caps it', () => {
    assert.equal(taskPrice('<REGION_TO_SEGMENTATION>', { numBeams: 3 }), 1 + 12);
    assert.equal(taskPrice('<REGION_TO_SEGMENTATION>', { maxNewTokens: 10 }), 1 + 1);
    assert.equal(taskPrice('<REGION_TO_SEGMENTATION>', { maxNewTokens: 1024 }), taskPrice('<REGION_TO_SEGMENTATION>'));
  });
});

describe('estimates', () => {
  test('the README cascade: vision + caption + grounding + 5 phrases × 2 regions × segment', async () => {
    assert.equal(await estimate(CASCADE, { url: 'https://example.com/a.png' }), VISION_ENCODER_UNITS + 2 + 3 + 5 * 2 * 5);
  });

  test('every GraphiQL example is well under the default limit', async () => {
    for (const tab of EXAMPLE_TABS) {
      const cost = await estimate(tab.query, JSON.parse(tab.variables) as Record<string, unknown>);
      assert.ok(cost <= DEFAULT_MAX_QUERY_COST / 5, `${tab.query.split('\n').find((line) => line.startsWith('query'))}: ${cost}`);
    }
  });

  test('fields that run nothing cost nothing; the vision encoder only counts when a task runs', async () => {
    assert.equal(await estimate('{ model { id tasks } }'), 0);
    assert.equal(await estimate('{ image(id: "x") { id width region(box: { x1: 0, y1: 0, x2: 5, y2: 5 }) { box { x1 } } } }'), 0);
    assert.equal(await estimate('{ image(id: "x") { caption { text } } }'), VISION_ENCODER_UNITS + 2);
  });

  test('caption detail, task(name:), images(urls:) and generation overrides change the estimate', async () => {
    assert.equal(await estimate('{ image(id: "x") { caption(detail: MORE_DETAILED) { text } } }'), VISION_ENCODER_UNITS + 7);
    assert.equal(await estimate('{ image(id: "x") { task(name: OCR_WITH_REGION) { text } } }'), VISION_ENCODER_UNITS + 7);
    assert.equal(await estimate('{ images(urls: ["a", "b", "c"]) { caption { text } } }'), 3 * (VISION_ENCODER_UNITS + 2));
    const greedy = await estimate('{ image(id: "x") { objects { segment { area } } } }');
    const beams = await estimate(
      '{ image(id: "x") { objects(generation: { numBeams: 16 }) { segment(generation: { numBeams: 16 }) { area } } } }',
    );
    assert.equal(greedy, VISION_ENCODER_UNITS + 4 + 10 * 5);
    assert.equal(beams, VISION_ENCODER_UNITS + (1 + 48) + 10 * (1 + 64));
    assert.ok(beams > DEFAULT_MAX_QUERY_COST && greedy < DEFAULT_MAX_QUERY_COST);
  });

  test('200 aliased cascades are far over the default limit', async () => {
    const aliased = Array.from({ length: 200 }, (_, i) => `i${i}: image(id: "x") { caption { phrases { regions { segment { area } } } } }`);
    assert.equal(await estimate(`{ ${aliased.join(' ')} }`), 200 * 62);
  });

  test('exactly the fields that run a model task are marked as such', async () => {
    const schema = await gatewaySchema();
    const marked = Object.values(schema.getTypeMap())
      .filter(isObjectType)
      .flatMap((type) =>
        Object.values(type.getFields())
          .filter((field) => runsTask(field))
          .map((field) => `${type.name}.${field.name}`),
      )
      .sort();
    assert.deepEqual(marked, [
      'Caption.phrases',
      'Image.caption',
      'Image.denseRegions',
      'Image.find',
      'Image.ground',
      'Image.objects',
      'Image.regionProposals',
      'Image.segment',
      'Image.task',
      'Image.text',
      'Image.textRegions',
      'Region.category',
      'Region.description',
      'Region.segment',
      'Region.text',
      'Subscription.generation',
    ]);
  });
});
