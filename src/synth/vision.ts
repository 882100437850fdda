/**
 * The vision encoder graph: a DaViT-style tower (conv patch embeddings, then per depth unit a
 * window-attention block and a channel-group-attention block, each with depthwise-conv position
 * encoding and a 4× MLP), followed by Florence-2's head: learned 2-D positions, the cosine temporal
 * embedding for one frame, [spatial-average token ; 576 patch tokens], projection and LayerNorm.
 *
 * Tokens travel as [B, N, C] (channels last, so projections are plain MatMuls) and are turned into
 * NCHW only around convolutions, as DaViT does.
 */
import { attr } from './graph.js';
import type { GraphBuilder } from './graph.js';
import { BIAS_STD, attend, fanInStd, layerNorm, linear, mlp, scale, withScope } from './layers.js';
import type { LayerCtx } from './layers.js';
import { DataType } from './onnx.js';
import { IMAGE_CHANNELS, IMAGE_SIZE, NUM_IMAGE_TOKENS } from './sizes.js';
import type { LanguageDims, VisionDims, VisionStage } from './sizes.js';

/** Gain of the depthwise position-encoding convs: small, so dozens of residual adds stay bounded. */
const POS_CONV_GAIN = 0.2;
const POS_CONV_KERNEL = 3;
/**
 * Init gain of the q and k columns of channel attention. Its scores sum over all N tokens, and the
 * tokens of a random tower share a common component, so the sum grows like √N and the softmax
 * saturates: the tower turns chaotic (1 % input noise or int8 rounding changes its output). A gain
 * of 0.55 (scores × 0.3) keeps it smooth while outputs still depend clearly on the image.
 */
const CHANNEL_QK_GAIN = 0.55;
/** Learned 2-D position tables start small, like nn.Embedding after a truncated-normal init. */
const POS_EMBED_STD = 0.1;

/** A feature map on a height × width grid; `value` is [B, C, H, W] (Nchw) or [B, H·W, C] (Tokens). */
interface FeatureMap {
  readonly value: string;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}
type Nchw = FeatureMap;
type Tokens = FeatureMap;

export function buildVisionEncoder(ctx: LayerCtx, vision: VisionDims, language: LanguageDims): void {
  const { g } = ctx;
  const pixels = g.addInput('pixel_values', DataType.FLOAT, ['batch_size', IMAGE_CHANNELS, IMAGE_SIZE, IMAGE_SIZE]);

  let nchw: Nchw = { value: pixels, channels: IMAGE_CHANNELS, height: IMAGE_SIZE, width: IMAGE_SIZE };
  let tokens: Tokens | undefined;
  vision.stages.forEach((stage, s) => {
    const stageCtx = withScope(ctx, `stage${s + 1}`);
    const name = `vision_tower.convs.${s}`;
    if (tokens !== undefined) {
      // Later stages normalise the previous stage's tokens before downsampling (patch_prenorm).
      const input = stage.patchPreNorm ? { ...tokens, value: layerNorm(stageCtx, tokens.value, `${name}.norm`, tokens.channels) } : tokens;
      nchw = toNchw(g, input);
    }
    tokens = patchEmbed(stageCtx, nchw, stage, name);
    for (let d = 0; d < stage.depth; d++) {
      const blockName = `vision_tower.blocks.${s}.${d}`;
      tokens = spatialBlock(stageCtx, tokens, stage, vision, `${blockName}.spatial_block`);
      tokens = channelBlock(stageCtx, tokens, stage, vision, `${blockName}.channel_block`);
    }
  });
  if (tokens === undefined) throw new Error('vision tower without stages');
  imageHead(withScope(ctx, 'head'), tokens, vision, language);
}

function patchEmbed(ctx: LayerCtx, input: Nchw, stage: VisionStage, name: string): Tokens {
  const { g, w } = ctx;
  const k = stage.patchSize;
  const fanIn = input.channels * k * k;
  const weight = g.floatInitializer(
    `${name}.proj.weight`,
    w.uniform(`${name}.proj.weight`, stage.dim * fanIn, fanInStd(fanIn)),
    [stage.dim, input.channels, k, k],
    'param',
  );
  const bias = g.floatInitializer(`${name}.proj.bias`, w.uniform(`${name}.proj.bias`, stage.dim, BIAS_STD), [stage.dim], 'param');
  const outH = convOut(input.height, k, stage.patchStride, stage.patchPadding);
  const outW = convOut(input.width, k, stage.patchStride, stage.patchPadding);
  ctx.ledger.addMacs(ctx.scope, outH * outW * stage.dim * fanIn);
  const p = stage.patchPadding;
  const conv = g.op1('Conv', [input.value, weight, bias], {
    kernel_shape: attr.ints([k, k]),
    strides: attr.ints([stage.patchStride, stage.patchStride]),
    pads: attr.ints([p, p, p, p]),
  });
  let tokens: Tokens = fromNchw(g, conv, stage.dim, outH, outW);
  if (!stage.patchPreNorm) tokens = { ...tokens, value: layerNorm(ctx, tokens.value, `${name}.norm`, stage.dim) };
  return tokens;
}

function convOut(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

/** [B, C, H, W] -> [B, H·W, C]. */
function fromNchw(g: GraphBuilder, x: string, channels: number, height: number, width: number): Tokens {
  const flat = g.op1('Reshape', [x, g.constI64([-1, channels, height * width])]);
  const value = g.op1('Transpose', [flat], { perm: attr.ints([0, 2, 1]) });
  return { value, channels, height, width };
}

/** [B, H·W, C] -> [B, C, H, W]. */
function toNchw(g: GraphBuilder, t: Tokens): Nchw {
  const transposed = g.op1('Transpose', [t.value], { perm: attr.ints([0, 2, 1]) });
  const value = g.op1('Reshape', [transposed, g.constI64([-1, t.channels, t.height, t.width])]);
  return { value, channels: t.channels, height: t.height, width: t.width };
}

/** ConvPosEnc: x + depthwise 3×3 conv(x). */
function convPosEnc(ctx: LayerCtx, t: Tokens, name: string): Tokens {
  const { g, w } = ctx;
  const k = POS_CONV_KERNEL;
  const c = t.channels;
  const weight = g.floatInitializer(
    `${name}.proj.weight`,
    w.uniform(`${name}.proj.weight`, c * k * k, fanInStd(k * k, POS_CONV_GAIN)),
    [c, 1, k, k],
    'param',
  );
  const bias = g.floatInitializer(`${name}.proj.bias`, w.uniform(`${name}.proj.bias`, c, BIAS_STD), [c], 'param');
  ctx.ledger.addMacs(ctx.scope, t.height * t.width * c * k * k);
  const pad = (k - 1) / 2;
  const conv = g.op1('Conv', [toNchw(g, t).value, weight, bias], {
    group: attr.int(c),
    kernel_shape: attr.ints([k, k]),
    pads: attr.ints([pad, pad, pad, pad]),
  });
  const feat = fromNchw(g, conv, c, t.height, t.width).value;
  return { ...t, value: g.op1('Add', [t.value, feat]) };
}

/** cpe -> x + attention(LN x) -> cpe -> x + MLP(LN x). */
function block(ctx: LayerCtx, t: Tokens, vision: VisionDims, name: string, attention: (normed: string) => string): Tokens {
  const { g } = ctx;
  const n = t.height * t.width;
  let x = convPosEnc(ctx, t, `${name}.conv1`);
  const attn = attention(layerNorm(ctx, x.value, `${name}.norm1`, t.channels));
  x = { ...x, value: g.op1('Add', [x.value, attn]) };
  x = convPosEnc(ctx, x, `${name}.conv2`);
  const ffn = mlp(ctx, layerNorm(ctx, x.value, `${name}.norm2`, t.channels), `${name}.ffn`, t.channels, t.channels * vision.mlpRatio, n);
  return { ...x, value: g.op1('Add', [x.value, ffn]) };
}

/** Window multi-head self-attention on non-overlapping windowSize² windows. */
function spatialBlock(ctx: LayerCtx, t: Tokens, stage: VisionStage, vision: VisionDims, name: string): Tokens {
  const ws = vision.windowSize;
  if (t.height % ws !== 0 || t.width % ws !== 0) throw new Error(`grid ${t.height}×${t.width} is not a multiple of window ${ws}`);
  return block(ctx, t, vision, name, (normed) => {
    const { g } = ctx;
    const c = t.channels;
    const n = t.height * t.width;
    const rowsOfWindows = t.height / ws;
    const colsOfWindows = t.width / ws;
    const windowTokens = ws * ws;
    const headDim = c / stage.heads;
    const grid = g.op1('Reshape', [normed, g.constI64([-1, rowsOfWindows, ws, colsOfWindows, ws, c])]);
    const windowsFirst = g.op1('Transpose', [grid], { perm: attr.ints([0, 1, 3, 2, 4, 5]) });
    const windows = g.op1('Reshape', [windowsFirst, g.constI64([-1, windowTokens, c])]);
    const [q, k, v] = qkvHeads(ctx, windows, `${name}.window_attn.qkv`, c, n, [-1, windowTokens, 3, stage.heads, headDim], [2, 0, 3, 1, 4]);
    ctx.ledger.addMacs(ctx.scope, 2 * n * windowTokens * c);
    const out = attend(g, scale(g, q, 1 / Math.sqrt(headDim)), k, v);
    const merged = g.op1('Reshape', [g.op1('Transpose', [out], { perm: attr.ints([0, 2, 1, 3]) }), g.constI64([-1, windowTokens, c])]);
    const projected = linear(ctx, merged, `${name}.window_attn.proj`, c, c, n);
    const back = g.op1('Reshape', [projected, g.constI64([-1, rowsOfWindows, colsOfWindows, ws, ws, c])]);
    const unwindowed = g.op1('Transpose', [back], { perm: attr.ints([0, 1, 3, 2, 4, 5]) });
    return g.op1('Reshape', [unwindowed, g.constI64([-1, n, c])]);
  });
}

/**
 * Channel-group attention: within each of `groups` channel groups, channels attend to channels
 * over all N tokens (DaViT's ChannelAttention, q scaled by N^-1/2). Written with the transposed
 * score matrix so the softmax runs over axis -2 and no output transpose is needed.
 */
function channelBlock(ctx: LayerCtx, t: Tokens, stage: VisionStage, vision: VisionDims, name: string): Tokens {
  return block(ctx, t, vision, name, (normed) => {
    const { g } = ctx;
    const c = t.channels;
    const n = t.height * t.width;
    const groupDim = c / stage.groups;
    const [q, k, v] = qkvHeads(
      ctx,
      normed,
      `${name}.channel_attn.qkv`,
      c,
      n,
      [-1, n, 3, stage.groups, groupDim],
      [2, 0, 3, 1, 4],
      CHANNEL_QK_GAIN,
    );
    ctx.ledger.addMacs(ctx.scope, (2 * n * c * c) / stage.groups);
    const kT = g.op1('Transpose', [k], { perm: attr.ints([0, 1, 3, 2]) });
    const scoresT = g.op1('MatMul', [kT, scale(g, q, 1 / Math.sqrt(n))]);
    const probsT = g.op1('Softmax', [scoresT], { axis: attr.int(-2) });
    const out = g.op1('MatMul', [v, probsT]);
    const merged = g.op1('Reshape', [g.op1('Transpose', [out], { perm: attr.ints([0, 2, 1, 3]) }), g.constI64([-1, n, c])]);
    return linear(ctx, merged, `${name}.channel_attn.proj`, c, c, n);
  });
}

/** One fused qkv projection, reshaped/permuted into three [B', heads, S, d] tensors. */
function qkvHeads(
  ctx: LayerCtx,
  x: string,
  name: string,
  c: number,
  rows: number,
  shape: readonly number[],
  perm: readonly number[],
  qkGain = 1,
): [string, string, string] {
  const { g } = ctx;
  const qkv = linear(ctx, x, name, c, 3 * c, rows, { leadingColumns: { columns: 2 * c, gain: qkGain } });
  const permuted = g.op1('Transpose', [g.op1('Reshape', [qkv, g.constI64(shape)])], { perm: attr.ints(perm) });
  const pick = (i: number): string => g.op1('Gather', [permuted, g.constI64([i], [])], { axis: attr.int(0) });
  return [pick(0), pick(1), pick(2)];
}

/** Florence-2's image head (INTERFACE.md §3.1). */
function imageHead(ctx: LayerCtx, t: Tokens, vision: VisionDims, language: LanguageDims): void {
  const { g, w } = ctx;
  const c = t.channels;
  const half = c / 2;
  const n = t.height * t.width;
  if (n + 1 !== NUM_IMAGE_TOKENS) throw new Error(`vision tower yields ${n} patch tokens, expected ${NUM_IMAGE_TOKENS - 1}`);

  // learned_abs_2d: [column embedding ; row embedding] per grid cell.
  const rows = vision.maxPosEmbeddings;
  const colTable = g.floatInitializer(
    'image_pos_embed.column_embeddings.weight',
    w.uniform('image_pos_embed.column_embeddings.weight', rows * half, POS_EMBED_STD),
    [rows, half],
    'param',
  );
  const rowTable = g.floatInitializer(
    'image_pos_embed.row_embeddings.weight',
    w.uniform('image_pos_embed.row_embeddings.weight', rows * half, POS_EMBED_STD),
    [rows, half],
    'param',
  );
  const colIdx = g.constI64(Array.from({ length: t.width }, (_, i) => i));
  const rowIdx = g.constI64(Array.from({ length: t.height }, (_, i) => i));
  const gridShape = g.constI64([t.height, t.width, half]);
  const cols = g.op1('Expand', [g.op1('Unsqueeze', [g.op1('Gather', [colTable, colIdx]), g.constI64([0])]), gridShape]);
  const rowsEmb = g.op1('Expand', [g.op1('Unsqueeze', [g.op1('Gather', [rowTable, rowIdx]), g.constI64([1])]), gridShape]);
  const pos = g.op1('Reshape', [g.op1('Concat', [cols, rowsEmb], { axis: attr.int(-1) }), g.constI64([n, c])]);
  let x = g.op1('Add', [t.value, pos]);

  // COSINE temporal embedding of frame 0 (one image = one frame): a fixed sinusoid, not learned.
  x = g.op1('Add', [x, g.floatInitializer('visual_temporal_embed.frame0', cosineFrameZero(c), [c], 'buffer')]);

  // image_feature_source = [spatial_avg_pool, temporal_avg_pool]: mean token, then the 576 tokens
  // (the temporal average over a single frame is the frame itself).
  const mean = g.op1('ReduceMean', [x], { axes: attr.ints([1]), keepdims: attr.int(1) });
  const features = g.op1('Concat', [mean, x], { axis: attr.int(1) });
  const projected = linear(ctx, features, 'image_projection', c, language.dModel, NUM_IMAGE_TOKENS, { bias: false });
  const out = layerNorm(ctx, projected, 'image_proj_norm', language.dModel, 'image_features');
  g.addOutput(out, DataType.FLOAT, ['batch_size', NUM_IMAGE_TOKENS, language.dModel]);
}

/** Sinusoidal embedding of position 0: sin(0) = 0 in even, cos(0) = 1 in odd channels. */
function cosineFrameZero(dim: number): Float32Array {
  const out = new Float32Array(dim);
  for (let i = 1; i < dim; i += 2) out[i] = 1;
  return out;
}
