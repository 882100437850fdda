/**
 * BART pieces shared by the encoder and the merged decoder (post-LayerNorm layers,
 * normalize_before = false): learned positions with offset 2, head projections, masks, FFN.
 */
import { attr } from './graph.js';
import type { GraphBuilder } from './graph.js';
import { attend, fanInStd, layerNorm, linear, mergeHeads, mlp, scale, splitHeads } from './layers.js';
import type { LayerCtx, NormGains } from './layers.js';
import { MAX_POSITION_EMBEDDINGS, POSITION_OFFSET, headDim } from './sizes.js';
import type { LanguageDims } from './sizes.js';

/**
 * Raw logit scale: the LM head is the embedding matrix and its input is LayerNorm-ed (unit
 * variance per channel), so logits have standard deviation EMBED_STD·√D = LOGIT_STD. The bias
 * steering's class bonus (bias.ts, +20) is an order of magnitude above it.
 */
export const LOGIT_STD = 2;

export function embedStd(dims: LanguageDims): number {
  return LOGIT_STD / Math.sqrt(dims.dModel);
}

/**
 * Query/key projection gain. Above 1 sharpens attention, so individual image patches and prompt
 * tokens (not just their average) steer the output; that is what makes greedy tokens depend on
 * the inputs in a random-weight model.
 */
const QK_GAIN = 2.5;
/**
 * Init gain of the residual branches (out_proj, fc2) of an L-layer stack: 0.85/√L. Each post-LN
 * sublayer adds about gain² of fresh variance, so the total stays the same at any depth and the
 * token/position signal of the input survives all 3L sublayers; with gain 1 a 6-layer random
 * decoder forgets which step it is at and greedy decoding repeats one token.
 */
export function residualGain(layers: number): number {
  return RESIDUAL_GAIN_AT_ONE_LAYER / Math.sqrt(layers);
}
const RESIDUAL_GAIN_AT_ONE_LAYER = 0.85;
/** Additive mask value: exp(-1e9 - max) is exactly 0 in float32, and it cannot overflow to -inf. */
export const MASK_NEG = -1e9;

/** Large negative where the int64 padding mask [B, S] is 0, as [B, 1, 1, S]. */
export function paddingMask(g: GraphBuilder, mask: string): string {
  const asFloat = g.op1('Cast', [mask], { to: attr.int(1) });
  const inverted = g.op1('Sub', [g.constF32([1], []), asFloat]);
  const additive = scale(g, inverted, MASK_NEG);
  return g.op1('Unsqueeze', [additive, g.constI64([1, 2])]);
}

/** Length of axis `axis` of `x` as a scalar int64. */
export function dimScalar(g: GraphBuilder, x: string, axis: number): string {
  const dim = g.op1('Shape', [x], { start: attr.int(axis), end: attr.int(axis + 1) });
  return g.op1('Squeeze', [dim, g.constI64([0])]);
}

/** The learned position table [1024 + 2, D] of the encoder or the decoder. */
export function positionTable(ctx: LayerCtx, name: string, dims: LanguageDims): string {
  const rows = MAX_POSITION_EMBEDDINGS + POSITION_OFFSET;
  return ctx.g.floatInitializer(name, ctx.w.uniform(name, rows * dims.dModel, embedStd(dims)), [rows, dims.dModel], 'param');
}

/** Position embeddings [S, D] for absolute positions `positions` (int64 [S]). */
export function positionEmbeddings(g: GraphBuilder, table: string, positions: string): string {
  const shifted = g.op1('Add', [positions, g.constI64([POSITION_OFFSET], [])]);
  return g.op1('Gather', [table, shifted]);
}

/** [B, S, D] -> heads [B, H, S, hd] through one projection; `gain` shapes the init. */
export function projectHeads(ctx: LayerCtx, x: string, name: string, dims: LanguageDims, rows: number, gain = 1): string {
  const projected = linear(ctx, x, name, dims.dModel, dims.dModel, rows, { std: fanInStd(dims.dModel, gain) });
  return splitHeads(ctx.g, projected, dims.heads, headDim(dims));
}

export function queryHeads(ctx: LayerCtx, x: string, name: string, dims: LanguageDims, rows: number): string {
  // BART multiplies the projected query by head_dim^-1/2.
  return scale(ctx.g, projectHeads(ctx, x, name, dims, rows, QK_GAIN), 1 / Math.sqrt(headDim(dims)));
}

export function keyHeads(ctx: LayerCtx, x: string, name: string, dims: LanguageDims, rows: number): string {
  return projectHeads(ctx, x, name, dims, rows, QK_GAIN);
}

export function valueHeads(ctx: LayerCtx, x: string, name: string, dims: LanguageDims, rows: number): string {
  return projectHeads(ctx, x, name, dims, rows);
}

/**
 * Attention over prepared heads, then out_proj. `queries` × `keys` are the nominal lengths used
 * only for the FLOP count.
 */
export function attentionOutput(
  ctx: LayerCtx,
  q: string,
  k: string,
  v: string,
  mask: string | undefined,
  name: string,
  dims: LanguageDims,
  queries: number,
  keys: number,
  layers: number,
): string {
  ctx.ledger.addMacs(ctx.scope, 2 * queries * keys * dims.dModel);
  const context = attend(ctx.g, q, k, v, mask);
  return linear(ctx, mergeHeads(ctx.g, context, dims.dModel), `${name}.out_proj`, dims.dModel, dims.dModel, queries, {
    std: fanInStd(dims.dModel, residualGain(layers)),
  });
}

/** LayerNorm(residual + sublayer): the post-LN residual of BART. */
export function addNorm(ctx: LayerCtx, residual: string, sublayer: string, name: string, dims: LanguageDims, gains?: NormGains): string {
  return layerNorm(ctx, ctx.g.op1('Add', [residual, sublayer]), name, dims.dModel, undefined, gains);
}

export function feedForward(ctx: LayerCtx, x: string, name: string, dims: LanguageDims, rows: number, layers: number): string {
  return mlp(ctx, x, name, dims.dModel, dims.ffnDim, rows, residualGain(layers));
}
