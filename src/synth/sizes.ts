/**
 * Architecture presets. `base` reproduces Florence-2-base's dimensions (INTERFACE.md §1, §6.1);
 * `tiny` keeps every interface constant (vocabulary, 768² input, 577 image tokens, position limit)
 * but shrinks the widths so tests run in milliseconds.
 */

export type ModelSize = 'tiny' | 'base';
export const MODEL_SIZES: readonly ModelSize[] = ['tiny', 'base'];

/** Florence-2's fixed interface numbers, identical for every size. */
export const VOCAB_SIZE = 51289;
export const IMAGE_SIZE = 768;
export const IMAGE_CHANNELS = 3;
/** 1 spatial-average token + 24 × 24 patch tokens. */
export const NUM_IMAGE_TOKENS = 577;
export const MAX_POSITION_EMBEDDINGS = 1024;
/** BART's learned positions are offset by 2 (a fairseq legacy). */
export const POSITION_OFFSET = 2;
export const LAYER_NORM_EPS = 1e-5;

export interface LanguageDims {
  readonly dModel: number;
  readonly encoderLayers: number;
  readonly decoderLayers: number;
  readonly heads: number;
  readonly ffnDim: number;
}

/** One DaViT stage: a conv patch embedding followed by `depth` (spatial + channel) block pairs. */
export interface VisionStage {
  readonly dim: number;
  readonly heads: number;
  readonly groups: number;
  readonly depth: number;
  readonly patchSize: number;
  readonly patchStride: number;
  readonly patchPadding: number;
  /** LayerNorm before the patch conv (stages 2-4) instead of after it (stage 1). */
  readonly patchPreNorm: boolean;
}

export interface VisionDims {
  readonly stages: readonly VisionStage[];
  readonly windowSize: number;
  readonly mlpRatio: number;
  /** Rows/columns of the learned 2-D position table. */
  readonly maxPosEmbeddings: number;
  readonly maxTemporalEmbeddings: number;
}

export interface ModelDims {
  readonly size: ModelSize;
  readonly language: LanguageDims;
  readonly vision: VisionDims;
}

const BASE: ModelDims = {
  size: 'base',
  language: { dModel: 768, encoderLayers: 6, decoderLayers: 6, heads: 12, ffnDim: 3072 },
  vision: {
    stages: [
      { dim: 128, heads: 4, groups: 4, depth: 1, patchSize: 7, patchStride: 4, patchPadding: 3, patchPreNorm: false },
      { dim: 256, heads: 8, groups: 8, depth: 1, patchSize: 3, patchStride: 2, patchPadding: 1, patchPreNorm: true },
      { dim: 512, heads: 16, groups: 16, depth: 9, patchSize: 3, patchStride: 2, patchPadding: 1, patchPreNorm: true },
      { dim: 1024, heads: 32, groups: 32, depth: 1, patchSize: 3, patchStride: 2, patchPadding: 1, patchPreNorm: true },
    ],
    windowSize: 12,
    mlpRatio: 4,
    maxPosEmbeddings: 50,
    maxTemporalEmbeddings: 100,
  },
};

/** One 32×32/stride-32 patch conv straight to the 24×24 grid, then one block pair. */
const TINY: ModelDims = {
  size: 'tiny',
  language: { dModel: 64, encoderLayers: 2, decoderLayers: 2, heads: 2, ffnDim: 128 },
  vision: {
    stages: [{ dim: 64, heads: 2, groups: 2, depth: 1, patchSize: 32, patchStride: 32, patchPadding: 0, patchPreNorm: false }],
    windowSize: 12,
    mlpRatio: 4,
    maxPosEmbeddings: 50,
    maxTemporalEmbeddings: 100,
  },
};

export function modelDims(size: ModelSize): ModelDims {
  return size === 'base' ? BASE : TINY;
}

export function headDim(dims: LanguageDims): number {
  return dims.dModel / dims.heads;
}

/** Florence-2-base's published numbers, for the report's comparison. */
export const REAL_BASE = {
  /** Counting the tied embedding once (the model card's 0.23 B). */
  parameters: 231e6,
  /** What the four fp32 files hold: the decoder keeps its own LM-head copy of the embedding. */
  parametersInFiles: 271e6,
  visionGflops: 380,
} as const;
