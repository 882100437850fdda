/**
 * The gateway over real HTTP against the tiny synthetic model: every field, the cascade in one
 * query, partial errors, the results cache (a repeated query makes no model call) and the
 * per-request batch (8 regions → one runner call).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { patternPng } from '../helpers/images.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
// The result type GraphQL Code Generator derived from the EveryField document below and schema.graphql.
import type { EveryFieldQuery } from '../../examples/gql/graphql.js';

let gateway: TestGateway;
let image: string;
let otherImage: string;

before(async () => {
  gateway = await startTestGateway();
  image = (await patternPng(320, 240, 1)).toString('base64');
  otherImage = (await patternPng(200, 300, 2)).toString('base64');
});
after(() => gateway.stop());

const EVERY_FIELD = /* GraphQL */ `
  query EveryField($image: String!) {
    image(base64: $image) {
      id width height format
      caption { text detail }
      detailed: caption(detail: DETAILED) { text detail }
      paragraph: caption(detail: MORE_DETAILED) { text }
      objects { box { x1 y1 x2 y2 width height } label category description text image { id } }
      denseRegions { label box { x1 } }
      regionProposals { label box { x1 y1 x2 y2 } }
      text
      textRegions { text quad { x y } box { x1 y1 x2 y2 } }
      ground(phrase: "A green car parked in front of a yellow building.") { phrase regions { box { x1 } label } }
      find(query: "wheels") { label box { x1 } segment { area } }
      segment(query: "the car") { polygons { points { x y } } box { x1 } area svgPath }
      region(box: { x1: 10, y1: 20, x2: 200, y2: 180 }) { box { x1 y1 x2 y2 } label category description text segment { area svgPath } }
      task(name: OCR_WITH_REGION) { task prompt text result tokens score }
    }
    model { id fingerprint dtype device hiddenSize decoderLayers tasks }
  }
`;

describe('every field over HTTP', () => {
  test('one query touching every field resolves without errors', async () => {
    const { status, body } = await gateway.graphql<EveryFieldQuery>(EVERY_FIELD, { image });
    assert.equal(status, 200);
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    const data = body.data!.image!;
    assert.match(data.id, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual([data.width, data.height, data.format], [320, 240, 'png']);
    assert.equal(data.caption!.detail, 'BRIEF');
    assert.equal(data.detailed!.detail, 'DETAILED');
    // Non-empty answers (text, objects, lines, phrases, polygons) are what the default test model (tiny, seed 1,
    // structured bias: test/helpers/models.ts) gives on this image; they keep the checks below from passing empty.
    assert.ok(data.caption!.text.length > 0 && data.paragraph!.text.length > 0);
    assert.ok(data.objects!.length > 0);
    for (const object of data.objects!) {
      assert.equal(object.image.id, data.id);
      assert.ok(Math.abs(object.box.width - (object.box.x2 - object.box.x1)) < 1e-9);
      assert.doesNotMatch(object.category!, /<loc_/, 'region answers come without location tokens');
    }
    assert.ok(data.regionProposals!.every((region) => region.label === null));
    assert.ok(data.textRegions!.length > 0 && data.textRegions!.every((line) => line.quad.length === 4));
    assert.ok(data.ground!.length > 0 && data.ground!.every((phrase) => phrase.regions.every((region) => region.label === phrase.phrase)));
    assert.ok(data.segment!.polygons.length > 0 && data.segment!.area > 0);
    assert.match(data.segment!.svgPath, /^M[\d.]+ [\d.]+ L/);
    assert.deepEqual(data.region!.box, { x1: 10, y1: 20, x2: 200, y2: 180 });
    assert.equal(data.region!.label, null);
    assert.equal(data.task!.task, 'OCR_WITH_REGION');
    assert.equal(data.task!.prompt, 'What is the text in the image, with regions?');
    assert.match(data.task!.text, /^<\/s><s>.*<\/s>$/);
    assert.equal(data.task!.tokens[0], 0);
    assert.ok(Array.isArray((data.task!.result as { quad_boxes: unknown }).quad_boxes));
    const model = body.data!.model;
    assert.equal(model.tasks.length, 15);
    assert.equal(model.dtype, 'fp32');
    assert.equal(model.device, 'cpu');
    assert.match(model.fingerprint, /^[0-9a-f]{8,}$/);
  });

  test('answers are those of the runtime: the OD boxes equal the <OD> task result, corners in order', async () => {
    const { body } = await gateway.graphql<{
      image: {
        objects: { box: { x1: number; y1: number; x2: number; y2: number }; label: string }[];
        task: { result: { bboxes: number[][]; labels: string[] } };
      };
    }>(`query($image: String!) { image(base64: $image) { objects { box { x1 y1 x2 y2 } label } task(name: OD) { result } } }`, { image });
    const { objects, task } = body.data!.image;
    // The raw result keeps the model's corner order; GraphQL boxes are top-left first.
    assert.deepEqual(
      objects.map((object) => [object.box.x1, object.box.y1, object.box.x2, object.box.y2]),
      task.result.bboxes.map(([x1 = 0, y1 = 0, x2 = 0, y2 = 0]) => [
        Math.min(x1, x2),
        Math.min(y1, y2),
        Math.max(x1, x2),
        Math.max(y1, y2),
      ]),
    );
    assert.deepEqual(
      objects.map((object) => object.label),
      task.result.labels,
    );
  });
});

describe('the cascade', () => {
  test('caption → grounding of the caption → segment of each region, in one query', async () => {
    const before = gateway.services.runner.stats();
    const { body } = await gateway.graphql<{
      image: {
        caption: {
          text: string;
          phrases: {
            phrase: string;
            regions: { box: { x1: number; y1: number; x2: number; y2: number }; segment: { area: number; svgPath: string } }[];
          }[];
        };
      };
    }>(
      `query Cascade($image: String!) {
        image(base64: $image) { caption { text phrases { phrase regions { box { x1 y1 x2 y2 } segment { area svgPath } } } } }
      }`,
      { image: otherImage },
    );
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    const caption = body.data!.image.caption;
    const regions = caption.phrases.flatMap((phrase) => phrase.regions);
    assert.ok(regions.length > 0, 'the grounding found regions (the default test model does on this image)');
    assert.ok(regions.every((region) => region.segment.svgPath.startsWith('M')));
    const after = gateway.services.runner.stats();
    // Three levels, each one runner batch: caption, then grounding, then every region's segment together.
    assert.equal(after.batches - before.batches, 3);
    assert.equal(after.jobs - before.jobs, 2 + new Set(regions.map((region) => JSON.stringify(region.box))).size);
  });
});

describe('results cache and batching', () => {
  test('a repeated query is served from the cache with zero model calls', async () => {
    const query =
      `query($image: String!) { image(base64: $image) { caption { text phrases { regions { segment { area } } } } objects { ` +
      `label category } text } }`;
    const first = await gateway.graphql(query, { image });
    const before = gateway.services.runner.stats();
    const second = await gateway.graphql(query, { image });
    assert.deepEqual(gateway.services.runner.stats(), before);
    assert.deepEqual(second.body, first.body);
  });

  test('different generation options are different work, cached separately', async () => {
    const query =
      'query($image: String!, $tokens: Int) { image(base64: $image) { caption(generation: { maxNewTokens: $tokens }) { text } } }';
    await gateway.graphql(query, { image, tokens: 6 });
    const before = gateway.services.runner.stats().jobs;
    const short = await gateway.graphql<{ image: { caption: { text: string } } }>(query, { image, tokens: 6 });
    assert.equal(gateway.services.runner.stats().jobs, before, 'same options: cached');
    const longer = await gateway.graphql<{ image: { caption: { text: string } } }>(query, { image, tokens: 12 });
    assert.equal(gateway.services.runner.stats().jobs, before + 1, 'other options: computed');
    assert.notEqual(short.body.data!.image.caption.text, longer.body.data!.image.caption.text);
  });

  test('8 regions of one image are one runner batch of 8 jobs', async () => {
    const boxes = Array.from(
      { length: 8 },
      (_, i) => `r${i}: region(box: { x1: ${i * 10}, y1: ${i * 5}, x2: ${100 + i * 20}, y2: ${120 + i * 10} }) { segment { area } }`,
    );
    const fresh = (await patternPng(256, 256, 9)).toString('base64');
    const before = gateway.services.runner.stats();
    const { body } = await gateway.graphql(`query($image: String!) { image(base64: $image) { ${boxes.join(' ')} } }`, { image: fresh });
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    const after = gateway.services.runner.stats();
    assert.equal(after.batches - before.batches, 1);
    assert.equal(after.jobs - before.jobs, 8);
    assert.equal(after.imagesEncoded - before.imagesEncoded, 1, 'the image is encoded once for all 8');
  });

  test('the same task asked twice in one query runs once', async () => {
    const fresh = (await patternPng(100, 100, 11)).toString('base64');
    const before = gateway.services.runner.stats().jobs;
    const { body } = await gateway.graphql(
      `query($image: String!) { image(base64: $image) { a: objects { label } b: objects { box { x1 } } c: task(name: OD) { text } } }`,
      { image: fresh },
    );
    assert.equal(body.errors, undefined);
    assert.equal(gateway.services.runner.stats().jobs - before, 1);
  });
});

describe('partial errors', () => {
  test('a failing field is null with its error; its siblings and other images still resolve', async () => {
    const { status, body } = await gateway.graphql<{
      good: { caption: { text: string }; bad: null; region: null; ok: { text: string } };
      broken: null;
    }>(
      `query($image: String!) {
        good: image(base64: $image) {
          caption { text }
          bad: segment(query: "   ") { area }
          region: region(box: { x1: 50, y1: 10, x2: 5, y2: 90 }) { box { x1 } }
          ok: caption(detail: DETAILED) { text }
        }
        broken: image(base64: "bm90IGFuIGltYWdl") { id }
      }`,
      { image },
    );
    assert.equal(status, 200);
    assert.ok(body.data!.good.caption.text.length > 0);
    assert.ok(body.data!.good.ok.text.length > 0);
    assert.equal(body.data!.good.bad, null);
    assert.equal(body.data!.broken, null);
    const byPath = new Map(body.errors!.map((error) => [error.path!.join('.'), error]));
    assert.equal(byPath.get('good.bad')!.extensions!.code, 'BAD_INPUT');
    assert.equal(byPath.get('good.region')!.extensions!.code, 'BAD_INPUT');
    assert.match(byPath.get('good.region')!.message, /x2 > x1 and y2 > y1; got \(50, 10, 5, 90\)/);
    assert.equal(byPath.get('broken')!.extensions!.code, 'BAD_IMAGE');
    assert.equal(body.errors!.length, 3);
  });

  test('image() needs exactly one source', async () => {
    const none = await gateway.graphql(`{ image { id } }`);
    assert.equal(none.body.errors![0]!.extensions!.code, 'BAD_INPUT');
    assert.equal(none.body.errors![0]!.message, 'give exactly one image source (url, base64 or id); got none');
    const two = await gateway.graphql(`query($image: String!) { image(base64: $image, url: "https://example.com/a.png") { id } }`, {
      image,
    });
    assert.equal(two.body.errors![0]!.message, 'give exactly one image source (url, base64 or id); got base64 and url');
  });

  test('out-of-range generation options are refused by validation', async () => {
    const { body } = await gateway.graphql(
      `query($image: String!) { image(base64: $image) { caption(generation: { numBeams: 99 }) { text } } }`,
      { image },
    );
    assert.equal(body.errors![0]!.extensions!.code, 'BAD_INPUT');
    assert.equal(body.errors![0]!.message, 'numBeams must be an integer from 1 to 16, got 99');
  });

  test('errors carry no stack traces or internals', async () => {
    const { body } = await gateway.graphql(`{ image(id: "sha256:nothex") { id } }`);
    const error = body.errors![0]!;
    assert.deepEqual(Object.keys(error.extensions!), ['code']);
    assert.doesNotMatch(JSON.stringify(body), /at .*\.js:\d+/);
  });
});
