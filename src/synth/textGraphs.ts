/**
 * embed_tokens and encoder_model (INTERFACE.md §3.2, §3.3).
 */
import {
  addNorm,
  attentionOutput,
  dimScalar,
  embedStd,
  feedForward,
  keyHeads,
  paddingMask,
  positionEmbeddings,
  positionTable,
  queryHeads,
  valueHeads,
} from './bart.js';
import { layerNorm } from './layers.js';
import type { LayerCtx } from './layers.js';
import { DataType } from './onnx.js';
import { VOCAB_SIZE } from './sizes.js';
import type { LanguageDims } from './sizes.js';
import type { WeightStore } from './weights.js';

/** The shared token embedding (also the tied LM head); one name so both graphs get the same values. */
export const SHARED_EMBEDDING = 'language_model.model.shared.weight';

export function sharedEmbedding(w: WeightStore, dims: LanguageDims): Float32Array {
  return w.shared(SHARED_EMBEDDING, VOCAB_SIZE * dims.dModel, embedStd(dims));
}

/** input_ids [B, S] -> inputs_embeds [B, S, D]: a plain Gather (scale_embedding = false). */
export function buildEmbedTokens(ctx: LayerCtx, dims: LanguageDims): void {
  const { g } = ctx;
  const ids = g.addInput('input_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  const table = g.floatInitializer(SHARED_EMBEDDING, sharedEmbedding(ctx.w, dims), [VOCAB_SIZE, dims.dModel], 'param');
  const out = g.op1('Gather', [table, ids], {}, 'inputs_embeds');
  g.addOutput(out, DataType.FLOAT, ['batch_size', 'sequence_length', dims.dModel]);
}

/**
 * BART encoder over [image features ; prompt embeddings]. `nominalTokens` (577 + a short prompt)
 * only feeds the FLOP count.
 */
export function buildEncoder(ctx: LayerCtx, dims: LanguageDims, nominalTokens: number): void {
  const { g } = ctx;
  const embeds = g.addInput('inputs_embeds', DataType.FLOAT, ['batch_size', 'encoder_sequence_length', dims.dModel]);
  const mask = g.addInput('attention_mask', DataType.INT64, ['batch_size', 'encoder_sequence_length']);
  const prefix = 'language_model.model.encoder';

  const length = dimScalar(g, embeds, 1);
  const positions = g.op1('Range', [g.constI64([0], []), length, g.constI64([1], [])]);
  const table = positionTable(ctx, `${prefix}.embed_positions.weight`, dims);
  let x = g.op1('Add', [embeds, positionEmbeddings(g, table, positions)]);
  x = layerNorm(ctx, x, `${prefix}.layernorm_embedding`, dims.dModel);

  const maskAdd = paddingMask(g, mask);
  const n = nominalTokens;
  for (let i = 0; i < dims.encoderLayers; i++) {
    const name = `${prefix}.layers.${i}`;
    const q = queryHeads(ctx, x, `${name}.self_attn.q_proj`, dims, n);
    const k = keyHeads(ctx, x, `${name}.self_attn.k_proj`, dims, n);
    const v = valueHeads(ctx, x, `${name}.self_attn.v_proj`, dims, n);
    x = addNorm(
      ctx,
      x,
      attentionOutput(ctx, q, k, v, maskAdd, `${name}.self_attn`, dims, n, n, dims.encoderLayers),
      `${name}.self_attn_layer_norm`,
      dims,
    );
    x = addNorm(ctx, x, feedForward(ctx, x, name, dims, n, dims.encoderLayers), `${name}.final_layer_norm`, dims);
  }
  const out = g.op1('Identity', [x], {}, 'last_hidden_state');
  g.addOutput(out, DataType.FLOAT, ['batch_size', 'encoder_sequence_length', dims.dModel]);
}
