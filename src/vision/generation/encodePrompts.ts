/**
 * The language-encoder stage: each row is `[image features ; prompt embeddings]` (image first,
 * INTERFACE.md §4), prompts right-padded with `<pad>` and masked, so rows of different prompt
 * lengths share one decode batch and each row's output equals what it would be alone.
 *
 * The encoder itself runs a few rows per call: at base size on a 2-core CPU one or two rows cost
 * ~530 ms each but eight rows ~700 ms each (their 590 × 590 attention maps no longer fit in the
 * caches), so a large batch is encoded in slices and reassembled for the decoder.
 */
import * as ort from 'onnxruntime-node';
import type { DecodeRows, Florence2Graphs } from '../florence2Graphs.js';
import { concatRows } from '../tensorRows.js';

export interface EncoderItem {
  /** Vision-encoder output of the row's image: [577 × D]. */
  readonly features: Float32Array;
  /** Prompt ids with `<s>` … `</s>`. */
  readonly promptIds: readonly number[];
}

/** Rows per encoder call (see above; measured with `npm run bench:tune` and bench/scale notes in the README). */
export const ENCODER_ROWS_PER_CALL = 2;

export async function encodePrompts(
  graphs: Florence2Graphs,
  items: readonly EncoderItem[],
  padTokenId: number,
  rowsPerCall: number = ENCODER_ROWS_PER_CALL,
): Promise<DecodeRows> {
  const { dModel, numImageTokens } = graphs.geometry;
  const batch = items.length;
  const promptLength = Math.max(...items.map((item) => item.promptIds.length));
  const padded = items.map((item) => [...item.promptIds, ...Array<number>(promptLength - item.promptIds.length).fill(padTokenId)]);
  const promptEmbeds = await graphs.embed(padded);

  const length = numImageTokens + promptLength;
  const rowSize = length * dModel;
  const imageSize = numImageTokens * dModel;
  const promptSize = promptLength * dModel;
  const embeds = new Float32Array(batch * rowSize);
  const mask = new BigInt64Array(batch * length);
  items.forEach((item, row) => {
    if (item.features.length !== imageSize) {
      throw new RangeError(`image features hold ${item.features.length} values; expected ${numImageTokens}×${dModel}`);
    }
    embeds.set(item.features, row * rowSize);
    embeds.set(promptEmbeds.subarray(row * promptSize, (row + 1) * promptSize), row * rowSize + imageSize);
    mask.fill(1n, row * length, row * length + numImageTokens + item.promptIds.length);
  });

  const slices: ort.Tensor[] = [];
  for (let start = 0; start < batch; start += rowsPerCall) {
    const end = Math.min(batch, start + rowsPerCall);
    slices.push(
      await graphs.encode(
        embeds.subarray(start * rowSize, end * rowSize),
        mask.subarray(start * length, end * length),
        end - start,
        length,
      ),
    );
  }
  return {
    batch,
    encoderHiddenStates: concatRows(slices),
    encoderAttentionMask: new ort.Tensor('int64', mask, [batch, length]),
    cache: undefined,
  };
}
