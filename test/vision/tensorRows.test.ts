/** Row surgery on tensors: gathering rows (repeats allowed) and stacking slices back into one batch. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { concatRows, gatherRows } from '../../src/vision/tensorRows.js';

const rowsOf = (tensor: ort.Tensor) => ({ dims: [...tensor.dims], data: [...(tensor.data as Float32Array | BigInt64Array)] });

test('concatRows stacks slices in order, any element type; one slice is returned as is', () => {
  const a = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [2, 2]);
  const b = new ort.Tensor('float32', Float32Array.from([5, 6]), [1, 2]);
  assert.deepEqual(rowsOf(concatRows([a, b])), { dims: [3, 2], data: [1, 2, 3, 4, 5, 6] });
  assert.equal(concatRows([a]), a);
  const ids = concatRows([
    new ort.Tensor('int64', BigInt64Array.from([1n]), [1, 1]),
    new ort.Tensor('int64', BigInt64Array.from([2n]), [1, 1]),
  ]);
  assert.deepEqual(rowsOf(ids), { dims: [2, 1], data: [1n, 2n] });
});

test('concatRows refuses slices that do not stack, and an empty list', () => {
  const a = new ort.Tensor('float32', new Float32Array(4), [2, 2]);
  assert.throws(
    () => concatRows([a, new ort.Tensor('float32', new Float32Array(3), [1, 3])]),
    /\[1, 3\] slice does not stack on float32 \[2, 2\]/,
  );
  assert.throws(() => concatRows([a, new ort.Tensor('int32', new Int32Array(2), [1, 2])]), /int32 \[1, 2\] slice does not stack/);
  assert.throws(() => concatRows([]), /at least one slice/);
});

test('gatherRows picks rows in the given order, repeats allowed, and refuses a row outside the batch', () => {
  const t = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]);
  assert.deepEqual(rowsOf(gatherRows(t, [2, 0, 0])), { dims: [3, 2], data: [5, 6, 1, 2, 1, 2] });
  assert.throws(() => gatherRows(t, [3]), /row 3 is outside a batch of 3/);
});
