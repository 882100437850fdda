/**
 * The language-encoder stage: each row is `[image features ; prompt embeddings]` (image first,
 * INTERFACE.md §4), prompts right-padded with `<pad>` and masked, so rows of different prompt
 * lengths share one encoder call and each row's output equals what it would be alone.
 */
import * as ort from 'onnxruntime-node';
import type { DecodeRows, Florence2Graphs } from '../florence2Graphs.js';

export interface EncoderItem {
  /** Vision-encoder output of the row's image: [577 × D]. */
  readonly features: Float32Array;
  /** Prompt ids with `<s>` … `</s>`. */
  readonly promptIds: readonly number[];
}

export async function encodePrompts(graphs: Florence2Graphs, items: readonly EncoderItem[], padTokenId: number): Promise<DecodeRows> {
  const { dModel, numImageTokens } = graphs.geometry;
  const batch = items.length;
  const promptLength = Math.max(...items.map((item) => item.promptIds.length));
  const padded = items.map((item) => [...item.promptIds, ...Array<number>(promptLength - item.promptIds.length).fill(padTokenId)]);
  const promptEmbeds = await graphs.embed(padded);

  const length = numImageTokens + promptLength;
  const imageSize = numImageTokens * dModel;
  const promptSize = promptLength * dModel;
  const embeds = new Float32Array(batch * length * dModel);
  const mask = new BigInt64Array(batch * length);
  items.forEach((item, row) => {
    if (item.features.length !== imageSize) {
      throw new RangeError(`image features hold ${item.features.length} values; expected ${numImageTokens}×${dModel}`);
    }
    const base = row * length * dModel;
    embeds.set(item.features, base);
    embeds.set(promptEmbeds.subarray(row * promptSize, (row + 1) * promptSize), base + imageSize);
    mask.fill(1n, row * length, row * length + numImageTokens + item.promptIds.length);
  });
  const encoderHiddenStates = await graphs.encode(embeds, mask, batch, length);
  return {
    batch,
    encoderHiddenStates,
    encoderAttentionMask: new ort.Tensor('int64', mask, [batch, length]),
    cache: undefined,
  };
}
