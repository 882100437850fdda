/**
 * Row (batch-axis) surgery on onnxruntime tensors: the decode loop drops finished rows, beam search
 * clones parent beams, and batches are assembled from separately computed parts. Works on every
 * element type, since a row is one contiguous slice of the flat data.
 */
import * as ort from 'onnxruntime-node';

type RowData = Float32Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array;

function rowData(tensor: ort.Tensor): RowData {
  const data = tensor.data;
  if (
    data instanceof Float32Array ||
    data instanceof Uint16Array ||
    data instanceof BigInt64Array ||
    data instanceof Int32Array ||
    data instanceof Uint8Array
  ) {
    return data;
  }
  throw new TypeError(`row operations do not support ${tensor.type} tensors`);
}

function emptyLike(data: RowData, length: number): RowData {
  const Ctor = data.constructor as new (length: number) => RowData;
  return new Ctor(length);
}

/** A tensor whose rows are `indices` of the input, in order (repeats allowed). */
export function gatherRows(tensor: ort.Tensor, indices: readonly number[]): ort.Tensor {
  const data = rowData(tensor);
  const batch = tensor.dims[0] ?? 0;
  const rowSize = batch === 0 ? 0 : data.length / batch;
  const out = emptyLike(data, rowSize * indices.length);
  indices.forEach((index, position) => {
    if (index < 0 || index >= batch) throw new RangeError(`row ${index} is outside a batch of ${batch}`);
    // The typed-array pair always matches (out is built from data's constructor).
    (out as Float32Array).set((data as Float32Array).subarray(index * rowSize, (index + 1) * rowSize), position * rowSize);
  });
  return new ort.Tensor(tensor.type, out as Float32Array, [indices.length, ...tensor.dims.slice(1)]);
}

/** One tensor of the slices' rows, in order: slices of one element type and equal trailing dims. */
export function concatRows(slices: readonly ort.Tensor[]): ort.Tensor {
  const first = slices[0];
  if (first === undefined) throw new RangeError('concatRows needs at least one slice');
  if (slices.length === 1) return first;
  const trailing = first.dims.slice(1).join(',');
  const parts = slices.map((slice) => {
    if (slice.type !== first.type || slice.dims.slice(1).join(',') !== trailing) {
      throw new RangeError(
        `concatRows: a ${slice.type} [${slice.dims.join(', ')}] slice does not stack on ${first.type} [${first.dims.join(', ')}]`,
      );
    }
    return rowData(slice);
  });
  const out = emptyLike(
    parts[0]!,
    parts.reduce((total, part) => total + part.length, 0),
  );
  let offset = 0;
  for (const part of parts) {
    (out as Float32Array).set(part as Float32Array, offset); // same constructor, as in gatherRows
    offset += part.length;
  }
  const rows = slices.reduce((total, slice) => total + (slice.dims[0] ?? 0), 0);
  return new ort.Tensor(first.type, out as Float32Array, [rows, ...first.dims.slice(1)]);
}

/** One row of a tensor: `tensor`'s row number `row`. */
export interface RowRef {
  readonly tensor: ort.Tensor;
  readonly row: number;
}

/**
 * Rows from several tensors stacked into one, each padded at the end of axis 1 to the longest
 * (zeros: a `0` mask entry, or an encoder state that a `0` mask hides), e.g. encoder outputs of
 * prompts of different lengths, encoded separately, joining one decode batch. Tensors share their
 * element type and every axis after the first two. Rows already forming one whole tensor in order
 * are returned as that tensor, without a copy.
 */
export function stackPaddedRows(rows: readonly RowRef[]): ort.Tensor {
  const first = rows[0];
  if (first === undefined) throw new RangeError('stackPaddedRows needs at least one row');
  const whole = rows.every((ref, i) => ref.tensor === first.tensor && ref.row === i) && (first.tensor.dims[0] ?? 0) === rows.length;
  if (whole) return first.tensor;
  const inner = first.tensor.dims.slice(2);
  const innerSize = inner.reduce((product, size) => product * size, 1);
  const length = Math.max(...rows.map((ref) => ref.tensor.dims[1] ?? 0));
  const rowSize = length * innerSize;
  const out = emptyLike(rowData(first.tensor), rowSize * rows.length);
  rows.forEach((ref, position) => {
    const { tensor, row } = ref;
    if (tensor.type !== first.tensor.type || tensor.dims.slice(2).join(',') !== inner.join(',')) {
      throw new RangeError(
        `stackPaddedRows: a ${tensor.type} [${tensor.dims.join(', ')}] row does not stack on ${first.tensor.type} ` +
          `[${first.tensor.dims.join(', ')}]`,
      );
    }
    const batch = tensor.dims[0] ?? 0;
    if (row < 0 || row >= batch) throw new RangeError(`row ${row} is outside a batch of ${batch}`);
    const data = rowData(tensor);
    const size = data.length / batch;
    (out as Float32Array).set((data as Float32Array).subarray(row * size, (row + 1) * size), position * rowSize);
  });
  return new ort.Tensor(first.tensor.type, out as Float32Array, [rows.length, length, ...inner]);
}
