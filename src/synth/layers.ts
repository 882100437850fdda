/**
 * Building blocks shared by the vision tower and the BART graphs. Each helper emits ONNX nodes,
 * draws its weights from the WeightStore and reports its multiply-accumulates to the ledger
 * (`rows` = tokens per image / sequence, used only for that count).
 */
import { attr } from './graph.js';
import type { GraphBuilder } from './graph.js';
import type { ComputeLedger, TensorRole } from './ledger.js';
import { LAYER_NORM_EPS } from './sizes.js';
import type { WeightStore } from './weights.js';

export interface LayerCtx {
  readonly g: GraphBuilder;
  readonly w: WeightStore;
  readonly ledger: ComputeLedger;
  /** Ledger scope the compute of this part is filed under. */
  readonly scope: string;
}

export function withScope(ctx: LayerCtx, scope: string): LayerCtx {
  return { ...ctx, scope };
}

/** Standard deviation that keeps unit-variance inputs at unit variance through a projection. */
export function fanInStd(inDim: number, gain = 1): number {
  return gain / Math.sqrt(inDim);
}

/** Small random biases: enough to make every bias input matter, not enough to dominate. */
export const BIAS_STD = 0.02;
/** LayerNorm gains jitter around 1 so they are not a no-op the runtime could fold away. */
const NORM_GAIN_STD = 0.05;

export interface LinearOptions {
  readonly bias?: boolean;
  readonly std?: number;
  readonly role?: TensorRole;
  /** Extra init gain for the first `columns` output columns (e.g. the q and k parts of a fused qkv). */
  readonly leadingColumns?: { readonly columns: number; readonly gain: number };
}

/** y = x·W (+ b), W stored as [in, out] like torch.onnx exports of nn.Linear on 3-D inputs. */
export function linear(
  ctx: LayerCtx,
  x: string,
  name: string,
  inDim: number,
  outDim: number,
  rows: number,
  opts: LinearOptions = {},
): string {
  const { g, w } = ctx;
  const data = w.uniform(`${name}.weight`, inDim * outDim, opts.std ?? fanInStd(inDim));
  if (opts.leadingColumns) {
    const { columns, gain } = opts.leadingColumns;
    for (let r = 0; r < inDim; r++) for (let c = 0; c < columns; c++) data[r * outDim + c] = (data[r * outDim + c] ?? 0) * gain;
  }
  const weight = g.floatInitializer(`${name}.weight`, data, [inDim, outDim], opts.role ?? 'param');
  ctx.ledger.addMacs(ctx.scope, rows * inDim * outDim);
  const y = g.op1('MatMul', [x, weight]);
  if (opts.bias === false) return y;
  const bias = g.floatInitializer(`${name}.bias`, w.uniform(`${name}.bias`, outDim, BIAS_STD), [outDim], 'param');
  return g.op1('Add', [y, bias]);
}

/** LayerNorm gains: near one by default; `{ mean: 0, std: 1 }` gives random-sign gains of RMS 1. */
export interface NormGains {
  readonly mean: number;
  readonly std: number;
}

export function layerNorm(
  ctx: LayerCtx,
  x: string,
  name: string,
  dim: number,
  output?: string,
  gains: NormGains = { mean: 1, std: NORM_GAIN_STD },
): string {
  const { g, w } = ctx;
  const scale = g.floatInitializer(`${name}.weight`, w.around(`${name}.weight`, dim, gains.mean, gains.std), [dim], 'param');
  const bias = g.floatInitializer(`${name}.bias`, w.uniform(`${name}.bias`, dim, BIAS_STD), [dim], 'param');
  return g.op1('LayerNormalization', [x, scale, bias], { axis: attr.int(-1), epsilon: attr.float(LAYER_NORM_EPS) }, output);
}

/**
 * Exact (erf) GELU, written in the Div-Erf-Add-Mul-Mul form onnxruntime fuses into one Gelu kernel
 * (opset 17 has no Gelu operator).
 */
export function gelu(g: GraphBuilder, x: string): string {
  const scaled = g.op1('Div', [x, g.constF32([Math.SQRT2], [])]);
  const erf = g.op1('Erf', [scaled]);
  const onePlus = g.op1('Add', [erf, g.constF32([1], [])]);
  const times = g.op1('Mul', [x, onePlus]);
  return g.op1('Mul', [times, g.constF32([0.5], [])]);
}

/** fc1 -> GELU -> fc2; `outGain` scales fc2's init (the residual branch's size). */
export function mlp(ctx: LayerCtx, x: string, name: string, dim: number, hidden: number, rows: number, outGain = 1): string {
  const h = gelu(ctx.g, linear(ctx, x, `${name}.fc1`, dim, hidden, rows));
  return linear(ctx, h, `${name}.fc2`, hidden, dim, rows, { std: fanInStd(hidden, outGain) });
}

/** [B, S, heads·hd] -> [B, heads, S, hd]. */
export function splitHeads(g: GraphBuilder, x: string, heads: number, headDim: number): string {
  const reshaped = g.op1('Reshape', [x, g.constI64([0, 0, heads, headDim])]);
  return g.op1('Transpose', [reshaped], { perm: attr.ints([0, 2, 1, 3]) });
}

/** [B, heads, S, hd] -> [B, S, heads·hd]. */
export function mergeHeads(g: GraphBuilder, x: string, dim: number): string {
  const transposed = g.op1('Transpose', [x], { perm: attr.ints([0, 2, 1, 3]) });
  return g.op1('Reshape', [transposed, g.constI64([0, 0, dim])]);
}

/**
 * softmax(q·kᵀ + mask)·v over the last two axes of rank-4 tensors; q is expected pre-scaled.
 * `mask` is additive (0 or a large negative) and broadcast against [B, heads, S_q, S_k].
 */
export function attend(g: GraphBuilder, q: string, k: string, v: string, mask?: string): string {
  const kT = g.op1('Transpose', [k], { perm: attr.ints([0, 1, 3, 2]) });
  let scores = g.op1('MatMul', [q, kT]);
  if (mask !== undefined) scores = g.op1('Add', [scores, mask]);
  const probs = g.op1('Softmax', [scores], { axis: attr.int(-1) });
  return g.op1('MatMul', [probs, v]);
}

/** Multiplies by a scalar constant. */
export function scale(g: GraphBuilder, x: string, factor: number): string {
  return g.op1('Mul', [x, g.constF32([factor], [])]);
}
