/**
 * decoder_model_merged (INTERFACE.md §3.4): the BART decoder + LM head with a real KV cache in one
 * graph. An `If` on use_cache_branch chooses where cross-attention keys/values come from: computed
 * from encoder_hidden_states (false, step 0 or a full recomputation) or taken from the past
 * encoder inputs (true). Self-attention always concatenates the past decoder keys/values (length
 * P, possibly 0) with the new ones, positions start at P, and a causal mask makes s > 1 exact.
 */
import { attr } from './graph.js';
import type { GraphBuilder } from './graph.js';
import {
  MASK_NEG,
  addNorm,
  attentionOutput,
  dimScalar,
  feedForward,
  keyHeads,
  paddingMask,
  positionEmbeddings,
  positionTable,
  queryHeads,
  residualGain,
  valueHeads,
} from './bart.js';
import { BIAS_CLASSES, BIAS_POSITIONS } from './bias.js';
import type { BiasSchedule } from './bias.js';
import { attend, fanInStd, layerNorm, linear, mergeHeads } from './layers.js';
import type { LayerCtx } from './layers.js';
import { DataType } from './onnx.js';
import { VOCAB_SIZE, headDim } from './sizes.js';
import type { LanguageDims } from './sizes.js';
import { sharedEmbedding } from './textGraphs.js';
import { transpose2d } from './weights.js';

/**
 * Gains of the LayerNorm that feeds the tied LM head: zero-mean, RMS 1. With gains near 1 a random
 * decoder reads its own input token back out (h still contains E[token] and the head is E), so greedy
 * decoding repeats itself; random-sign gains keep the logit scale (LOGIT_STD) but remove that echo.
 */
const READOUT_GAINS = { mean: 0, std: 1 } as const;

export interface DecoderBias {
  readonly schedule: BiasSchedule;
  /** [classes × vocab] 0/1 membership. */
  readonly membership: Float32Array;
}

/** Nominal lengths for the FLOP count of one cached step. */
export interface DecoderNominal {
  readonly encoderTokens: number;
  readonly pastTokens: number;
}

export function cacheName(kind: 'past_key_values' | 'present', layer: number, side: 'decoder' | 'encoder', which: 'key' | 'value'): string {
  return `${kind}.${layer}.${side}.${which}`;
}

export function buildDecoderMerged(ctx: LayerCtx, dims: LanguageDims, nominal: DecoderNominal, bias?: DecoderBias): void {
  const { g } = ctx;
  const d = dims.dModel;
  const hd = headDim(dims);
  const prefix = 'language_model.model.decoder';
  const pastDecoderShape = ['batch_size', dims.heads, 'past_decoder_sequence_length', hd];
  const pastEncoderShape = ['batch_size', dims.heads, 'encoder_sequence_length_out', hd];

  const embeds = g.addInput('inputs_embeds', DataType.FLOAT, ['batch_size', 'decoder_sequence_length', d]);
  const encoderStates = g.addInput('encoder_hidden_states', DataType.FLOAT, ['batch_size', 'encoder_sequence_length', d]);
  const encoderMask = g.addInput('encoder_attention_mask', DataType.INT64, ['batch_size', 'encoder_sequence_length']);
  const useCache = g.addInput('use_cache_branch', DataType.BOOL, [1]);
  for (let i = 0; i < dims.decoderLayers; i++) {
    g.addInput(cacheName('past_key_values', i, 'decoder', 'key'), DataType.FLOAT, pastDecoderShape);
    g.addInput(cacheName('past_key_values', i, 'decoder', 'value'), DataType.FLOAT, pastDecoderShape);
    g.addInput(cacheName('past_key_values', i, 'encoder', 'key'), DataType.FLOAT, pastEncoderShape);
    g.addInput(cacheName('past_key_values', i, 'encoder', 'value'), DataType.FLOAT, pastEncoderShape);
  }

  // Absolute positions P … P+s-1 of the new tokens.
  const past = dimScalar(g, cacheName('past_key_values', 0, 'decoder', 'key'), 2);
  const total = g.op1('Add', [past, dimScalar(g, embeds, 1)]);
  const positions = g.op1('Range', [past, total, g.constI64([1], [])]);

  // Causal mask [s, P+s]: query at position P+i sees keys 0 … P+i.
  const keyPositions = g.op1('Range', [g.constI64([0], []), total, g.constI64([1], [])]);
  const allowed = g.op1('LessOrEqual', [keyPositions, g.op1('Unsqueeze', [positions, g.constI64([1])])]);
  const causal = g.op1('Where', [allowed, g.constF32([0], []), g.constF32([MASK_NEG], [])]);
  const crossMask = paddingMask(g, encoderMask);

  const table = positionTable(ctx, `${prefix}.embed_positions.weight`, dims);
  let x = g.op1('Add', [embeds, positionEmbeddings(g, table, positions)]);
  x = layerNorm(ctx, x, `${prefix}.layernorm_embedding`, d);

  // FLOPs are counted for one cached step: 1 new token over nominal.pastTokens + 1 keys.
  const s = 1;
  const keys = nominal.pastTokens + s;
  for (let i = 0; i < dims.decoderLayers; i++) {
    const name = `${prefix}.layers.${i}`;
    const q = queryHeads(ctx, x, `${name}.self_attn.q_proj`, dims, s);
    const newK = keyHeads(ctx, x, `${name}.self_attn.k_proj`, dims, s);
    const newV = valueHeads(ctx, x, `${name}.self_attn.v_proj`, dims, s);
    const k = g.op1(
      'Concat',
      [cacheName('past_key_values', i, 'decoder', 'key'), newK],
      { axis: attr.int(2) },
      cacheName('present', i, 'decoder', 'key'),
    );
    const v = g.op1(
      'Concat',
      [cacheName('past_key_values', i, 'decoder', 'value'), newV],
      { axis: attr.int(2) },
      cacheName('present', i, 'decoder', 'value'),
    );
    x = addNorm(
      ctx,
      x,
      attentionOutput(ctx, q, k, v, causal, `${name}.self_attn`, dims, s, keys, dims.decoderLayers),
      `${name}.self_attn_layer_norm`,
      dims,
    );

    const crossQ = queryHeads(ctx, x, `${name}.encoder_attn.q_proj`, dims, s);
    const crossContext = crossAttention(ctx, dims, i, useCache, encoderStates, crossQ, crossMask, nominal.encoderTokens);
    ctx.ledger.addMacs(ctx.scope, 2 * s * nominal.encoderTokens * d);
    const crossOut = linear(ctx, mergeHeads(g, crossContext, d), `${name}.encoder_attn.out_proj`, d, d, s, {
      std: fanInStd(d, residualGain(dims.decoderLayers)),
    });
    x = addNorm(ctx, x, crossOut, `${name}.encoder_attn_layer_norm`, dims);
    const last = i === dims.decoderLayers - 1;
    x = addNorm(
      ctx,
      x,
      feedForward(ctx, x, name, dims, s, dims.decoderLayers),
      `${name}.final_layer_norm`,
      dims,
      last ? READOUT_GAINS : undefined,
    );
  }

  // LM head: the real export stores its own [D, V] copy of the tied embedding.
  const lmHead = g.floatInitializer(
    'language_model.lm_head.weight',
    transpose2d(sharedEmbedding(ctx.w, dims), VOCAB_SIZE, d),
    [d, VOCAB_SIZE],
    'tied-copy',
  );
  ctx.ledger.addMacs(ctx.scope, s * d * VOCAB_SIZE);
  const finalBias = g.floatInitializer('language_model.final_logits_bias', new Float32Array(VOCAB_SIZE), [1, VOCAB_SIZE], 'buffer');
  const unbiased = g.op1('MatMul', [x, lmHead]);
  if (bias) g.op1('Add', [g.op1('Add', [unbiased, finalBias]), steering(g, positions, bias)], {}, 'logits');
  else g.op1('Add', [unbiased, finalBias], {}, 'logits');

  g.addOutput('logits', DataType.FLOAT, ['batch_size', 'decoder_sequence_length', VOCAB_SIZE]);
  const presentDecoderShape = ['batch_size', dims.heads, 'past_decoder_sequence_length + 1', hd];
  for (let i = 0; i < dims.decoderLayers; i++) {
    g.addOutput(cacheName('present', i, 'decoder', 'key'), DataType.FLOAT, presentDecoderShape);
    g.addOutput(cacheName('present', i, 'decoder', 'value'), DataType.FLOAT, presentDecoderShape);
    g.addOutput(cacheName('present', i, 'encoder', 'key'), DataType.FLOAT, pastEncoderShape);
    g.addOutput(cacheName('present', i, 'encoder', 'value'), DataType.FLOAT, pastEncoderShape);
  }
}

/**
 * Cross-attention of layer `i`, inside an `If` on use_cache_branch, as optimum's merged decoder
 * has it: the cached branch reads the past encoder keys/values where they are (outer-scope values,
 * no copy) and outputs placeholders for present.{i}.encoder.*, which callers ignore on cached
 * steps; the other branch projects encoder_hidden_states, attends, and outputs the keys/values it
 * made. (Passing the past through as outputs would copy ~22 MB per row per step at base size.)
 * Returns the attention context [B, H, s, hd] before the output projection.
 */
function crossAttention(
  ctx: LayerCtx,
  dims: LanguageDims,
  i: number,
  useCache: string,
  encoderStates: string,
  query: string,
  mask: string,
  encoderTokens: number,
): string {
  const { g } = ctx;
  const prefix = 'language_model.model.decoder';
  const withCache = g.subgraph(`layer${i}_cross_attention_cached`);
  const withoutCache = g.subgraph(`layer${i}_cross_attention_uncached`);
  const context = g.names.unique(`layer${i}_cross_attention_context`);
  const presentKey = cacheName('present', i, 'encoder', 'key');
  const presentValue = cacheName('present', i, 'encoder', 'value');

  withCache.addOutput(
    attend(withCache, query, cacheName('past_key_values', i, 'encoder', 'key'), cacheName('past_key_values', i, 'encoder', 'value'), mask),
    DataType.FLOAT,
  );
  for (const which of ['key', 'value'] as const) {
    withCache.addOutput(
      withCache.op1('Identity', [withCache.constF32([0], [1, 1, 1, 1])], {}, withCache.names.unique(`layer${i}_placeholder_${which}`)),
      DataType.FLOAT,
    );
  }

  // Filed apart: a cached step does not run these projections.
  const branchCtx: LayerCtx = { ...ctx, g: withoutCache, scope: 'cross_kv_projection' };
  const key = keyHeads(branchCtx, encoderStates, `${prefix}.layers.${i}.encoder_attn.k_proj`, dims, encoderTokens);
  const value = valueHeads(branchCtx, encoderStates, `${prefix}.layers.${i}.encoder_attn.v_proj`, dims, encoderTokens);
  withoutCache.addOutput(attend(withoutCache, query, key, value, mask), DataType.FLOAT);
  withoutCache.addOutput(key, DataType.FLOAT);
  withoutCache.addOutput(value, DataType.FLOAT);

  g.op('If', [useCache], { then_branch: attr.graph(withCache), else_branch: attr.graph(withoutCache) }, [
    context,
    presentKey,
    presentValue,
  ]);
  return context;
}

/** The logit addend table[positions] · membership, [s, vocab] (see bias.ts). */
function steering(g: GraphBuilder, positions: string, bias: DecoderBias): string {
  const nClasses = BIAS_CLASSES.length;
  const table = g.floatInitializer('synthetic_bias.position_class_table', bias.schedule.table, [BIAS_POSITIONS, nClasses], 'synthetic');
  const membership = g.floatInitializer('synthetic_bias.class_membership', bias.membership, [nClasses, VOCAB_SIZE], 'synthetic');
  const perPosition = g.op1('Gather', [table, positions]);
  return g.op1('MatMul', [perPosition, membership]);
}
