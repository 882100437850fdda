/**
 * The runtime end to end on the tiny synthetic model: every task, batching, beam search, and the
 * KV cache against a full recomputation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Florence2 } from '../../src/vision/florence2.js';
import { encodePrompts } from '../../src/vision/generation/encodePrompts.js';
import { BeamSearch, GreedySearch, type SearchSettings, type SequenceSearch } from '../../src/vision/generation/search.js';
import { searchSettings } from '../../src/vision/generation/settings.js';
import { TASKS, parseTypeOf } from '../../src/vision/tasks.js';
import { patternPng } from '../helpers/images.js';
import { tinyModelDir } from '../helpers/models.js';

const REGION = '<loc_100><loc_120><loc_600><loc_700>';
const INPUTS: Record<string, string> = {
  '<CAPTION_TO_PHRASE_GROUNDING>': 'A green car parked in front of a yellow building.',
  '<REFERRING_EXPRESSION_SEGMENTATION>': 'a green car',
  '<OPEN_VOCABULARY_DETECTION>': 'wheels',
  '<REGION_TO_SEGMENTATION>': REGION,
  '<REGION_TO_CATEGORY>': REGION,
  '<REGION_TO_DESCRIPTION>': REGION,
  '<REGION_TO_OCR>': REGION,
};

let florence: Florence2;
let images: Buffer[];

before(async () => {
  florence = await Florence2.load(await tinyModelDir());
  images = await Promise.all([patternPng(640, 480, 1), patternPng(300, 500, 2), patternPng(768, 768, 3)]);
});
after(() => florence.dispose());

describe('every task end to end', () => {
  for (const { token } of TASKS) {
    test(token, async () => {
      const run = await florence.run(images[0]!, token, INPUTS[token], { maxNewTokens: 64 });
      assert.equal(run.tokens[0], 0, 'first generated token is the forced <s>');
      assert.equal(run.tokens.at(-1), 2, 'last generated token is </s>');
      assert.match(run.text, /^<\/s><s>.*<\/s>$/s);
      assert.ok(Number.isFinite(run.score) && run.score <= 0);
      const result = run.result;
      // Non-empty answers are a property of the default test model (tiny, seed 1, structured bias:
      // test/helpers/models.ts), whose bias steers every task to a well-formed answer; the unbiased one would not.
      switch (parseTypeOf(token)) {
        case 'pure_text':
          assert.equal(typeof result, 'string');
          assert.ok((result as string).length > 0);
          break;
        case 'ocr':
          assert.ok(typeof result === 'object' && 'quad_boxes' in result && result.quad_boxes.length > 0);
          assert.ok(result.quad_boxes.every((quad) => quad.length === 8));
          break;
        case 'polygons':
          assert.ok(typeof result === 'object' && 'polygons' in result && result.polygons.length > 0);
          assert.ok(result.polygons.flat().every((polygon) => polygon.length % 2 === 0));
          break;
        case 'description_with_bboxes_or_polygons':
          assert.ok(typeof result === 'object' && 'bboxes_labels' in result);
          assert.ok(result.bboxes.length + result.polygons.length > 0);
          break;
        default:
          assert.ok(typeof result === 'object' && 'bboxes' in result && result.bboxes.length > 0, JSON.stringify(result));
          assert.ok(result.bboxes.every((box) => box.length === 4 && box.every((v) => v >= 0 && v <= 640)));
      }
    });
  }

  test('outputs depend on the image and on the prompt', async () => {
    const a = await florence.run(images[0]!, '<CAPTION>');
    const b = await florence.run(images[1]!, '<CAPTION>');
    const c = await florence.run(images[0]!, '<DETAILED_CAPTION>');
    assert.notDeepEqual(a.tokens, b.tokens);
    assert.notDeepEqual(a.tokens, c.tokens);
    assert.deepEqual((await florence.run(images[0]!, '<CAPTION>')).tokens, a.tokens, 'same inputs, same tokens');
  });

  test('coordinates are in pixels of the original image', async () => {
    const run = await florence.run(images[1]!, '<OD>', undefined, { maxNewTokens: 40 });
    const result = run.result as { bboxes: number[][] };
    const bins = [...run.text.matchAll(/<loc_(\d+)>/g)].slice(0, 4).map((m) => Number(m[1]));
    const expected = bins.map((bin, i) => ((bin + 0.5) * (i % 2 === 0 ? 300 : 500)) / 1000);
    assert.deepEqual(result.bboxes[0], expected);
  });
});

describe('batching', () => {
  test('a mixed batch over several images equals each request alone', async () => {
    const requests = [
      { image: images[0]!, task: '<OD>' },
      { image: images[1]!, task: '<CAPTION>' },
      { image: images[0]!, task: '<OPEN_VOCABULARY_DETECTION>', input: 'a very long description of the thing to find' },
      { image: images[2]!, task: '<OCR_WITH_REGION>', options: { maxNewTokens: 12 } },
      { image: images[1]!, task: '<REGION_TO_DESCRIPTION>', input: REGION, options: { numBeams: 3 } },
      { image: images[2]!, task: '<MORE_DETAILED_CAPTION>', options: { numBeams: 2, maxNewTokens: 20 } },
    ];
    const batched = await florence.runBatch(requests);
    for (const [i, request] of requests.entries()) {
      const alone = await florence.run(request.image, request.task, request.input, request.options ?? {});
      assert.deepEqual(batched[i]!.tokens, alone.tokens, `request ${i} (${request.task})`);
      assert.equal(batched[i]!.text, alone.text);
      assert.ok(Math.abs(batched[i]!.score - alone.score) < 1e-4);
    }
    // Lengths differ on the default test model (tiny, seed 1, structured bias), which ends its answers at different steps.
    const lengths = new Set(batched.map((run) => run.tokens.length));
    assert.ok(lengths.size > 1, 'the batch held sequences of different lengths (per-sequence stopping)');
  });

  test('maxNewTokens and minNewTokens bound the length; min = max gives exactly that many tokens', async () => {
    const short = await florence.run(images[0]!, '<CAPTION>', undefined, { maxNewTokens: 5 });
    assert.equal(short.tokens.length, 5);
    assert.equal(short.tokens.at(-1), 2);
    const fixed = await florence.run(images[0]!, '<CAPTION>', undefined, { maxNewTokens: 60, minNewTokens: 60 });
    assert.equal(fixed.tokens.length, 60);
    assert.equal(fixed.tokens.indexOf(2), 59, '</s> only at the end');
  });
});

describe('decoding strategies on the model', () => {
  async function decodeWith(search: SequenceSearch, task: string): Promise<number[]> {
    const [features] = await florence.encodeImages([await florence.prepare(images[0]!)]);
    const plan = florence.plan(task, undefined, { maxNewTokens: 40 });
    let rows = await encodePrompts(florence.graphs, [{ features: features!, promptIds: plan.promptIds }], 1);
    rows = florence.graphs.selectRows(
      rows,
      Array.from({ length: search.rowCount }, () => 0),
    );
    while (!search.done) {
      const step = await florence.graphs.decoderStep(
        rows,
        search.nextTokens().map((token) => [token]),
      );
      const parents = search.advance(step.logits, 0, florence.geometry.vocabSize);
      if (!search.done) rows = florence.graphs.selectRows(step.rows, parents);
    }
    return [...search.output().sequence];
  }

  function settings(numBeams: number): SearchSettings {
    const plan = florence.plan('<OD>', undefined, { maxNewTokens: 40, numBeams });
    return searchSettings(plan.options, florence.folder.config, florence.folder.generation);
  }

  test('beam search with one beam equals greedy, token for token', async () => {
    for (const task of ['<OD>', '<CAPTION>', '<OCR_WITH_REGION>']) {
      const greedy = await decodeWith(new GreedySearch(settings(1)), task);
      const beam = await decodeWith(new BeamSearch(settings(1)), task);
      assert.deepEqual(beam, greedy, task);
    }
  });

  test('beam search with 3 beams runs to </s> with a finite score', async () => {
    const run = await florence.run(images[0]!, '<CAPTION>', undefined, { numBeams: 3, maxNewTokens: 40 });
    assert.equal(run.tokens[0], 0);
    assert.equal(run.tokens.at(-1), 2);
    assert.ok(Number.isFinite(run.score));
  });

  test('cached decoding gives the same logits as recomputing the whole prefix (within 1e-4)', async () => {
    const [features] = await florence.encodeImages([await florence.prepare(images[1]!)]);
    const plan = florence.plan('<OD>', undefined, { maxNewTokens: 30 });
    const encoded = await encodePrompts(florence.graphs, [{ features: features!, promptIds: plan.promptIds }], 1);
    const vocab = florence.geometry.vocabSize;
    const sequence = [2];
    const stepLogits: Float32Array[] = [];
    let rows = encoded;
    for (let step = 0; step < 20; step++) {
      const out = await florence.graphs.decoderStep(rows, [[sequence.at(-1)!]]);
      stepLogits.push(out.logits);
      let best = 0;
      for (let v = 1; v < vocab; v++) if (out.logits[v]! > out.logits[best]!) best = v;
      sequence.push(step === 0 ? 0 : best);
      rows = out.rows;
    }
    const full = await florence.graphs.decoderLogitsWithoutCache(encoded, [sequence.slice(0, 20)]);
    let worst = 0;
    for (let position = 0; position < 20; position++) {
      const cached = stepLogits[position]!;
      for (let v = 0; v < vocab; v++) worst = Math.max(worst, Math.abs(cached[v]! - full[position * vocab + v]!));
    }
    assert.ok(worst < 1e-4, `largest logit difference ${worst}`);
  });
});
