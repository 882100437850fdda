import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { floatData } from '../../src/vision/onnxSession.js';
import { Florence2 } from '../../src/vision/florence2.js';
import { TokenEmbeddings } from '../../src/vision/tokenEmbeddings.js';
import { tinyModelDir } from '../helpers/models.js';

describe('TokenEmbeddings', () => {
  it('answers only when every token is known, rows in order', () => {
    const table = new TokenEmbeddings(2);
    assert.equal(table.lookup([[1, 2]]), undefined);
    table.remember([[1, 2]], new Float32Array([10, 11, 20, 21]));
    assert.deepEqual(table.lookup([[2], [1]]), new Float32Array([20, 21, 10, 11]));
    assert.equal(table.lookup([[1, 3]]), undefined);
  });

  it('keeps copies (a caller may reuse its buffer) and forgets the oldest beyond its capacity', () => {
    const table = new TokenEmbeddings(1, 2);
    const buffer = new Float32Array([1, 2, 3]);
    table.remember([[7, 8, 9]], buffer);
    buffer.fill(0);
    assert.equal(table.lookup([[7]]), undefined, 'the oldest went');
    assert.deepEqual(table.lookup([[8, 9]]), new Float32Array([2, 3]));
  });

  it('gives the model what embed_tokens computes, for tokens first seen in other rows and positions', async () => {
    const florence = await Florence2.load(await tinyModelDir());
    try {
      const graphs = florence.graphs;
      await graphs.embed([
        [0, 5, 9],
        [2, 2, 4],
      ]);
      const runsBefore = graphs.usage().embed_tokens.runs;
      const fromTable = await graphs.embed([[9], [4], [0]]);
      assert.equal(graphs.usage().embed_tokens.runs, runsBefore, 'no onnxruntime call for known tokens');
      const direct = await graphs.embedTokens.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from([9n, 4n, 0n]), [3, 1]) });
      assert.deepEqual(fromTable, floatData(direct['inputs_embeds']!));
    } finally {
      await florence.dispose();
    }
  });
});
