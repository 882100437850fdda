/**
 * The four Florence-2 graphs (INTERFACE.md §3) behind typed calls: images → features, ids →
 * embeddings, [features ; prompt] → encoder states, and one merged-decoder step with its KV cache.
 * The model's geometry (layers, heads, head size, width) is read from the sessions' metadata and
 * config, never assumed, so base and large exports both work.
 */
import * as ort from 'onnxruntime-node';
import { ModelFilesError } from './errors.js';
import type { ModelFolder, ModelModule } from './modelFiles.js';
import { OnnxSession, floatData, type ExpectedInterface, type SessionSettings } from './onnxSession.js';
import { gatherRows } from './tensorRows.js';
import { TokenEmbeddings } from './tokenEmbeddings.js';
import { IMAGE_SIZE, VISION_INTERFACE, VisionEncoder } from './visionEncoder.js';

export interface ModelGeometry {
  readonly dModel: number;
  readonly decoderLayers: number;
  readonly decoderHeads: number;
  readonly headDim: number;
  readonly numImageTokens: number;
  readonly vocabSize: number;
  /** Encoder and decoder sequences must stay within the learned position table. */
  readonly maxPositions: number;
  /** The side of the square image the vision encoder takes (768 for every Florence-2). */
  readonly imageSize: number;
}

const PAST_DECODER_KEY = /^past_key_values\.(\d+)\.decoder\.key$/;

const EXPECTED: Record<ModelModule, ExpectedInterface> = {
  vision_encoder: VISION_INTERFACE,
  embed_tokens: { inputs: ['input_ids'], outputs: ['inputs_embeds'] },
  encoder_model: { inputs: ['inputs_embeds', 'attention_mask'], outputs: ['last_hidden_state'] },
  decoder_model_merged: {
    inputs: ['inputs_embeds', 'encoder_hidden_states', 'encoder_attention_mask', 'use_cache_branch'],
    outputs: ['logits'],
  },
};

/** Decoder self-attention and cross-attention K/V of every layer, for a batch of rows. */
export interface KvCache {
  /** `past_key_values.{i}.decoder.{key,value}` → tensor [B, H, P, hd]. */
  readonly decoder: ReadonlyMap<string, ort.Tensor>;
  /** `past_key_values.{i}.encoder.{key,value}` → tensor [B, H, E, hd], computed at step 0. */
  readonly encoder: ReadonlyMap<string, ort.Tensor>;
  readonly pastLength: number;
}

/** The per-row state of a decode: encoder output, its mask, and the cache (absent before step 0). */
export interface DecodeRows {
  readonly batch: number;
  readonly encoderHiddenStates: ort.Tensor;
  readonly encoderAttentionMask: ort.Tensor;
  readonly cache: KvCache | undefined;
}

export interface DecoderStepResult {
  /** Logits of the last position of each row: [B × vocab]. */
  readonly logits: Float32Array;
  readonly rows: DecodeRows;
}

export class Florence2Graphs {
  private readonly pastNames: { decoder: string[]; encoder: string[] };
  private readonly tokenEmbeddings: TokenEmbeddings;

  private constructor(
    readonly vision: VisionEncoder,
    readonly embedTokens: OnnxSession,
    readonly encoder: OnnxSession,
    readonly decoder: OnnxSession,
    readonly geometry: ModelGeometry,
  ) {
    const layers = [...Array(geometry.decoderLayers).keys()];
    const names = (kind: string) => layers.flatMap((i) => [`past_key_values.${i}.${kind}.key`, `past_key_values.${i}.${kind}.value`]);
    this.pastNames = { decoder: names('decoder'), encoder: names('encoder') };
    this.tokenEmbeddings = new TokenEmbeddings(geometry.dModel);
  }

  /** `visionStages` > 1 cuts the vision encoder into that many stages (visionEncoder.ts); 1 runs it whole. */
  static async load(folder: ModelFolder, settings: SessionSettings = {}, visionStages = 1): Promise<Florence2Graphs> {
    const load = (module: ModelModule) => OnnxSession.load(folder.onnx[module], EXPECTED[module], settings);
    // Sequential on purpose: loading in parallel doubles peak memory for no gain on few cores.
    const loaded: OnnxSession[] = [];
    let vision: VisionEncoder | undefined;
    try {
      vision = await VisionEncoder.load(folder.onnx.vision_encoder, settings, visionStages);
      for (const module of ['embed_tokens', 'encoder_model', 'decoder_model_merged'] as const) {
        loaded.push(await load(module));
      }
    } catch (error) {
      await Promise.all([...loaded, ...(vision ? [vision] : [])].map((session) => session.release()));
      throw error;
    }
    const [embedTokens, encoder, decoder] = loaded as [OnnxSession, OnnxSession, OnnxSession];
    const geometry = readGeometry(folder, embedTokens, decoder);
    return new Florence2Graphs(vision, embedTokens, encoder, decoder, geometry);
  }

  /** Token embeddings for rows of equal length → [B, S, D]. */
  async embed(ids: readonly (readonly number[])[]): Promise<Float32Array> {
    const known = this.tokenEmbeddings.lookup(ids);
    if (known) return known;
    const batch = ids.length;
    const length = ids[0]?.length ?? 0;
    const data = new BigInt64Array(batch * length);
    ids.forEach((row, r) => row.forEach((id, c) => (data[r * length + c] = BigInt(id))));
    const out = await this.embedTokens.run({ input_ids: new ort.Tensor('int64', data, [batch, length]) });
    const embeddings = floatData(out['inputs_embeds']!);
    this.tokenEmbeddings.remember(ids, embeddings);
    return embeddings;
  }

  /** The language encoder over `[image features ; prompt embeddings]` rows of length `length`. */
  async encode(inputsEmbeds: Float32Array, attentionMask: BigInt64Array, batch: number, length: number): Promise<ort.Tensor> {
    const { dModel, maxPositions } = this.geometry;
    if (length > maxPositions) {
      throw new ModelFilesError(`encoder input of ${length} tokens exceeds the model's ${maxPositions} positions`);
    }
    const out = await this.encoder.run({
      inputs_embeds: this.encoder.floatInput('inputs_embeds', inputsEmbeds, [batch, length, dModel]),
      attention_mask: new ort.Tensor('int64', attentionMask, [batch, length]),
    });
    const hidden = out['last_hidden_state']!;
    // The decoder may declare a different float type for encoder_hidden_states than the encoder emits.
    const wanted = this.decoder.inputMetadata('encoder_hidden_states').type;
    return hidden.type === wanted ? hidden : this.decoder.floatInput('encoder_hidden_states', floatData(hidden), hidden.dims);
  }

  /**
   * One merged-decoder call. Before step 0 (`rows.cache` absent) the cache inputs are empty
   * `[B, H, 0, hd]` tensors and `use_cache_branch` is false; afterwards the step-0 cross-attention
   * K/V are kept for good (the cache branch's encoder outputs are never fetched: they would only
   * be copied for nothing). `ids` gives each row's new tokens; rows of one call share a length.
   */
  async decoderStep(rows: DecodeRows, ids: readonly (readonly number[])[]): Promise<DecoderStepResult> {
    const { dModel, vocabSize } = this.geometry;
    const steps = ids[0]?.length ?? 0;
    const embeds = await this.embed(ids);
    const useCache = rows.cache !== undefined;
    const feeds: Record<string, ort.Tensor> = {
      inputs_embeds: this.decoder.floatInput('inputs_embeds', embeds, [rows.batch, steps, dModel]),
      encoder_hidden_states: rows.encoderHiddenStates,
      encoder_attention_mask: rows.encoderAttentionMask,
      use_cache_branch: new ort.Tensor('bool', new Uint8Array([useCache ? 1 : 0]), [1]),
    };
    for (const name of [...this.pastNames.decoder, ...this.pastNames.encoder]) {
      feeds[name] = rows.cache?.decoder.get(name) ?? rows.cache?.encoder.get(name) ?? this.emptyPast(name, rows.batch);
    }
    const presentName = (past: string) => past.replace('past_key_values', 'present');
    const fetches = ['logits', ...this.pastNames.decoder.map(presentName), ...(useCache ? [] : this.pastNames.encoder.map(presentName))];
    const out = await this.decoder.run(feeds, fetches);

    const decoderCache = new Map(this.pastNames.decoder.map((name) => [name, out[presentName(name)]!]));
    const encoderCache = rows.cache?.encoder ?? new Map(this.pastNames.encoder.map((name) => [name, out[presentName(name)]!]));
    const allLogits = floatData(out['logits']!);
    return {
      logits: steps === 1 ? allLogits : lastPositions(allLogits, rows.batch, steps, vocabSize),
      rows: { ...rows, cache: { decoder: decoderCache, encoder: encoderCache, pastLength: (rows.cache?.pastLength ?? 0) + steps } },
    };
  }

  /** Full logits [B, s, vocab] of a prefix without a cache: the reference the cached path must equal. */
  async decoderLogitsWithoutCache(rows: DecodeRows, ids: readonly (readonly number[])[]): Promise<Float32Array> {
    const { dModel } = this.geometry;
    const steps = ids[0]?.length ?? 0;
    const feeds: Record<string, ort.Tensor> = {
      inputs_embeds: this.decoder.floatInput('inputs_embeds', await this.embed(ids), [rows.batch, steps, dModel]),
      encoder_hidden_states: rows.encoderHiddenStates,
      encoder_attention_mask: rows.encoderAttentionMask,
      use_cache_branch: new ort.Tensor('bool', new Uint8Array([0]), [1]),
    };
    for (const name of [...this.pastNames.decoder, ...this.pastNames.encoder]) feeds[name] = this.emptyPast(name, rows.batch);
    const out = await this.decoder.run(feeds, ['logits']);
    return floatData(out['logits']!);
  }

  /** Keeps only the given rows (in that order, repeats allowed: beam search clones parents). */
  selectRows(rows: DecodeRows, indices: readonly number[]): DecodeRows {
    if (indices.length === rows.batch && indices.every((index, position) => index === position)) return rows;
    const pick = (tensor: ort.Tensor) => gatherRows(tensor, indices);
    const cache = rows.cache && {
      decoder: new Map([...rows.cache.decoder].map(([name, tensor]) => [name, pick(tensor)])),
      encoder: new Map([...rows.cache.encoder].map(([name, tensor]) => [name, pick(tensor)])),
      pastLength: rows.cache.pastLength,
    };
    return {
      batch: indices.length,
      encoderHiddenStates: pick(rows.encoderHiddenStates),
      encoderAttentionMask: pick(rows.encoderAttentionMask),
      cache,
    };
  }

  /** Runs and busy time per graph since load. */
  usage(): Record<ModelModule, { runs: number; busyMs: number }> {
    return {
      vision_encoder: { ...this.vision.usage },
      embed_tokens: { ...this.embedTokens.usage },
      encoder_model: { ...this.encoder.usage },
      decoder_model_merged: { ...this.decoder.usage },
    };
  }

  async release(): Promise<void> {
    await Promise.all([this.vision, this.embedTokens, this.encoder, this.decoder].map((session) => session.release()));
  }

  private emptyPast(name: string, batch: number): ort.Tensor {
    const { decoderHeads, headDim } = this.geometry;
    const type = this.decoder.inputMetadata(name).type;
    if (type === 'float16') return new ort.Tensor('float16', new Uint16Array(0), [batch, decoderHeads, 0, headDim]);
    return new ort.Tensor('float32', new Float32Array(0), [batch, decoderHeads, 0, headDim]);
  }
}

function lastPositions(logits: Float32Array, batch: number, steps: number, vocab: number): Float32Array {
  const out = new Float32Array(batch * vocab);
  for (let row = 0; row < batch; row++) {
    out.set(logits.subarray((row * steps + steps - 1) * vocab, (row * steps + steps) * vocab), row * vocab);
  }
  return out;
}

/** Geometry from the graphs themselves (checked against config.json where both speak). */
function readGeometry(folder: ModelFolder, embedTokens: OnnxSession, decoder: OnnxSession): ModelGeometry {
  const { config } = folder;
  const layerIndices = decoder.inputNames.flatMap((name) => {
    const match = PAST_DECODER_KEY.exec(name);
    return match ? [Number(match[1])] : [];
  });
  const decoderLayers = layerIndices.length;
  if (decoderLayers === 0) {
    throw new ModelFilesError(`${decoder.file} has no past_key_values.{i}.decoder.key inputs: expected a merged KV-cache decoder`);
  }
  if (decoderLayers !== config.decoderLayers) {
    throw new ModelFilesError(
      `${decoder.file} has ${decoderLayers} decoder layers but config.json text_config.decoder_layers says ${config.decoderLayers}`,
    );
  }
  for (let i = 0; i < decoderLayers; i++) {
    for (const name of [`past_key_values.${i}.decoder.value`, `past_key_values.${i}.encoder.key`, `past_key_values.${i}.encoder.value`]) {
      decoder.inputMetadata(name); // throws ModelFilesError naming the missing input
    }
  }
  const pastShape = decoder.inputMetadata('past_key_values.0.decoder.key').shape;
  const embedShape = embedTokens.outputMetadata('inputs_embeds').shape;
  const dModel = typeof embedShape[2] === 'number' ? embedShape[2] : config.dModel;
  const decoderHeads = typeof pastShape[1] === 'number' ? pastShape[1] : config.decoderHeads;
  const headDim = typeof pastShape[3] === 'number' ? pastShape[3] : dModel / decoderHeads;
  if (dModel !== config.dModel) {
    throw new ModelFilesError(`${embedTokens.file} embeds to width ${dModel} but config.json text_config.d_model says ${config.dModel}`);
  }
  return {
    dModel,
    decoderLayers,
    decoderHeads,
    headDim,
    numImageTokens: config.numImageTokens,
    vocabSize: config.vocabSize,
    maxPositions: config.maxPositionEmbeddings,
    imageSize: IMAGE_SIZE,
  };
}
