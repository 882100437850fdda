/**
 * The runtime budget: a cascade over 200 grounded regions stops at the budget (the segments past it
 * fail with BUDGET_EXCEEDED, everything else stays); cached results cost nothing, so repeating the
 * query finishes the work and then serves all of it from the cache. First over a scripted runner
 * (200 regions on demand), then over HTTP on the tiny model.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GraphQLError } from 'graphql';
import { BudgetExceededError } from '../../../src/graphql/cost/errors.js';
import { VISION_ENCODER_UNITS } from '../../../src/graphql/cost/prices.js';
import { patternPng } from '../../helpers/images.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { executeWithBudget, ScriptedRunner, scriptedServices } from './support.js';

const CASCADE = `query Cascade($image: String!) {
  image(base64: $image) { caption { text phrases { phrase regions { box { x1 y1 x2 y2 } segment { area } } } } }
}`;

interface CascadeData {
  image: { caption: { text: string; phrases: { phrase: string; regions: { box: { x1: number }; segment: { area: number } | null }[] }[] } };
}

const REGIONS = 200;
const CAPTION = 2;
const GROUNDING = 3;
const SEGMENT = 5;

/** 200 distinct boxes on a 640×480 image, alternating between two phrases. */
function groundingAnswer() {
  const bboxes = Array.from({ length: REGIONS }, (_, i) => [i, i / 2, i + 100, i / 2 + 80]);
  return { bboxes, labels: bboxes.map((_, i) => (i % 2 === 0 ? 'a dog' : 'a cat')) };
}

function scriptedRunner(): ScriptedRunner {
  return new ScriptedRunner({
    '<CAPTION>': 'a dog and a cat',
    '<CAPTION_TO_PHRASE_GROUNDING>': groundingAnswer(),
    '<REGION_TO_SEGMENTATION>': { polygons: [[[10, 10, 60, 10, 60, 50]]], labels: [''] },
  });
}

/** Segments in response order (phrase by phrase), and the errors by path. */
function segmentsOf(data: CascadeData | null | undefined) {
  return data!.image.caption.phrases.flatMap((phrase) => phrase.regions.map((region) => region.segment));
}

describe('a cascade over 200 regions (scripted runner)', () => {
  const budget = 100;
  let image: string;
  before(async () => {
    image = (await patternPng(640, 480, 3)).toString('base64');
  });

  test('stops at the budget: the first segments resolve, the rest fail with BUDGET_EXCEEDED, caption and phrases intact', async () => {
    const runner = scriptedRunner();
    const services = await scriptedServices(runner);
    const result = await executeWithBudget(services, budget, CASCADE, { image });
    const data = result.data as unknown as CascadeData;

    assert.equal(data.image.caption.text, 'a dog and a cat');
    assert.deepEqual(
      data.image.caption.phrases.map((phrase) => [phrase.phrase, phrase.regions.length]),
      [
        ['a dog', 100],
        ['a cat', 100],
      ],
    );
    assert.ok(data.image.caption.phrases.every((phrase) => phrase.regions.every((region) => typeof region.box.x1 === 'number')));

    // vision 7 + caption 2 + grounding 3 = 12; 88 left buys 17 segments of 5.
    const affordable = Math.floor((budget - VISION_ENCODER_UNITS - CAPTION - GROUNDING) / SEGMENT);
    assert.equal(affordable, 17);
    const segments = segmentsOf(data);
    assert.ok(segments.slice(0, affordable).every((segment) => segment !== null && segment.area > 0));
    assert.ok(segments.slice(affordable).every((segment) => segment === null));
    assert.equal(runner.jobsOf('<REGION_TO_SEGMENTATION>').length, affordable, 'refused fields never reach the model');

    const errors = (result.errors ?? []) as readonly GraphQLError[];
    assert.equal(errors.length, REGIONS - affordable);
    assert.ok(errors.every((error) => error.originalError instanceof BudgetExceededError && error.path?.at(-1) === 'segment'));
    assert.equal(
      errors[0]!.message,
      'this field needs 5 cost units of model work, but the request has already spent 97 of its 100-unit budget; ' +
        'ask for fewer fields or regions, or repeat the query: results computed so far are cached and cost nothing',
    );
    assert.deepEqual(errors[0]!.path, ['image', 'caption', 'phrases', 0, 'regions', affordable, 'segment']);
  });

  test('repeating it finishes the work a budget at a time; then the whole cascade comes from the cache for free', async () => {
    const runner = scriptedRunner();
    const services = await scriptedServices(runner);
    let rounds = 0;
    let result = await executeWithBudget(services, budget, CASCADE, { image });
    while (result.errors && rounds < 20) {
      rounds += 1;
      result = await executeWithBudget(services, budget, CASCADE, { image });
    }
    // Round 1 buys 17 segments; later rounds pay vision again (7 + 5) and 17 more: 18 per round.
    assert.equal(rounds, Math.ceil((REGIONS - 17) / 18));
    const jobsBefore = runner.jobs.length;
    const cached = await executeWithBudget(services, budget, CASCADE, { image });
    assert.equal(cached.errors, undefined);
    assert.equal(runner.jobs.length, jobsBefore, 'served entirely from the cache');
    assert.equal(segmentsOf(cached.data as unknown as CascadeData).length, REGIONS);
    // Computed from scratch this would cost 7 + 2 + 3 + 200 × 5 = 1012 units, ten times the budget.
    assert.ok(VISION_ENCODER_UNITS + CAPTION + GROUNDING + REGIONS * SEGMENT > 10 * budget);
  });
});

describe('over HTTP on the tiny model', () => {
  // Exactly two segments: vision 7 + caption 2 + grounding 3 + 2 × segment 5.
  const budget = VISION_ENCODER_UNITS + CAPTION + GROUNDING + 2 * SEGMENT;
  let gateway: TestGateway;
  let image: string;
  before(async () => {
    gateway = await startTestGateway({ REQUEST_BUDGET: String(budget) });
    image = (await patternPng(640, 480, 3)).toString('base64');
  });
  after(() => gateway.stop());

  test('the budget stops the cascade partway; repeating serves it all from the cache with zero model calls', async () => {
    const first = await gateway.graphql<CascadeData>(CASCADE, { image });
    assert.equal(first.status, 200);
    const data = first.body.data!;
    assert.ok(data.image.caption.text.length > 0);
    const regions = data.image.caption.phrases.flatMap((phrase) => phrase.regions);
    // Equal boxes are one job (the same cache key); charge order is the order of first appearance.
    const distinctBoxes = [...new Set(regions.map((region) => JSON.stringify(region.box)))];
    // Depends on the default test model (tiny, seed 1, structured bias): it grounds at least 3 distinct regions here.
    assert.ok(distinctBoxes.length >= 3, `the tiny model grounds ${distinctBoxes.length} distinct regions on this image`);
    const paid = new Set(distinctBoxes.slice(0, 2));
    for (const region of regions) assert.equal(region.segment !== null, paid.has(JSON.stringify(region.box)), JSON.stringify(region));
    const errors = first.body.errors ?? [];
    assert.ok(
      errors.length > 0 && errors.every((error) => error.extensions?.code === 'BUDGET_EXCEEDED' && error.path?.at(-1) === 'segment'),
    );
    assert.match(
      errors[0]!.message,
      new RegExp(`needs 5 cost units of model work, but the request has already spent ${budget} of its ${budget}-unit budget`),
    );

    let rounds = 0;
    let repeated = await gateway.graphql<CascadeData>(CASCADE, { image });
    while (repeated.body.errors && rounds < 10) {
      rounds += 1;
      repeated = await gateway.graphql<CascadeData>(CASCADE, { image });
    }
    assert.equal(repeated.body.errors, undefined);
    const before = gateway.services.runner.stats();
    const cached = await gateway.graphql<CascadeData>(CASCADE, { image });
    assert.deepEqual(gateway.services.runner.stats(), before, 'no model work at all');
    assert.deepEqual(cached.body, repeated.body);
    assert.ok(
      VISION_ENCODER_UNITS + CAPTION + GROUNDING + distinctBoxes.length * SEGMENT > budget,
      'computed from scratch it would not fit',
    );
  });
});
