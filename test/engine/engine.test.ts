/**
 * The engine's contracts on the tiny model: batched == alone (batch policy and rows joining and
 * leaving the continuous decode loop), features computed once per image, fairness across
 * requesters, coalescing, streaming, cancellation, and BUSY when the queue is full.
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

function job(
  model: Florence2,
  image: ImageHandle,
  task: string,
  input?: string,
  options: GenerationOptions = {},
  signal?: AbortSignal,
): TaskJob {
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

describe('batching (policy batch)', () => {
  test('jobs from separate callers inside the window run as one batch, each equal to running it alone', async () => {
    const scheduler = engine(florence, { policy: 'batch', batchWindowMs: 200 });
    const requests: [ImageHandle, string, (string | undefined)?, GenerationOptions?][] = [
      [images[0]!, '<OD>'],
      [images[1]!, '<CAPTION>'],
      [images[0]!, '<OPEN_VOCABULARY_DETECTION>', 'a long description of something to find'],
      [images[2]!, '<OCR_WITH_REGION>', undefined, { maxNewTokens: 10 }],
      [images[1]!, '<REGION_TO_CATEGORY>', '<loc_10><loc_20><loc_500><loc_600>', { numBeams: 3 }],
    ];
    // Five callers, as five requests would call.
    const outcomes = await Promise.all(
      requests.map(([image, task, input, options]) => scheduler.run([job(florence, image, task, input, options)])),
    );
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
    const scheduler = engine(florence, { policy: 'batch', batchWindowMs: 100, maxVisionBatch: 4 });
    const fresh = await Promise.all([7, 8, 9].map((seed) => handle(patternPng(64, 64, seed))));
    const before = visionRuns();
    await Promise.all(fresh.map((image) => scheduler.run([job(florence, image, '<CAPTION>')])));
    assert.equal(visionRuns() - before, 1);
    assert.equal(scheduler.stats().imagesEncoded, 3);
  });

  test('by default images go through the vision encoder one at a time (faster per image on a CPU)', async () => {
    const scheduler = engine(florence, { policy: 'batch', batchWindowMs: 100 });
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
    const [first, second] = await Promise.all([
      scheduler.run([job(florence, images[0]!, '<OD>')]),
      scheduler.run([job(florence, images[0]!, '<OD>')]),
    ]);
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
    while (scheduler.stats().queued > 0 || plain.graphs.usage().decoder_model_merged.runs === before)
      await new Promise((resolve) => setTimeout(resolve, 20));
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
    const [bad, good] = await Promise.all([
      scheduler.run([job(florence, broken, '<CAPTION>')]),
      scheduler.run([job(florence, images[0]!, '<CAPTION>')]),
    ]);
    assert.equal((bad[0] as { code?: string }).code, 'BAD_IMAGE');
    assert.ok(!(good[0] instanceof Error));
  });
});

describe('continuous decode loop', () => {
  /** Features of `image` cached in `scheduler`, so later jobs start at prefill. */
  async function warm(scheduler: Engine, model: Florence2, image: ImageHandle): Promise<void> {
    await scheduler.run([job(model, image, '<CAPTION>', undefined, { maxNewTokens: 2 })]);
  }

  test('a short job joins while a long one decodes, finishes first, and both equal running alone (greedy)', async () => {
    // The unbiased model never says </s>: each job runs exactly maxNewTokens tokens.
    const scheduler = engine(plain);
    await warm(scheduler, plain, images[0]!);
    await warm(scheduler, plain, images[1]!);
    const order: string[] = [];
    const long = scheduler
      .run([job(plain, images[0]!, '<DETAILED_CAPTION>', undefined, { maxNewTokens: 300 })])
      .then((outcome) => (order.push('long'), outcome));
    // Join once the long job is well into its decode loop.
    const decoderRuns = plain.graphs.usage().decoder_model_merged.runs;
    while (plain.graphs.usage().decoder_model_merged.runs < decoderRuns + 20) await new Promise((resolve) => setTimeout(resolve, 5));
    const short = scheduler
      .run([job(plain, images[1]!, '<OD>', undefined, { maxNewTokens: 12 })])
      .then((outcome) => (order.push('short'), outcome));
    const [[longOutcome], [shortOutcome]] = await Promise.all([long, short]);
    assert.deepEqual(order, ['short', 'long'], 'the short job did not wait for the long one');
    assert.equal(scheduler.stats().batches, 4, 'two warm-ups, then one decode batch per start step');
    assert.deepEqual(
      (longOutcome as RunResult).tokens,
      (await plain.run(images[0]!.bytes, '<DETAILED_CAPTION>', undefined, { maxNewTokens: 300 })).tokens,
    );
    assert.deepEqual(
      (shortOutcome as RunResult).tokens,
      (await plain.run(images[1]!.bytes, '<OD>', undefined, { maxNewTokens: 12 })).tokens,
    );
  });

  test('beam searches joining and leaving mid-loop each equal running alone', async () => {
    const scheduler = engine(florence);
    for (const image of images) await warm(scheduler, florence, image);
    const cases: [ImageHandle, string, string | undefined, GenerationOptions][] = [
      [images[0]!, '<OD>', undefined, { numBeams: 3, maxNewTokens: 60 }],
      [images[1]!, '<CAPTION>', undefined, { numBeams: 2, maxNewTokens: 25 }],
      [images[2]!, '<REGION_TO_DESCRIPTION>', '<loc_100><loc_100><loc_700><loc_800>', { numBeams: 4, maxNewTokens: 40 }],
      [images[0]!, '<OCR_WITH_REGION>', undefined, { maxNewTokens: 30 }],
    ];
    // Staggered starts: each joins a loop in which the earlier ones are decoding.
    const pending: Promise<(RunResult | Error)[]>[] = [];
    for (const [image, task, input, options] of cases) {
      const decoderRuns = florence.graphs.usage().decoder_model_merged.runs;
      pending.push(scheduler.run([job(florence, image, task, input, options)]));
      while (florence.graphs.usage().decoder_model_merged.runs < decoderRuns + 3 && pending.length < cases.length)
        await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const outcomes = await Promise.all(pending);
    for (const [i, [image, task, input, options]] of cases.entries()) {
      const [outcome] = outcomes[i]!;
      assert.ok(!(outcome instanceof Error), String(outcome));
      const alone = await florence.run(image.bytes, task, input, options);
      assert.deepEqual((outcome as RunResult).tokens, alone.tokens, task);
      assert.equal((outcome as RunResult).score, alone.score, task);
    }
    assert.ok(scheduler.stats().batches >= 2 + cases.length, 'each staggered job started its own decode batch');
  });

  test('admission is round-robin across requesters: a caption is not queued behind 12 region jobs of another request', async () => {
    const starts: number[] = [];
    const scheduler = engine(florence, { observer: { batch: (jobs) => starts.push(jobs), stage: () => undefined, task: () => undefined } });
    await warm(scheduler, florence, images[0]!);
    await warm(scheduler, florence, images[1]!);
    starts.length = 0;
    const regions = Array.from({ length: 12 }, (_, i) => ({
      ...job(florence, images[0]!, '<REGION_TO_CATEGORY>', `<loc_${10 * i}><loc_20><loc_${500 + i}><loc_600>`, { maxNewTokens: 8 }),
      requester: 'big query',
    }));
    const big = scheduler.run(regions);
    const caption = scheduler.run([
      { ...job(florence, images[1]!, '<CAPTION>', undefined, { maxNewTokens: 8 }), requester: 'other client' },
    ]);
    await Promise.all([big, caption]);
    // FIFO would encode all 12 region prompts (6 units) first; round-robin encodes the caption second.
    assert.deepEqual(starts, [1, 12]);
  });

  test('requests whose prompts finish encoding one unit apart start as one decode batch; each equals running alone', async () => {
    const starts: number[] = [];
    const scheduler = engine(florence, { observer: { batch: (jobs) => starts.push(jobs), stage: () => undefined, task: () => undefined } });
    await warm(scheduler, florence, images[0]!);
    await warm(scheduler, florence, images[1]!);
    starts.length = 0;
    const [[caption], [objects]] = await Promise.all([
      scheduler.run([{ ...job(florence, images[0]!, '<CAPTION>', undefined, { maxNewTokens: 12 }), requester: 'one client' }]),
      scheduler.run([{ ...job(florence, images[1]!, '<OD>', undefined, { maxNewTokens: 12 }), requester: 'another client' }]),
    ]);
    assert.deepEqual(starts, [2], 'the first waited one encoder unit for the second');
    assert.deepEqual(
      (caption as RunResult).tokens,
      (await florence.run(images[0]!.bytes, '<CAPTION>', undefined, { maxNewTokens: 12 })).tokens,
    );
    assert.deepEqual((objects as RunResult).tokens, (await florence.run(images[1]!.bytes, '<OD>', undefined, { maxNewTokens: 12 })).tokens);
  });

  test('jobs of one request on one image start as one decode batch (a cascade level stays one batch)', async () => {
    const starts: number[] = [];
    const scheduler = engine(florence, { observer: { batch: (jobs) => starts.push(jobs), stage: () => undefined, task: () => undefined } });
    const fresh = await handle(patternPng(120, 80, 77));
    const regions = Array.from({ length: 8 }, (_, i) =>
      job(florence, fresh, '<REGION_TO_SEGMENTATION>', `<loc_${20 * i}><loc_30><loc_${600 + i}><loc_700>`, { maxNewTokens: 10 }),
    );
    const outcomes = await scheduler.run(regions);
    assert.ok(outcomes.every((outcome) => !(outcome instanceof Error)));
    assert.deepEqual(starts, [8]);
  });

  test('a large submission starts decoding a batch at a time instead of after its last prompt is encoded', async () => {
    const starts: number[] = [];
    const scheduler = engine(florence, {
      maxBatchJobs: 4,
      observer: { batch: (jobs) => starts.push(jobs), stage: () => undefined, task: () => undefined },
    });
    await warm(scheduler, florence, images[2]!);
    starts.length = 0;
    const regions = Array.from({ length: 10 }, (_, i) =>
      job(florence, images[2]!, '<REGION_TO_CATEGORY>', `<loc_${i}><loc_40><loc_${700 + i}><loc_800>`, { maxNewTokens: 5 }),
    );
    const outcomes = await scheduler.run(regions);
    assert.ok(outcomes.every((outcome) => !(outcome instanceof Error)));
    assert.deepEqual(starts, [4, 4, 2]);
  });

  test('a stream reports growing text at most once per step and ends with the result of running alone', async () => {
    const scheduler = engine(plain, { progressIntervalMs: 0 });
    const events: { text: string; tokens: number }[] = [];
    const outcome = await scheduler.stream(job(plain, images[2]!, '<MORE_DETAILED_CAPTION>', undefined, { maxNewTokens: 30 }), (progress) =>
      events.push(progress),
    );
    const alone = await plain.run(images[2]!.bytes, '<MORE_DETAILED_CAPTION>', undefined, { maxNewTokens: 30 });
    assert.deepEqual((outcome as RunResult).tokens, alone.tokens);
    assert.deepEqual(
      events.map((event) => event.tokens),
      Array.from({ length: 29 }, (_, i) => i + 1),
      'one event per step before the last (the last step settles the result)',
    );
    for (const event of events)
      assert.ok(alone.text.replace(/<\/s>|<s>/g, '').startsWith(event.text), `${JSON.stringify(event.text)} is a prefix`);
  });

  test('progress events are throttled to the interval', async () => {
    const scheduler = engine(plain, { progressIntervalMs: 60_000 });
    const events: number[] = [];
    await scheduler.stream(job(plain, images[1]!, '<DETAILED_CAPTION>', undefined, { maxNewTokens: 20 }), (progress) =>
      events.push(progress.tokens),
    );
    assert.deepEqual(events, [1], 'the first step reports at once; the rest fall inside the interval');
  });

  test('with the vision encoder in stages, decode steps run between the stages of a new image; answers equal running alone', async () => {
    const staged = await Florence2.load(await tinyModelDir({ bias: undefined }), { visionStages: 4 });
    try {
      assert.equal(staged.graphs.vision.stageCount, 4);
      const work: string[] = [];
      const scheduler = engine(staged, { observer: { batch: () => undefined, stage: (stage) => work.push(stage), task: () => undefined } });
      await warm(scheduler, staged, images[0]!);
      const fresh = await handle(patternPng(90, 140, 78));
      const long = scheduler.run([job(staged, images[0]!, '<DETAILED_CAPTION>', undefined, { maxNewTokens: 200 })]);
      const decoderRuns = staged.graphs.usage().decoder_model_merged.runs;
      while (staged.graphs.usage().decoder_model_merged.runs < decoderRuns + 5) await new Promise((resolve) => setTimeout(resolve, 2));
      work.length = 0;
      const caption = scheduler.run([job(staged, fresh, '<CAPTION>', undefined, { maxNewTokens: 10 })]);
      const [[longOutcome], [captionOutcome]] = await Promise.all([long, caption]);
      const first = work.indexOf('vision');
      const last = work.lastIndexOf('vision');
      assert.equal(work.filter((stage) => stage === 'vision').length, 4, 'one unit per stage');
      assert.ok(work.slice(first, last).includes('decode'), `the long caption kept decoding between stages: ${work.join(' ')}`);
      assert.deepEqual(
        (longOutcome as RunResult).tokens,
        (await plain.run(images[0]!.bytes, '<DETAILED_CAPTION>', undefined, { maxNewTokens: 200 })).tokens,
      );
      assert.deepEqual(
        (captionOutcome as RunResult).tokens,
        (await plain.run(fresh.bytes, '<CAPTION>', undefined, { maxNewTokens: 10 })).tokens,
      );
    } finally {
      await staged.dispose();
    }
  });

  test('policy batch: a job arriving while a batch runs waits for the whole batch', async () => {
    const scheduler = engine(plain, { policy: 'batch', batchWindowMs: 1 });
    await warm(scheduler, plain, images[0]!);
    await warm(scheduler, plain, images[1]!);
    const order: string[] = [];
    const long = scheduler
      .run([job(plain, images[0]!, '<DETAILED_CAPTION>', undefined, { maxNewTokens: 120 })])
      .then(() => order.push('long'));
    const decoderRuns = plain.graphs.usage().decoder_model_merged.runs;
    while (plain.graphs.usage().decoder_model_merged.runs < decoderRuns + 5) await new Promise((resolve) => setTimeout(resolve, 5));
    const short = scheduler.run([job(plain, images[1]!, '<OD>', undefined, { maxNewTokens: 4 })]).then(() => order.push('short'));
    await Promise.all([long, short]);
    assert.deepEqual(order, ['long', 'short']);
  });
});
