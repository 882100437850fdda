/**
 * synthesizeModel: writes a complete random-weight Florence-2 folder with the onnx-community layout
 * (config + tokenizer files, onnx/{vision_encoder,embed_tokens,encoder_model,decoder_model_merged}.onnx
 * and, with q8, their _quantized twins) and reports sizes, parameters and analytic FLOPs.
 */
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSchedule, classMembers, describeSchedule, estimateClassMax, membershipMatrix, resolveBias } from './bias.js';
import type { BiasPattern, BiasSchedule, BiasSettings } from './bias.js';
import { configJson, generationConfigJson, preprocessorConfigJson, processorConfigJson, tokenizerConfigJson } from './configs.js';
import { buildDecoderMerged } from './decoder.js';
import { GraphBuilder, modelProto } from './graph.js';
import { ComputeLedger } from './ledger.js';
import type { LayerCtx } from './layers.js';
import { encodeModel } from './onnx.js';
import { quantizeModel } from './quantize.js';
import { NUM_IMAGE_TOKENS, VOCAB_SIZE, modelDims } from './sizes.js';
import type { ModelDims, ModelSize } from './sizes.js';
import { buildEmbedTokens, buildEncoder, sharedEmbedding } from './textGraphs.js';
import { synthesizeTokenizer, vocabOf, wordTokenIds } from './tokenizer.js';
import { buildVisionEncoder } from './vision.js';
import { WeightStore } from './weights.js';

export const DEFAULT_SEED = 1;
/** Prompt length assumed for the encoder's nominal FLOP count (STACK.md: 577 + 8 tokens). */
const NOMINAL_PROMPT_TOKENS = 8;
/** Past length assumed for the nominal FLOP count of one cached decoder step. */
const NOMINAL_PAST_TOKENS = 20;

export type BiasOption = BiasPattern | (Partial<BiasSettings> & { readonly pattern: BiasPattern });

export interface SynthOptions {
  readonly size: ModelSize;
  readonly outDir: string;
  readonly seed?: number;
  /** Also write onnx/<name>_quantized.onnx (dynamic uint8 MatMul weights). */
  readonly q8?: boolean;
  /** Steer outputs (see bias.ts); absent = plain random model. */
  readonly bias?: BiasOption;
  /** Copy this tokenizer.json instead of synthesising one. */
  readonly tokenizerFile?: string;
  /** Progress lines (the CLI prints them). */
  readonly log?: (line: string) => void;
}

export interface SynthFile {
  /** Relative to the output folder. */
  readonly path: string;
  readonly bytes: number;
}

export interface SynthReport {
  readonly outDir: string;
  readonly size: ModelSize;
  readonly seed: number;
  readonly files: readonly SynthFile[];
  /** Learned parameters, tied embedding counted once (the model-card convention). */
  readonly parameters: number;
  /** Float weights stored in the four fp32 files (adds the decoder's LM-head copy). */
  readonly parametersInFiles: number;
  readonly visionGflops: number;
  readonly visionGflopsByStage: Readonly<Record<string, number>>;
  /** Text encoder over 577 + 8 tokens. */
  readonly encoderGflops: number;
  /** One cached decoder step (past 20, encoder 585 tokens). */
  readonly decoderStepGflops: number;
  readonly bias?: BiasSchedule;
  readonly tokenizer: 'synthetic' | 'copied';
  readonly elapsedMs: number;
}

export const GRAPH_NAMES = ['vision_encoder', 'embed_tokens', 'encoder_model', 'decoder_model_merged'] as const;
export type GraphName = (typeof GRAPH_NAMES)[number];

export async function synthesizeModel(options: SynthOptions): Promise<SynthReport> {
  const started = performance.now();
  const log = options.log ?? ((): void => undefined);
  const dims = modelDims(options.size);
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed must be a non-negative integer, got ${seed}`);
  const out = options.outDir;
  await mkdir(join(out, 'onnx'), { recursive: true });
  const files: SynthFile[] = [];
  const write = async (path: string, data: Uint8Array | string): Promise<void> => {
    await writeFile(join(out, path), data);
    files.push({ path, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength });
  };

  // Tokenizer first: the bias's word class is read from whichever vocabulary ships.
  let tokenizerText: string;
  if (options.tokenizerFile) {
    await copyFile(options.tokenizerFile, join(out, 'tokenizer.json'));
    tokenizerText = await readFile(options.tokenizerFile, 'utf8');
    files.push({ path: 'tokenizer.json', bytes: (await stat(options.tokenizerFile)).size });
  } else {
    tokenizerText = JSON.stringify(synthesizeTokenizer());
    await write('tokenizer.json', tokenizerText);
  }
  await write('tokenizer_config.json', json(tokenizerConfigJson()));

  const weights = new WeightStore(seed);
  let schedule: BiasSchedule | undefined;
  let membership: Float32Array | undefined;
  if (options.bias !== undefined) {
    const members = classMembers(wordTokenIds(vocabOf(tokenizerText)));
    const embedding = sharedEmbedding(weights, dims.language);
    schedule = buildSchedule(resolveBias(options.bias), estimateClassMax(embedding, dims.language.dModel, members, seed));
    membership = membershipMatrix(members, VOCAB_SIZE);
  }

  const ledgers = {} as Record<GraphName, ComputeLedger>;
  for (const name of GRAPH_NAMES) {
    const ledger = new ComputeLedger();
    ledgers[name] = ledger;
    const g = new GraphBuilder(name, ledger);
    const ctx: LayerCtx = { g, w: weights, ledger, scope: name };
    buildGraph(name, ctx, dims, schedule && membership ? { schedule, membership } : undefined);
    const model = modelProto(g, `Synthetic Florence-2-${dims.size} ${name} (random weights, seed ${seed}); not a trained model.`);
    log(`writing onnx/${name}.onnx`);
    await write(`onnx/${name}.onnx`, encodeModel(model));
    if (options.q8) {
      log(`writing onnx/${name}_quantized.onnx`);
      await write(`onnx/${name}_quantized.onnx`, encodeModel(quantizeModel(model)));
    }
  }

  const synthetic = {
    generator: 'florence-gateway model synth',
    note: 'random weights with the onnx-community Florence-2 interface; outputs are meaningless',
    size: dims.size,
    seed,
    q8: options.q8 === true,
    tokenizer: options.tokenizerFile ? 'copied' : 'synthetic',
    bias: schedule ? describeSchedule(schedule) : null,
  };
  await write('config.json', json(configJson(dims, synthetic)));
  await write('generation_config.json', json(generationConfigJson()));
  await write('preprocessor_config.json', json(preprocessorConfigJson()));
  await write('processor_config.json', json(processorConfigJson()));

  const all = Object.values(ledgers);
  const sum = (f: (l: ComputeLedger) => number): number => all.reduce((n, l) => n + f(l), 0);
  const vision = ledgers.vision_encoder;
  const decoderStep = ledgers.decoder_model_merged.flopsByScope();
  return {
    outDir: out,
    size: dims.size,
    seed,
    files,
    parameters: sum((l) => l.elements('param')),
    parametersInFiles: sum((l) => l.elements('param') + l.elements('tied-copy')),
    visionGflops: vision.flops() / 1e9,
    visionGflopsByStage: Object.fromEntries(Object.entries(vision.flopsByScope()).map(([k, v]) => [k, v / 1e9])),
    encoderGflops: ledgers.encoder_model.flops() / 1e9,
    decoderStepGflops: (decoderStep.decoder_model_merged ?? 0) / 1e9,
    ...(schedule ? { bias: schedule } : {}),
    tokenizer: options.tokenizerFile ? 'copied' : 'synthetic',
    elapsedMs: performance.now() - started,
  };
}

function buildGraph(name: GraphName, ctx: LayerCtx, dims: ModelDims, bias: Parameters<typeof buildDecoderMerged>[3]): void {
  const encoderTokens = NUM_IMAGE_TOKENS + NOMINAL_PROMPT_TOKENS;
  switch (name) {
    case 'vision_encoder':
      return buildVisionEncoder(ctx, dims.vision, dims.language);
    case 'embed_tokens':
      return buildEmbedTokens(ctx, dims.language);
    case 'encoder_model':
      return buildEncoder(ctx, dims.language, encoderTokens);
    case 'decoder_model_merged':
      return buildDecoderMerged(ctx, dims.language, { encoderTokens, pastTokens: NOMINAL_PAST_TOKENS }, bias);
  }
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
