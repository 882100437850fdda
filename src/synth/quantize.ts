/**
 * `_quantized` variants, the way onnxruntime's quantize_dynamic builds them (what transformers.js
 * calls dtype q8): every MatMul whose right operand is a 2-D float initializer becomes
 *   DynamicQuantizeLinear(A) -> MatMulInteger(A_q, W_q, A_zp, W_zp) -> Cast -> Mul(A_scale·W_scale)
 * with W stored as per-tensor asymmetric uint8 (uint8×uint8 avoids the int16 saturation of the
 * u8s8 kernels on CPUs without VNNI). Large embedding tables read by Gather are stored as uint8
 * and dequantized after the lookup. Works through `If` branches, whose MatMuls read weights of the
 * outer graph.
 */
import { DataType } from './onnx.js';
import type { GraphProto, ModelProto, NodeProto, TensorProto } from './onnx.js';
import { AttributeType } from './onnx.js';
import { tensorProto } from './graph.js';

const UINT8_MAX = 255;
/** Gather tables at least this large (token embeddings, not position tables) are quantized. */
const MIN_GATHER_TABLE_ELEMENTS = 1_000_000;
/** The --bias steering tables are not model weights: they stay exact in every variant. */
const NEVER_QUANTIZED_PREFIX = 'synthetic_bias.';

interface QuantizedTensor {
  readonly q: string;
  readonly scale: string;
  readonly zeroPoint: string;
}

export function quantizeModel(model: ModelProto): ModelProto {
  const top = model.graph;
  if (!top) throw new Error('model without graph');
  const floats = new Map<string, TensorProto>();
  for (const t of top.initializer ?? []) if (t.name && t.dataType === DataType.FLOAT) floats.set(t.name, t);
  const added: TensorProto[] = [];
  const done = new Map<string, QuantizedTensor>();
  let counter = 0;
  const fresh = (base: string): string => `${base}_q8_${counter++}`;

  const quantizedWeight = (name: string): QuantizedTensor => {
    const existing = done.get(name);
    if (existing) return existing;
    const source = floats.get(name);
    if (!source) throw new Error(`no float initializer ${name}`);
    const { q, scale, zeroPoint } = quantizeUint8(floatData(source));
    const made: QuantizedTensor = {
      q: `${name}_quantized`,
      scale: `${name}_scale`,
      zeroPoint: `${name}_zero_point`,
    };
    added.push(
      tensorProto(made.q, DataType.UINT8, (source.dims ?? []).map(Number), q),
      tensorProto(made.scale, DataType.FLOAT, [], Float32Array.of(scale)),
      tensorProto(made.zeroPoint, DataType.UINT8, [], Uint8Array.of(zeroPoint)),
    );
    done.set(name, made);
    return made;
  };

  const isMatMulWeight = (name: string | undefined): name is string => {
    const t = name === undefined ? undefined : floats.get(name);
    return t !== undefined && (t.dims ?? []).length === 2 && !(name as string).startsWith(NEVER_QUANTIZED_PREFIX);
  };
  const isGatherTable = (name: string | undefined): name is string => {
    const t = name === undefined ? undefined : floats.get(name);
    const elements = (t?.dims ?? []).reduce<number>((a, b) => a * Number(b), 1);
    return t !== undefined && (t.dims ?? []).length === 2 && elements >= MIN_GATHER_TABLE_ELEMENTS;
  };

  const rewrite = (graph: GraphProto): GraphProto => {
    const nodes: NodeProto[] = [];
    const dynamicQuant = new Map<string, [string, string, string]>();
    for (const node of graph.node ?? []) {
      const inputs = node.input ?? [];
      const outputs = node.output ?? [];
      const [a, b] = inputs;
      const out = outputs[0];
      if (node.opType === 'MatMul' && a !== undefined && out !== undefined && isMatMulWeight(b)) {
        const w = quantizedWeight(b);
        let aq = dynamicQuant.get(a);
        if (!aq) {
          aq = [fresh(`${a}_quantized`), fresh(`${a}_scale`), fresh(`${a}_zero_point`)];
          nodes.push({ name: fresh(`${a}_DynamicQuantizeLinear`), opType: 'DynamicQuantizeLinear', input: [a], output: aq });
          dynamicQuant.set(a, aq);
        }
        const [aQ, aScale, aZero] = aq;
        const integer = fresh(`${out}_MatMulInteger`);
        const asFloat = fresh(`${out}_cast`);
        const scale = fresh(`${out}_scale`);
        nodes.push(
          { name: fresh(`${out}_MatMulInteger_node`), opType: 'MatMulInteger', input: [aQ, w.q, aZero, w.zeroPoint], output: [integer] },
          {
            name: fresh(`${out}_Cast_node`),
            opType: 'Cast',
            input: [integer],
            output: [asFloat],
            attribute: [{ name: 'to', type: AttributeType.INT, i: DataType.FLOAT }],
          },
          { name: fresh(`${out}_scale_node`), opType: 'Mul', input: [aScale, w.scale], output: [scale] },
          { name: fresh(`${out}_Mul_node`), opType: 'Mul', input: [asFloat, scale], output: [out] },
        );
        continue;
      }
      if (node.opType === 'Gather' && out !== undefined && b !== undefined && isGatherTable(a)) {
        const table = quantizedWeight(a);
        const gathered = fresh(`${out}_quantized`);
        nodes.push(
          { ...node, input: [table.q, b], output: [gathered] },
          {
            name: fresh(`${out}_DequantizeLinear`),
            opType: 'DequantizeLinear',
            input: [gathered, table.scale, table.zeroPoint],
            output: [out],
          },
        );
        continue;
      }
      const attribute = (node.attribute ?? []).map((at) => (at.g ? { ...at, g: rewrite(at.g) } : at));
      nodes.push({ ...node, attribute });
    }
    return { ...graph, node: nodes };
  };

  const graph = rewrite(top);
  const used = new Set<string>();
  collectInputs(graph, used);
  const initializer = [...(top.initializer ?? []).filter((t) => t.name !== undefined && t.name !== null && used.has(t.name)), ...added];
  return { ...model, graph: { ...graph, initializer } };
}

function collectInputs(graph: GraphProto, used: Set<string>): void {
  for (const node of graph.node ?? []) {
    for (const name of node.input ?? []) used.add(name);
    for (const at of node.attribute ?? []) if (at.g) collectInputs(at.g, used);
  }
  for (const out of graph.output ?? []) if (out.name) used.add(out.name);
}

function floatData(t: TensorProto): Float32Array {
  const raw = t.rawData;
  if (!raw) throw new Error(`initializer ${t.name ?? '?'} has no raw data`);
  if (raw.byteOffset % 4 === 0) return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  return new Float32Array(raw.slice().buffer);
}

/** Per-tensor asymmetric uint8 with the range widened to include 0 (as onnxruntime does). */
export function quantizeUint8(data: Float32Array): { q: Uint8Array; scale: number; zeroPoint: number } {
  let min = 0;
  let max = 0;
  for (const v of data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const scale = Math.fround(max > min ? (max - min) / UINT8_MAX : 1);
  const zeroPoint = Math.min(UINT8_MAX, Math.max(0, Math.round(-min / scale)));
  const q = new Uint8Array(data.length);
  const inv = 1 / scale;
  for (let i = 0; i < data.length; i++) {
    const v = Math.round((data[i] ?? 0) * inv) + zeroPoint;
    q[i] = v < 0 ? 0 : v > UINT8_MAX ? UINT8_MAX : v;
  }
  return { q, scale, zeroPoint };
}
