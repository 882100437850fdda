/**
 * Misuse of the engine, a public API: bad options are refused at construction with a message
 * naming the option, its range and what arrived (no hang on a zero batch, no spin on a zero vision
 * batch); a vision-encoder failure fails only the jobs of that image; a closed engine answers
 * DISPOSED.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resultCacheKey } from '../../src/cache/cacheKey.js';
import { Engine, type EngineOptions, type ModelBackend } from '../../src/engine/engine.js';
import { Scheduler } from '../../src/engine/scheduler.js';
import type { ImageHandle, TaskJob } from '../../src/engine/taskRunner.js';
import { localPreparer, type ImagePreparer } from '../../src/engine/imagePreparer.js';
import { imageIdOf } from '../../src/images/imageId.js';
import { Florence2, type RunResult } from '../../src/vision/florence2.js';
import { readImageInfo } from '../../src/vision/image.js';
import { patternPng } from '../helpers/images.js';
import { tinyModelDir } from '../helpers/models.js';

const FINGERPRINT = 'f00dfeed';

/** A backend that must never be reached: the options are refused first. */
const UNREACHABLE: ModelBackend = {
  plan: () => {
    throw new Error('plan reached');
  },
  connect: () => {
    throw new Error('connect reached');
  },
};

describe('options', () => {
  const cases: [Partial<EngineOptions>, RegExp][] = [
    [{ maxBatchJobs: 0 }, /^maxBatchJobs must be an integer from 1 to 1024, got 0$/],
    [{ maxBatchJobs: 2.5 }, /^maxBatchJobs must be an integer from 1 to 1024, got 2.5$/],
    [{ maxVisionBatch: 0 }, /^maxVisionBatch must be an integer from 1 to 64, got 0$/],
    [{ batchWindowMs: -1 }, /^batchWindowMs must be a number from 0 to 60000, got -1$/],
    [{ shares: { decode: 0, encode: 1, vision: 1 } }, /^shares.decode must be a number from 0.01 to 100, got 0$/],
    [{ shares: { decode: 1, encode: 1, vision: Number.NaN } }, /^shares.vision must be a number from 0.01 to 100, got NaN$/],
    [{ prefetchImages: 0 }, /^prefetchImages must be an integer from 1 to 64, got 0$/],
    [{ progressIntervalMs: -5 }, /^progressIntervalMs must be a number from 0 to 60000, got -5$/],
    [{ encoderRowsPerCall: 0 }, /^encoderRowsPerCall must be an integer from 1 to 64, got 0$/],
    [{ featureCacheBytes: 0 }, /^featureCacheBytes must be an integer from 1 to \d+, got 0$/],
    [{ maxQueuedJobs: 0 }, /^maxQueuedJobs must be an integer of at least 1, got 0$/],
    [{ policy: 'fifo' as never }, /^policy must be 'continuous' or 'batch', got "fifo"$/],
    [{ modelFingerprint: '' }, /^modelFingerprint must be a non-empty string$/],
  ];
  for (const [options, message] of cases) {
    test(`refuses ${JSON.stringify(options, (_key, value: unknown) => (Number.isNaN(value) ? 'NaN' : value))}`, () => {
      assert.throws(() => new Engine(UNREACHABLE, { modelFingerprint: FINGERPRINT, ...options }), { name: 'RangeError', message });
    });
  }
});

describe('failures stay with their jobs', () => {
  let florence: Florence2;
  let images: ImageHandle[];
  before(async () => {
    florence = await Florence2.load(await tinyModelDir());
    images = await Promise.all(
      [1, 2, 3].map(async (seed) => {
        const bytes = await patternPng(64 + seed, 48, seed + 60);
        const info = await readImageInfo(bytes);
        return { id: imageIdOf(bytes), width: info.width, height: info.height, bytes };
      }),
    );
  });
  after(() => florence.dispose());

  function job(image: ImageHandle, task: string): TaskJob {
    const plan = florence.plan(task, undefined, { maxNewTokens: 6 });
    return {
      key: resultCacheKey({ modelFingerprint: FINGERPRINT, task, input: plan.prompt, options: { ...plan.options }, imageId: image.id }),
      image,
      plan,
    };
  }

  test("a vision-encoder pass that fails on one image of several: only that image's jobs fail", async () => {
    const poisoned = images[1]!.id;
    const local = localPreparer(florence);
    // The poisoned image arrives with pixels of the wrong size, so any pass holding it fails in onnxruntime.
    const poisoning: ImagePreparer = {
      prepare: async (bytes) => {
        const image = await local.prepare(bytes);
        return imageIdOf(bytes) === poisoned ? { ...image, pixelValues: image.pixelValues.subarray(0, 1000) } : image;
      },
    };
    const backend: ModelBackend = {
      plan: (task, input, options) => florence.plan(task, input, options),
      connect: (events, options) => new Scheduler(florence, poisoning, options, events),
    };
    const engine = new Engine(backend, {
      modelFingerprint: FINGERPRINT,
      policy: 'batch',
      batchWindowMs: 50,
      maxVisionBatch: 4,
      prefetchImages: 4,
    });
    const outcomes = await Promise.all(images.map((image) => engine.run([job(image, '<CAPTION>'), job(image, '<OD>')])));
    assert.deepEqual(
      outcomes.map((pair) => pair.map((outcome) => (outcome instanceof Error ? (outcome as { code?: string }).code : 'ok'))),
      [
        ['ok', 'ok'],
        ['MODEL_ERROR', 'MODEL_ERROR'],
        ['ok', 'ok'],
      ],
    );
    const alone = await florence.run(images[0]!.bytes, '<CAPTION>', undefined, { maxNewTokens: 6 });
    assert.deepEqual((outcomes[0]![0] as RunResult).tokens, alone.tokens);
    await engine.close();
  });

  test('a closed engine answers DISPOSED and takes no work', async () => {
    const engine = new Engine(florence, { modelFingerprint: FINGERPRINT });
    await engine.close();
    const [outcome] = await engine.run([job(images[0]!, '<CAPTION>')]);
    assert.equal((outcome as { code?: string }).code, 'DISPOSED');
    assert.equal(engine.stats().jobs, 0);
  });
});
