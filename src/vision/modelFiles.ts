/**
 * The layout of an onnx-community Florence-2 folder (INTERFACE.md §2) and the choice of ONNX file
 * per module and dtype. Validates what is there before any session is created, so a broken
 * folder fails with a message naming the file instead of an onnxruntime stack trace.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ModelFilesError } from './errors.js';

/** The four graphs a runtime needs (transformers.js and florence2-sharp load exactly these). */
export const MODEL_MODULES = ['vision_encoder', 'embed_tokens', 'encoder_model', 'decoder_model_merged'] as const;
export type ModelModule = (typeof MODEL_MODULES)[number];

/** File-name suffix per dtype key: transformers.js' `DEFAULT_DTYPE_SUFFIX_MAPPING` (there is no `_q8` file). */
export const DTYPE_SUFFIXES = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
} as const;
export type ModelDtype = keyof typeof DTYPE_SUFFIXES;
/** Every dtype key, in the order the docs list them. */
export const MODEL_DTYPES = Object.keys(DTYPE_SUFFIXES) as ModelDtype[];
/** Full precision: every export has these files, and they match the Python reference. */
export const DEFAULT_DTYPE: ModelDtype = 'fp32';

/** One dtype for every module, or a per-module map (unnamed modules default to fp32). */
export type DtypeOption = ModelDtype | Partial<Record<ModelModule, ModelDtype>>;

export function isModelDtype(value: string): value is ModelDtype {
  return Object.hasOwn(DTYPE_SUFFIXES, value);
}

/** The subset of `config.json` the runtime reads; everything else is ignored. */
export interface Florence2Config {
  readonly modelType: string;
  readonly dModel: number;
  readonly encoderLayers: number;
  readonly decoderLayers: number;
  readonly decoderHeads: number;
  readonly vocabSize: number;
  readonly maxPositionEmbeddings: number;
  readonly numImageTokens: number;
  readonly decoderStartTokenId: number;
  readonly bosTokenId: number;
  readonly eosTokenId: number;
  readonly padTokenId: number;
}

/** Generation defaults from `generation_config.json` (falling back to `text_config`). */
export interface GenerationDefaults {
  readonly numBeams: number;
  readonly noRepeatNgramSize: number;
  readonly lengthPenalty: number;
  readonly earlyStopping: boolean;
  readonly forcedBosTokenId: number;
  readonly forcedEosTokenId: number;
}

export interface ModelFolder {
  readonly dir: string;
  readonly config: Florence2Config;
  readonly generation: GenerationDefaults;
  readonly tokenizerPath: string;
  readonly onnx: Readonly<Record<ModelModule, string>>;
  readonly dtypes: Readonly<Record<ModelModule, ModelDtype>>;
}

/** Resolves and checks every file the runtime needs; throws ModelFilesError naming what is wrong. */
export function openModelFolder(dir: string, dtype: DtypeOption = DEFAULT_DTYPE): ModelFolder {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ModelFilesError(`model folder ${dir} does not exist; expected a folder with config.json, tokenizer.json and onnx/*.onnx`);
  }
  const configJson = readJsonObject(join(dir, 'config.json'));
  const config = parseConfig(configJson, join(dir, 'config.json'));
  const generationPath = join(dir, 'generation_config.json');
  const generationJson = existsSync(generationPath) ? readJsonObject(generationPath) : {};
  const textConfig = asRecord(configJson['text_config']) ?? {};
  const generation = parseGenerationDefaults(generationJson, textConfig);

  const tokenizerPath = join(dir, 'tokenizer.json');
  requireFile(tokenizerPath, 'the tokenizer (tokenizer.json with the 1024 Florence-2 added tokens)');

  const dtypes = resolveDtypes(dtype);
  const onnx = {} as Record<ModelModule, string>;
  for (const module of MODEL_MODULES) {
    const file = join(dir, 'onnx', `${module}${DTYPE_SUFFIXES[dtypes[module]]}.onnx`);
    requireFile(file, `the ${module} graph for dtype ${dtypes[module]}`);
    onnx[module] = file;
  }
  return { dir, config, generation, tokenizerPath, onnx, dtypes };
}

export function resolveDtypes(dtype: DtypeOption): Record<ModelModule, ModelDtype> {
  const perModule = {} as Record<ModelModule, ModelDtype>;
  for (const module of MODEL_MODULES) {
    const chosen = typeof dtype === 'string' ? dtype : (dtype[module] ?? DEFAULT_DTYPE);
    if (!isModelDtype(chosen)) {
      throw new ModelFilesError(
        `unknown dtype "${String(chosen)}" for ${module}; expected one of ${Object.keys(DTYPE_SUFFIXES).join(', ')}`,
      );
    }
    perModule[module] = chosen;
  }
  for (const key of typeof dtype === 'string' ? [] : Object.keys(dtype)) {
    if (!(MODEL_MODULES as readonly string[]).includes(key)) {
      throw new ModelFilesError(`unknown model module "${key}" in the dtype map; expected ${MODEL_MODULES.join(', ')}`);
    }
  }
  return perModule;
}

function requireFile(path: string, what: string): void {
  if (!existsSync(path)) throw new ModelFilesError(`missing ${path}: expected ${what}`);
  if (statSync(path).size === 0) throw new ModelFilesError(`${path} is empty: expected ${what}`);
}

type JsonRecord = Record<string, unknown>;

function asRecord(value: unknown): JsonRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : undefined;
}

function readJsonObject(path: string): JsonRecord {
  requireFile(path, 'a JSON object');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ModelFilesError(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const record = asRecord(parsed);
  if (!record) throw new ModelFilesError(`${path} must hold a JSON object, found ${Array.isArray(parsed) ? 'an array' : typeof parsed}`);
  return record;
}

function readInt(source: JsonRecord, key: string, path: string, fallback?: number): number {
  const value = source[key];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ModelFilesError(`${path}: expected "${key}" to be a non-negative integer, found ${JSON.stringify(value)}`);
  }
  return value;
}

function parseConfig(json: JsonRecord, path: string): Florence2Config {
  const modelType = json['model_type'];
  if (modelType !== 'florence2') {
    throw new ModelFilesError(`${path}: expected model_type "florence2", found ${JSON.stringify(modelType)}`);
  }
  const text = asRecord(json['text_config']);
  if (!text) throw new ModelFilesError(`${path}: expected a "text_config" object (the Florence-2 language model settings)`);
  const textPath = `${path} text_config`;
  return {
    modelType,
    dModel: readInt(text, 'd_model', textPath),
    encoderLayers: readInt(text, 'encoder_layers', textPath),
    decoderLayers: readInt(text, 'decoder_layers', textPath),
    decoderHeads: readInt(text, 'decoder_attention_heads', textPath),
    vocabSize: readInt(text, 'vocab_size', textPath, readInt(json, 'vocab_size', path, 51289)),
    maxPositionEmbeddings: readInt(text, 'max_position_embeddings', textPath, 1024),
    numImageTokens: readInt(json, 'num_image_tokens', path, 577),
    decoderStartTokenId: readInt(text, 'decoder_start_token_id', textPath, 2),
    bosTokenId: readInt(text, 'bos_token_id', textPath, 0),
    eosTokenId: readInt(text, 'eos_token_id', textPath, 2),
    padTokenId: readInt(text, 'pad_token_id', textPath, 1),
  };
}

function parseGenerationDefaults(generation: JsonRecord, text: JsonRecord): GenerationDefaults {
  const pick = <T>(key: string, guard: (v: unknown) => v is T, fallback: T): T => {
    const own = generation[key];
    if (guard(own)) return own;
    const inherited = text[key];
    return guard(inherited) ? inherited : fallback;
  };
  const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
  return {
    numBeams: pick('num_beams', isNumber, 1),
    noRepeatNgramSize: pick('no_repeat_ngram_size', isNumber, 3),
    lengthPenalty: pick('length_penalty', isNumber, 1),
    earlyStopping: pick('early_stopping', isBoolean, true),
    forcedBosTokenId: pick('forced_bos_token_id', isNumber, 0),
    forcedEosTokenId: pick('forced_eos_token_id', isNumber, 2),
  };
}
