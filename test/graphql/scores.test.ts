/**
 * Confidence scores over GraphQL: `score` on Region, TextRegion, Segment and grounded regions equals
 * the runtime's regionScores (tiny model over HTTP), `minScore` keeps exactly the regions scored at
 * least it, out-of-range values are BAD_INPUT on their own field; then the filtering rules on
 * scripted answers (phrases emptied by the filter, unscored regions, polygon regions of `find`), and
 * results cached before scores existed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resultCacheKey } from '../../src/cache/cacheKey.js';
import type { TaskJob } from '../../src/engine/taskRunner.js';
import { isRunResult } from '../../src/graphql/loaders/taskLoader.js';
import { imageIdOf } from '../../src/images/imageId.js';
import type { RunResult } from '../../src/vision/florence2.js';
import type { TaskResult } from '../../src/vision/results.js';
import { patternPng } from '../helpers/images.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { executeWithBudget, ScriptedRunner, scriptedServices, type ScriptedAnswers } from '../server/limits/support.js';

const GENERATION = '{ maxNewTokens: 48 }';

describe('scores over HTTP on the tiny model', () => {
  let gateway: TestGateway;
  let image: string;

  before(async () => {
    gateway = await startTestGateway();
    image = (await patternPng(320, 240, 5)).toString('base64');
  });
  after(() => gateway.stop());

  interface Scored {
    score: number | null;
  }
  interface ScoresData {
    image: {
      objects: (Scored & { box: { x1: number } })[];
      od: { regionScores: (number | null)[] };
      textRegions: Scored[];
      ocr: { regionScores: (number | null)[] };
      ground: { regions: Scored[] }[];
      grounding: { regionScores: (number | null)[] };
      find: (Scored & { segment: Scored })[];
      finding: { regionScores: (number | null)[]; result: { bboxes: unknown[]; polygons: unknown[] } };
      segment: Scored;
      segmentation: { regionScores: (number | null)[] };
      region: Scored;
    };
  }

  test("every region-like answer carries the runtime's region score; a client box has none", async () => {
    const { body } = await gateway.graphql<ScoresData>(
      `query($image: String!) { image(base64: $image) {
        objects(generation: ${GENERATION}) { score box { x1 } }
        od: task(name: OD, generation: ${GENERATION}) { regionScores }
        textRegions(generation: ${GENERATION}) { score }
        ocr: task(name: OCR_WITH_REGION, generation: ${GENERATION}) { regionScores }
        ground(phrase: "A green car parked in front of a yellow building.", generation: ${GENERATION}) { regions { score } }
        grounding: task(name: CAPTION_TO_PHRASE_GROUNDING, input: "A green car parked in front of a yellow building.",
          generation: ${GENERATION}) { regionScores }
        find(query: "wheels", generation: ${GENERATION}) { score segment { score } }
        finding: task(name: OPEN_VOCABULARY_DETECTION, input: "wheels", generation: ${GENERATION}) { regionScores result }
        segment(query: "the car", generation: ${GENERATION}) { score }
        segmentation: task(name: REFERRING_EXPRESSION_SEGMENTATION, input: "the car", generation: ${GENERATION}) { regionScores }
        region(box: { x1: 10, y1: 20, x2: 200, y2: 180 }) { score }
      } }`,
      { image },
    );
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    const data = body.data!.image;
    const inUnitRange = (score: number | null) => score !== null && score > 0 && score <= 1;

    // Answers with regions on every task: the default test model's (tiny, seed 1, structured bias) on this image.
    assert.ok(data.objects.length > 0);
    assert.deepEqual(
      data.objects.map((object) => object.score),
      data.od.regionScores,
    );
    assert.deepEqual(
      data.textRegions.map((line) => line.score),
      data.ocr.regionScores,
    );
    // Grounding groups boxes by phrase: the same scores, possibly in another order.
    const sorted = (scores: (number | null)[]) => [...scores].sort();
    assert.deepEqual(
      sorted(data.ground.flatMap((phrase) => phrase.regions.map((region) => region.score))),
      sorted(data.grounding.regionScores),
    );
    assert.deepEqual(
      data.find.map((found) => found.score),
      data.finding.regionScores,
    );
    for (const scores of [
      data.od.regionScores,
      data.ocr.regionScores,
      data.grounding.regionScores,
      data.finding.regionScores,
      data.segmentation.regionScores,
    ]) {
      assert.ok(scores.length > 0 && scores.every(inUnitRange), JSON.stringify(scores));
    }
    // A segment covers every instance: its score lies within theirs (and is theirs when there is one).
    const instances = data.segmentation.regionScores as number[];
    assert.ok(data.segment.score! >= Math.min(...instances) - 1e-12 && data.segment.score! <= Math.max(...instances) + 1e-12);
    if (instances.length === 1) assert.equal(data.segment.score, instances[0]);
    assert.equal(data.region.score, null);
  });

  test('minScore keeps exactly the regions scored at least it, in order, from the cached answer', async () => {
    const all = await gateway.graphql<{ image: { objects: (Scored & { box: { x1: number } })[] } }>(
      `query($image: String!) { image(base64: $image) { objects(generation: ${GENERATION}) { score box { x1 } } } }`,
      { image },
    );
    const objects = all.body.data!.image.objects;
    const scores = objects.map((object) => object.score!);
    const threshold = [...scores].sort((a, b) => a - b)[Math.floor(scores.length / 2)]!;
    const jobsBefore = gateway.services.runner.stats().jobs;
    const { body } = await gateway.graphql<{ image: { kept: (Scored & { box: { x1: number } })[]; none: Scored[]; every: Scored[] } }>(
      `query($image: String!, $threshold: Float!) { image(base64: $image) {
        kept: objects(minScore: $threshold, generation: ${GENERATION}) { score box { x1 } }
        none: objects(minScore: 1, generation: ${GENERATION}) { score }
        every: objects(minScore: 0, generation: ${GENERATION}) { score }
      } }`,
      { image, threshold },
    );
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    assert.deepEqual(
      body.data!.image.kept,
      objects.filter((object) => object.score! >= threshold),
    );
    assert.ok(
      body.data!.image.kept.some((object) => object.score === threshold),
      'a score equal to minScore is kept',
    );
    assert.ok(body.data!.image.kept.length < objects.length);
    assert.deepEqual(
      body.data!.image.none,
      objects.filter((object) => object.score === 1).map(({ score }) => ({ score })),
    );
    assert.equal(body.data!.image.every.length, objects.length);
    assert.equal(gateway.services.runner.stats().jobs, jobsBefore, 'filtering reruns nothing');
  });

  test('minScore outside 0..1 is BAD_INPUT on its own field before any work; siblings resolve', async () => {
    const fresh = (await patternPng(120, 90, 9)).toString('base64');
    const jobsBefore = gateway.services.runner.stats().jobs;
    const { status, body } = await gateway.graphql<{ image: { objects: null; textRegions: null; caption: { text: string } } }>(
      `query($image: String!) { image(base64: $image) {
        objects(minScore: 1.5) { score }
        textRegions(minScore: -0.25) { score }
        caption(generation: { maxNewTokens: 8 }) { text }
      } }`,
      { image: fresh },
    );
    assert.equal(status, 200);
    assert.equal(body.data!.image.objects, null);
    assert.equal(body.data!.image.textRegions, null);
    assert.ok(body.data!.image.caption.text.length > 0);
    const byPath = new Map(body.errors!.map((error) => [error.path!.join('.'), error]));
    assert.deepEqual(
      [byPath.get('image.objects'), byPath.get('image.textRegions')].map((error) => [error?.extensions?.code, error?.message]),
      [
        ['BAD_INPUT', 'minScore must be a number from 0 to 1; got 1.5'],
        ['BAD_INPUT', 'minScore must be a number from 0 to 1; got -0.25'],
      ],
    );
    assert.equal(body.errors!.length, 2);
    assert.equal(gateway.services.runner.stats().jobs - jobsBefore, 1, 'only the caption ran');
  });
});

/** A scripted runner whose answers come with the given region scores (and locationScore). */
class ScoredRunner extends ScriptedRunner {
  constructor(
    answers: ScriptedAnswers,
    private readonly scores: Readonly<Record<string, Pick<RunResult, 'regionScores' | 'locationScore'>>>,
  ) {
    super(answers);
  }

  override async run(jobs: readonly TaskJob[]): Promise<(RunResult | Error)[]> {
    const results = await super.run(jobs);
    return results.map((result, i) => (result instanceof Error ? result : { ...result, ...this.scores[jobs[i]!.plan.task] }));
  }
}

describe('filtering rules on scripted answers', () => {
  let image: string;
  before(async () => {
    image = (await patternPng(640, 480, 3)).toString('base64');
  });

  const grounding: TaskResult = {
    bboxes: [
      [0, 0, 10, 10],
      [20, 20, 30, 30],
      [40, 40, 50, 50],
      [60, 60, 70, 70],
    ],
    labels: ['a dog', 'a cat', 'a dog', 'a cat'],
  };
  const found: TaskResult = {
    bboxes: [],
    bboxes_labels: [],
    polygons: [[[10, 10, 60, 10, 60, 50]], [[100, 100, 150, 100, 150, 150]]],
    polygons_labels: ['wheel', 'wheel'],
  };
  const runner = () =>
    new ScoredRunner(
      {
        '<CAPTION_TO_PHRASE_GROUNDING>': grounding,
        '<OPEN_VOCABULARY_DETECTION>': found,
        '<REFERRING_EXPRESSION_SEGMENTATION>': { polygons: [[[1, 1, 9, 1, 9, 9]]], labels: [''] },
      },
      {
        '<CAPTION_TO_PHRASE_GROUNDING>': { regionScores: [0.9, 0.2, 0.5, null], locationScore: 0.4 },
        '<OPEN_VOCABULARY_DETECTION>': { regionScores: [0.3, 0.8], locationScore: 0.5 },
        '<REFERRING_EXPRESSION_SEGMENTATION>': { regionScores: [0.7], locationScore: 0.7 },
      },
    );

  test('ground: phrases keep regions scored ≥ minScore, an emptied phrase is left out, unscored regions pass only without it', async () => {
    const services = await scriptedServices(runner());
    const result = await executeWithBudget(
      services,
      1e9,
      `query($image: String!) { image(base64: $image) {
        all: ground(phrase: "a dog and a cat") { phrase regions { score box { x1 } } }
        half: ground(phrase: "a dog and a cat", minScore: 0.5) { phrase regions { score box { x1 } } }
        high: ground(phrase: "a dog and a cat", minScore: 0.95) { phrase }
      } }`,
      { image },
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    const data = JSON.parse(JSON.stringify(result.data)) as { image: Record<string, unknown> };
    assert.deepEqual(data.image['all'], [
      {
        phrase: 'a dog',
        regions: [
          { score: 0.9, box: { x1: 0 } },
          { score: 0.5, box: { x1: 40 } },
        ],
      },
      {
        phrase: 'a cat',
        regions: [
          { score: 0.2, box: { x1: 20 } },
          { score: null, box: { x1: 60 } },
        ],
      },
    ]);
    assert.deepEqual(data.image['half'], [
      {
        phrase: 'a dog',
        regions: [
          { score: 0.9, box: { x1: 0 } },
          { score: 0.5, box: { x1: 40 } },
        ],
      },
    ]);
    assert.deepEqual(data.image['high'], []);
  });

  test("find: a polygon instance's region and its segment share the instance's score; segment() scores all its polygons", async () => {
    const services = await scriptedServices(runner());
    const result = await executeWithBudget(
      services,
      1e9,
      `query($image: String!) { image(base64: $image) {
        find(query: "wheel", minScore: 0.5) { label score segment { score area } }
        segment(query: "the car") { score }
      } }`,
      { image },
    );
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.deepEqual(JSON.parse(JSON.stringify(result.data)), {
      image: { find: [{ label: 'wheel', score: 0.8, segment: { score: 0.8, area: 1250 } }], segment: { score: 0.7 } },
    });
  });

  test('a result cached before scores existed is computed again, never served without them', async () => {
    const scripted = runner();
    const services = await scriptedServices(scripted);
    const bytes = await patternPng(640, 480, 3);
    const task = '<CAPTION_TO_PHRASE_GROUNDING>';
    const plan = services.runner.plan(task, 'a dog and a cat', { ...services.generationDefaults });
    const key = resultCacheKey({
      modelFingerprint: services.model.fingerprint,
      task,
      input: plan.prompt,
      options: { ...plan.options },
      imageId: imageIdOf(bytes),
    });
    const oldEntry = { task, prompt: plan.prompt, text: '', tokens: [0, 2], score: -1, result: grounding };
    assert.equal(isRunResult(oldEntry), false);
    await services.cache.set(key, oldEntry);
    const query = `query($image: String!) { image(base64: $image) { ground(phrase: "a dog and a cat") { regions { score } } } }`;
    for (let round = 0; round < 2; round++) {
      const result = await executeWithBudget(services, 1e9, query, { image: bytes.toString('base64') });
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      assert.deepEqual(JSON.parse(JSON.stringify(result.data)), {
        image: { ground: [{ regions: [{ score: 0.9 }, { score: 0.5 }] }, { regions: [{ score: 0.2 }, { score: null }] }] },
      });
      assert.equal(scripted.stats().jobs, 1, `round ${round}: computed once, then served from the cache`);
    }
  });

  test('cache entries are served only with per-token log-probabilities aligned with the tokens', () => {
    const entry = {
      task: '<OD>',
      prompt: 'p',
      text: '',
      tokens: [0, 2],
      tokenLogprobs: [0, -0.5],
      score: -0.25,
      result: { bboxes: [], labels: [] },
      regionScores: [],
      locationScore: null,
    };
    assert.equal(isRunResult(entry), true);
    assert.equal(isRunResult({ ...entry, tokenLogprobs: [0] }), false);
    assert.equal(isRunResult({ ...entry, regionScores: ['high'] }), false);
    assert.equal(isRunResult({ ...entry, locationScore: undefined }), false);
  });
});
