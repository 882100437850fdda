/**
 * The engine's contracts on the tiny model: batched == alone, features computed once per image,
 * coalescing, cancellation, and BUSY when the queue is full.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resultCacheKey } from '../../src/cache/cacheKey.js';
import { BusyError, Engine, type EngineOptions } from '../../src/engine/engine.js';
import type { ImageHandle, TaskJob } from '../../src/engine/taskRunner.js';
import { imageIdOf } from '../../src/images/imageId.js';
import { Florence2, type RunResult } from '../../src/vision/florence2.js';
import type { GenerationOptions } from '../../src/vision/generation/settings.js';
import { readImageInfo } from '../../src/vision/image.js';
import { patternPng } from '../helpers/images.js';
import { tinyModelDir } from '../helpers/models.js';

let florence: Florence2;
let plain: Florence2;
let images: ImageHandle[];

before(async () => {
  florence = await Florence2.load(await tinyModelDir());
  plain = await Florence2.load(await tinyModelDir({ bias: undefined }));
  images = await Promise.all([patternPng(320, 240, 1), patternPng(200, 300, 2), patternPng(500, 500, 3)].map(handle));
});
after(async () => {
  await florence.dispose();
  await plain.dispose();
});

async function handle(bytes: Promise<Buffer>): Promise<ImageHandle> {
  const data = await bytes;
  const info = await readImageInfo(data);
  return { id: imageIdOf(data), width: info.width, height: info.height, bytes: data };
}

function job(model: Florence2, image: ImageHandle, task: string, input?: string, options: GenerationOptions = {}, signal?: AbortSignal): TaskJob {
  const plan = model.plan(task, input, options);
  const key = resultCacheKey({ modelFingerprint: 'f00dfeed', task, input: plan.prompt, options: { ...plan.options }, imageId: image.id });
  return { key, image, plan, ...(signal ? { signal } : {}) };
}

function engine(model: Florence2 = florence, options: Partial<EngineOptions> = {}): Engine {
  return new Engine(model, { modelFingerprint: 'f00dfeed', ...options });
}

function visionRuns(model: Florence2 = florence): number {
  return model.graphs.usage().vision_encoder.runs;
}

describe('batching', () => {
  test('jobs from separate callers inside the window run as one batch, each equal to running it alone', async () => {
    const scheduler = engine(florence, { batchWindowMs: 200 });
    const requests: [ImageHandle, string, string?, GenerationOptions?][] = [
      [images[0]!, '<OD>'],
      [images[1]!, '<CAPTION>'],
      [images[0]!, '<OPEN_VOCABULARY_DETECTION>', 'a long description of something to find'],
      [images[2]!, '<OCR_WITH_REGION>', undefined, { maxNewTokens: 10 }],
      [images[1]!, '<REGION_TO_CATEGORY>', '<loc_10><loc_20><loc_500><loc_600>', { numBeams: 3 }],
    ];
    // Five callers, as five requests would call.
    const outcomes = await Promise.all(requests.map(([image, task, input, options]) => scheduler.run([job(florence, image, task, input, options)])));
    assert.equal(scheduler.stats().batches, 1);
    for (const [i, [image, task, input, options]] of requests.entries()) {
      const [outcome] = outcomes[i]!;
      assert.ok(!(outcome instanceof Error), String(outcome));
      const alone = await florence.run(image.bytes, task, input, options);
      assert.deepEqual((outcome as RunResult).tokens, alone.tokens, task);
      assert.equal((outcome as RunResult).text, alone.text);
    }
  });

  test('a second task on an image does not run preprocessing or the vision encoder', async () => {
    const scheduler = engine();
    const fresh = await handle(patternPng(90, 90, 42));
    const before = visionRuns();
    await scheduler.run([job(florence, fresh, '<CAPTION>')]);
    assert.equal(visionRuns() - before, 1);
    await scheduler.run([job(florence, fresh, '<OD>'), job(florence, fresh, '<OCR>')]);
    await scheduler.run([job(florence, fresh, '<REGION_TO_DESCRIPTION>', '<loc_1><loc_2><loc_300><loc_400>')]);
    assert.equal(visionRuns() - before, 1, 'still one vision-encoder run');
    assert.equal(scheduler.stats().imagesEncoded, 1);
    assert.ok(scheduler.stats().features.hits >= 2);
  });

  test('with maxVisionBatch, several new images of one batch share one vision-encoder call', async () => {
    const scheduler = engine(florence, { batchWindowMs: 100, maxVisionBatch: 4 });
    const fresh = await Promise.all([7, 8, 9].map((seed) => handle(patternPng(64, 64, seed))));
    const before = visionRuns();
    await Promise.all(fresh.map((image) => scheduler.run([job(florence, image, '<CAPTION>')])));
    assert.equal(visionRuns() - before, 1);
    assert.equal(scheduler.stats().imagesEncoded, 3);
  });

  test('by default images go through the vision encoder one at a time (faster per image on a CPU)', async () => {
    const scheduler = engine(florence, { batchWindowMs: 100 });
    const fresh = await Promise.all([17, 18].map((seed) => handle(patternPng(64, 64, seed))));
    const before = visionRuns();
    await Promise.all(fresh.map((image) => scheduler.run([job(florence, image, '<CAPTION>')])));
    assert.equal(visionRuns() - before, 2);
    assert.equal(scheduler.stats().batches, 1, 'still one batch for the encoder and decoder');
  });
});

describe('coalescing', () => {
  test('identical jobs in flight from different callers run once and share the result', async () => {
    const scheduler = engine(florence, { batchWindowMs: 50 });
    const [first, second] = await Promise.all([scheduler.run([job(florence, images[0]!, '<OD>')]), scheduler.run([job(florence, images[0]!, '<OD>')])]);
    assert.equal(scheduler.stats().jobs, 1);
    assert.equal(scheduler.stats().coalesced, 1);
    assert.deepEqual((first[0] as RunResult).tokens, (second[0] as RunResult).tokens);
  });
});

describe('cancellation and limits', () => {
  test('a queued job whose caller gives up is dropped before it runs', async () => {
    const scheduler = engine(florence, { batchWindowMs: 100 });
    const controller = new AbortController();
    const pending = scheduler.run([job(florence, images[1]!, '<DENSE_REGION_CAPTION>', undefined, {}, controller.signal)]);
    const decoderRuns = florence.graphs.usage().decoder_model_merged.runs;
    controller.abort(new Error('client went away'));
    const [outcome] = await pending;
    assert.ok(outcome instanceof Error && outcome.message === 'client went away');
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(scheduler.stats().jobs, 0, 'never ran');
    assert.equal(scheduler.stats().cancelled, 1);
    assert.equal(florence.graphs.usage().decoder_model_merged.runs, decoderRuns);
  });

  test('a running decode drops a cancelled job at the next step; others in the batch finish', async () => {
    // The unbiased model never says </s>, so each job would run all 1024 tokens.
    const scheduler = engine(plain, { batchWindowMs: 20 });
    const controller = new AbortController();
    const doomed = scheduler.run([job(plain, images[0]!, '<CAPTION>', undefined, { maxNewTokens: 1024 }, controller.signal)]);
    const survivor = scheduler.run([job(plain, images[1]!, '<CAPTION>', undefined, { maxNewTokens: 40 })]);
    const before = plain.graphs.usage().decoder_model_merged.runs;
    setTimeout(() => controller.abort(new Error('deadline')), 300);
    const [cancelled] = await doomed;
    const [finished] = await survivor;
    assert.ok(cancelled instanceof Error && cancelled.message === 'deadline');
    assert.equal((finished as RunResult).tokens.length, 40);
    // Wait for the batch to wind down, then check it stopped far short of 1024 steps.
    while (scheduler.stats().queued > 0 || plain.graphs.usage().decoder_model_merged.runs === before) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(plain.graphs.usage().decoder_model_merged.runs - before < 1000, 'the decode loop stopped early');
  });

  test('a coalesced computation keeps running while any caller still wants it', async () => {
    const scheduler = engine(florence, { batchWindowMs: 100 });
    const leaving = new AbortController();
    const a = scheduler.run([job(florence, images[2]!, '<OD>', undefined, {}, leaving.signal)]);
    const b = scheduler.run([job(florence, images[2]!, '<OD>')]);
    leaving.abort(new Error('gone'));
    assert.ok((await a)[0] instanceof Error);
    assert.ok(!((await b)[0] instanceof Error));
    assert.equal(scheduler.stats().cancelled, 0);
  });

  test('a full queue answers BUSY at once', async () => {
    const scheduler = engine(florence, { batchWindowMs: 200, maxQueuedJobs: 2 });
    const accepted = [scheduler.run([job(florence, images[0]!, '<CAPTION>')]), scheduler.run([job(florence, images[1]!, '<CAPTION>')])];
    const [refused] = await scheduler.run([job(florence, images[2]!, '<CAPTION>')]);
    assert.ok(refused instanceof BusyError);
    assert.equal(refused.code, 'BUSY');
    assert.match(refused.message, /busy: 2 model computations are already waiting/);
    assert.ok((await Promise.all(accepted)).every(([outcome]) => !(outcome instanceof Error)));
    assert.equal(scheduler.stats().refused, 1);
  });

  test('a bad image fails its own jobs only', async () => {
    const scheduler = engine(florence, { batchWindowMs: 50 });
    const broken: ImageHandle = { id: `sha256:${'ab'.repeat(32)}`, width: 10, height: 10, bytes: Buffer.from('not an image') };
    const [bad, good] = await Promise.all([scheduler.run([job(florence, broken, '<CAPTION>')]), scheduler.run([job(florence, images[0]!, '<CAPTION>')])]);
    assert.equal((bad[0] as { code?: string }).code, 'BAD_IMAGE');
    assert.ok(!(good[0] instanceof Error));
  });
});
