/**
 * `npm run bench:tune`: onnxruntime settings measured on the base-sized synthetic model, stage by
 * stage (vision encoder, text encoder over 8 prompts, a decode step at batch 1 and 8), so the
 * runtime's defaults are the ones that measured fastest here. Prints a table and writes JSON.
 *
 *   node dist/bench/tune.js [--size base|tiny] [--repeat 3] [--out bench/results/tune.json]
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type * as ort from 'onnxruntime-node';
import { ensureSyntheticModel } from '../src/synth/cache.js';
import { Florence2Graphs } from '../src/vision/florence2Graphs.js';
import { encodePrompts } from '../src/vision/generation/encodePrompts.js';
import { openModelFolder, type DtypeOption } from '../src/vision/modelFiles.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: 'base' },
    repeat: { type: 'string', default: '3' },
    out: { type: 'string', default: join(HERE, '..', '..', 'bench', 'results', 'tune.json') },
  },
});

interface Variant {
  readonly name: string;
  readonly dtype: DtypeOption;
  readonly threads: number;
  readonly ortOptions: Partial<ort.InferenceSession.SessionOptions>;
}

const VARIANTS: readonly Variant[] = [
  { name: 'defaults (all optimisations, 2 threads)', dtype: 'fp32', threads: 2, ortOptions: {} },
  { name: '1 intra-op thread', dtype: 'fp32', threads: 1, ortOptions: {} },
  { name: 'graph optimisation: basic', dtype: 'fp32', threads: 2, ortOptions: { graphOptimizationLevel: 'basic' } },
  { name: 'graph optimisation: extended', dtype: 'fp32', threads: 2, ortOptions: { graphOptimizationLevel: 'extended' } },
  { name: 'no memory pattern', dtype: 'fp32', threads: 2, ortOptions: { enableMemPattern: false } },
  { name: 'no CPU memory arena', dtype: 'fp32', threads: 2, ortOptions: { enableCpuMemArena: false } },
  { name: 'q8 (_quantized files)', dtype: 'q8', threads: 2, ortOptions: {} },
  { name: 'q8 decoder only', dtype: { decoder_model_merged: 'q8', embed_tokens: 'q8' }, threads: 2, ortOptions: {} },
];

interface Timing {
  readonly variant: string;
  readonly loadMs: number;
  readonly visionMs: number;
  readonly encoder8Ms: number;
  readonly step1Ms: number;
  readonly step8Ms: number;
}

async function measure(modelDir: string, variant: Variant, repeat: number): Promise<Timing> {
  const folder = openModelFolder(modelDir, variant.dtype);
  const loadStarted = performance.now();
  const graphs = await Florence2Graphs.load(folder, { threads: variant.threads, ortOptions: variant.ortOptions });
  const loadMs = performance.now() - loadStarted;
  const { imageSize, vocabSize } = graphs.geometry;
  const pixels = new Float32Array(3 * imageSize * imageSize).map((_, i) => Math.sin(i / 97));
  const time = async (work: () => Promise<unknown>) => {
    await work(); // warm-up: first runs allocate and plan
    const samples: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const started = performance.now();
      await work();
      samples.push(performance.now() - started);
    }
    return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
  };
  const image = { width: imageSize, height: imageSize, format: 'png' as const, pixelValues: pixels };
  const [features] = await graphs.vision.encodeImages([image]);
  const visionMs = await time(() => graphs.vision.encodeImages([image]));
  const prompts = Array.from({ length: 8 }, (_, i) => ({
    features: features!,
    promptIds: [0, 2264, 16, 5, 11424, 14601, 11445, 9, 976, 1437, 50321 + i, 50601, 51201, 51043, 2],
  }));
  const encoder8Ms = await time(() => encodePrompts(graphs, prompts, 1));
  const step = async (batch: number) => {
    const rows = await encodePrompts(graphs, prompts.slice(0, batch), 1);
    let state = (await graphs.decoderStep(rows, rows.batch === 1 ? [[2]] : Array.from({ length: batch }, () => [2]))).rows;
    // Time steps at a realistic cache length (~20 tokens in).
    for (let i = 0; i < 20; i++)
      state = (
        await graphs.decoderStep(
          state,
          Array.from({ length: batch }, () => [5 + (i % vocabSize)]),
        )
      ).rows;
    return time(() =>
      graphs.decoderStep(
        state,
        Array.from({ length: batch }, () => [7]),
      ),
    );
  };
  const step1Ms = await step(1);
  const step8Ms = await step(8);
  await graphs.release();
  return { variant: variant.name, loadMs, visionMs, encoder8Ms, step1Ms, step8Ms };
}

async function main(): Promise<void> {
  const size = args.size === 'tiny' ? 'tiny' : 'base';
  const modelDir = await ensureSyntheticModel({ size, bias: 'structured', q8: true });
  const repeat = Number(args.repeat);
  const timings: Timing[] = [];
  for (const variant of VARIANTS) {
    timings.push(await measure(modelDir, variant, repeat));
    console.error(`[tune] ${variant.name} done`);
  }
  const base = timings[0]!;
  const rel = (value: number, reference: number) => `${value.toFixed(0)} (${(value / reference).toFixed(2)})`;
  const lines = [
    `onnxruntime settings, synthetic Florence-2-${size}, median of ${repeat} (ms; ratio to defaults)`,
    '',
    '| variant | load | vision encoder | encoder × 8 prompts | decode step, 1 row | decode step, 8 rows |',
    '| --- | --- | --- | --- | --- | --- |',
    ...timings.map(
      (t) =>
        `| ${t.variant} | ${rel(t.loadMs, base.loadMs)} | ${rel(t.visionMs, base.visionMs)} | ` +
        `${rel(t.encoder8Ms, base.encoder8Ms)} | ${rel(t.step1Ms, base.step1Ms)} | ${rel(t.step8Ms, base.step8Ms)} |`,
    ),
  ];
  console.log(lines.join('\n'));
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify({ date: new Date().toISOString(), size, repeat, timings }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
