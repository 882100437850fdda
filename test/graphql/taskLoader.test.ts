/**
 * The results cache as the task loader reads it: a field gets its task's answer shape or a fresh
 * computation, never another shape. Entries of the wrong shape, or naming another task, are misses
 * (computed again and overwritten), for queries and for the subscription's cache lookup alike.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { resultCacheKey } from '../../src/cache/cacheKey.js';
import { cachedAnswers, isRunResult } from '../../src/graphql/loaders/taskLoader.js';
import type { GatewayServices } from '../../src/graphql/services.js';
import { imageIdOf } from '../../src/images/imageId.js';
import { patternPng } from '../helpers/images.js';
import { executeWithBudget, ScriptedRunner, scriptedServices } from '../server/limits/support.js';

const OD_ANSWER = { bboxes: [[10, 20, 30, 40]], labels: ['car'] };
const OBJECTS = `query($image: String!) { image(base64: $image) { objects { label box { x1 y1 x2 y2 } } } }`;
const OBJECTS_DATA = { image: { objects: [{ label: 'car', box: { x1: 10, y1: 20, x2: 30, y2: 40 } }] } };

/** A well-formed entry in every field but `task` and `result`. */
function entry(task: string, result: unknown): Record<string, unknown> {
  return { task, prompt: task, text: '', tokens: [0, 2], tokenLogprobs: [0, 0], score: 0, result, regionScores: [], locationScore: null };
}

/** The results-cache key `task` (no input) has for `bytes` under `services`. */
function keyOf(services: GatewayServices, task: string, bytes: Buffer): string {
  const plan = services.runner.plan(task, undefined, { ...services.generationDefaults });
  const imageId = imageIdOf(bytes);
  return resultCacheKey({ modelFingerprint: services.model.fingerprint, task, input: plan.prompt, options: { ...plan.options }, imageId });
}

describe('cache entries a field may not use', () => {
  let bytes: Buffer;
  before(async () => {
    bytes = await patternPng(64, 48, 1);
  });

  const unusable: readonly (readonly [string, Record<string, unknown>])[] = [
    ["OCR quads under <OD>'s key", entry('<OD>', { quad_boxes: [[1, 2, 3, 2, 3, 4, 1, 4]], labels: ['HELLO'] })],
    ["text under <OD>'s key", entry('<OD>', 'a car')],
    ['boxes with a label missing', entry('<OD>', { bboxes: [[1, 2, 3, 4]], labels: [] })],
    ["another task's entry of the same shape", entry('<DENSE_REGION_CAPTION>', { bboxes: [[1, 2, 3, 4]], labels: ['a red car'] })],
  ];
  for (const [name, stored] of unusable) {
    test(`${name}: computed again, then the new answer is served from the cache`, async () => {
      const runner = new ScriptedRunner({ '<OD>': OD_ANSWER });
      const services = await scriptedServices(runner);
      await services.cache.set(keyOf(services, '<OD>', bytes), stored);
      for (let round = 0; round < 2; round++) {
        const result = await executeWithBudget(services, 1e9, OBJECTS, { image: bytes.toString('base64') });
        assert.equal(result.errors, undefined, JSON.stringify(result.errors));
        assert.deepEqual(JSON.parse(JSON.stringify(result.data)), OBJECTS_DATA);
        assert.equal(runner.stats().jobs, 1, `round ${round}: computed once, then served from the cache`);
      }
    });
  }

  test('a usable entry is served without running the task', async () => {
    const runner = new ScriptedRunner({});
    const services = await scriptedServices(runner);
    await services.cache.set(keyOf(services, '<OD>', bytes), entry('<OD>', OD_ANSWER));
    const result = await executeWithBudget(services, 1e9, OBJECTS, { image: bytes.toString('base64') });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.deepEqual(JSON.parse(JSON.stringify(result.data)), OBJECTS_DATA);
    assert.equal(runner.stats().jobs, 0);
  });
});

describe('cachedAnswers', () => {
  test('serves an entry only under the task its key was asked for', async () => {
    const services = await scriptedServices(new ScriptedRunner({}));
    const stored = entry('<OD>', OD_ANSWER);
    await services.cache.set('k-od', stored);
    await services.cache.set('k-other', entry('<DENSE_REGION_CAPTION>', OD_ANSWER));
    await services.cache.set('k-shape', entry('<OD>', 'a car'));
    // Stored, but not among the keys asked for with a task.
    await services.cache.set('k-unasked', stored);
    const tasks = new Map([
      ['k-od', '<OD>'],
      ['k-other', '<OD>'],
      ['k-shape', '<OD>'],
      ['k-absent', '<OD>'],
    ]);
    const answers = await cachedAnswers(services.cache, ['k-od', 'k-other', 'k-shape', 'k-absent', 'k-unasked'], tasks);
    assert.deepEqual(answers, [stored, undefined, undefined, undefined, undefined]);
  });
});

describe('isRunResult', () => {
  const good = entry('<OCR_WITH_REGION>', { quad_boxes: [[1, 2, 3, 2, 3, 4, 1, 4]], labels: ['HELLO'] });
  const cases: readonly (readonly [string, unknown, boolean])[] = [
    ['an OCR entry', good, true],
    ['a free-text task answering text', entry('describe the car', 'a car'), true],
    ['a free-text task answering boxes', entry('describe the car', OD_ANSWER), false],
    ['an OCR entry holding boxes', { ...good, result: OD_ANSWER }, false],
    ['an entry without its task', { ...good, task: undefined }, false],
    ['an entry without a result', { ...good, result: undefined }, false],
    ['null', null, false],
  ];
  for (const [name, value, expected] of cases) {
    test(`${name}: ${expected ? 'served' : 'a miss'}`, () => {
      assert.equal(isRunResult(value), expected);
    });
  }
});
