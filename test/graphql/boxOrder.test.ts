/**
 * Every Box the GraphQL layer builds has x1 ≤ x2 and y1 ≤ y2 (width and height ≥ 0), whichever
 * order the model named the corners in; `task(...).result` keeps the model's raw order. A scripted
 * runner answers with reversed boxes for each task that produces them.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { GatewayServices } from '../../src/graphql/services.js';
import { patternPng } from '../helpers/images.js';
import { executeWithBudget, ScriptedRunner, scriptedServices } from '../server/limits/support.js';

/** Corners bottom-right first, as the model sometimes generates them. */
const REVERSED = [60.5, 50.25, 10.5, 20.25];
/** The same box as it must come out: top-left first. */
const ORDERED = { x1: 10.5, y1: 20.25, x2: 60.5, y2: 50.25, width: 50, height: 30 };
/** Reversed in x only: the other half of the cases. */
const X_REVERSED = [30, 5, 20, 15];
const X_ORDERED = { x1: 20, y1: 5, x2: 30, y2: 15, width: 10, height: 10 };
const BOX = 'box { x1 y1 x2 y2 width height }';

describe('boxes in GraphQL come top-left first', () => {
  let services: GatewayServices;
  let runner: ScriptedRunner;
  let base64: string;

  before(async () => {
    base64 = (await patternPng(100, 80, 6)).toString('base64');
    runner = new ScriptedRunner({
      '<OD>': { bboxes: [REVERSED, X_REVERSED], labels: ['car', 'dog'] },
      '<DENSE_REGION_CAPTION>': { bboxes: [REVERSED], labels: ['a red car'] },
      '<REGION_PROPOSAL>': { bboxes: [X_REVERSED], labels: [''] },
      '<CAPTION_TO_PHRASE_GROUNDING>': { bboxes: [REVERSED], labels: ['a car'] },
      '<OPEN_VOCABULARY_DETECTION>': { bboxes: [REVERSED], bboxes_labels: ['car'], polygons: [], polygons_labels: [] },
      '<REGION_TO_DESCRIPTION>': 'a red car',
    });
    services = await scriptedServices(runner);
  });

  async function run<T>(selection: string): Promise<T> {
    const result = await executeWithBudget(services, 10_000, `query($b: String!) { image(base64: $b) { ${selection} } }`, { b: base64 });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    return JSON.parse(JSON.stringify(result.data)) as T;
  }

  test('objects, denseRegions and regionProposals', async () => {
    const data = await run<{ image: Record<string, { box: unknown }[]> }>(
      `objects { ${BOX} } denseRegions { ${BOX} } regionProposals { ${BOX} }`,
    );
    assert.deepEqual(data.image, {
      objects: [{ box: ORDERED }, { box: X_ORDERED }],
      denseRegions: [{ box: ORDERED }],
      regionProposals: [{ box: X_ORDERED }],
    });
  });

  test('ground(phrase:) and find(query:)', async () => {
    const data = await run<{ image: unknown }>(`ground(phrase: "a car") { phrase regions { ${BOX} } } find(query: "car") { label ${BOX} }`);
    assert.deepEqual(data.image, {
      ground: [{ phrase: 'a car', regions: [{ box: ORDERED }] }],
      find: [{ label: 'car', box: ORDERED }],
    });
  });

  test('task(name:).result keeps the raw order the model generated', async () => {
    const data = await run<{ image: { task: { result: unknown } } }>('task(name: OD) { result }');
    assert.deepEqual(data.image.task.result, { bboxes: [REVERSED, X_REVERSED], labels: ['car', 'dog'] });
  });

  test('a region task on a reversed detection names the ordered box in its prompt', async () => {
    const data = await run<{ image: { denseRegions: { description: string }[] } }>('denseRegions { description }');
    // floor(10.5 / 0.1) = 105, floor(20.25 / 0.08) = 253, floor(60.5 / 0.1) = 605, floor(50.25 / 0.08) = 628.
    assert.deepEqual(data.image.denseRegions, [{ description: 'a red car' }]);
    assert.deepEqual(
      runner.jobsOf('<REGION_TO_DESCRIPTION>').map((job) => job.plan.input),
      ['<loc_105><loc_253><loc_605><loc_628>'],
    );
  });
});
