/**
 * A small ONNX graph builder: unique value names, typed attributes, initializers stored as raw
 * little-endian bytes (no per-element protobuf fields, so a 300 MB graph serialises quickly), and
 * subgraphs for `If` that share the parent's name space (ONNX requires names to be unique across
 * nested scopes).
 */
import { AttributeType, DataType, IR_VERSION, OPSET } from './onnx.js';
import type { AttributeProto, DataTypeCode, GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto } from './onnx.js';
import type { ComputeLedger, TensorRole } from './ledger.js';

/** A declared dimension: a fixed size or a symbolic name such as "batch_size". */
export type Dim = number | string;

export type Attr =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: TensorProto }
  | { readonly kind: 'graph'; readonly value: GraphBuilder };

/** Attribute constructors: ONNX distinguishes int from float, JavaScript numbers do not. */
export const attr = {
  int: (value: number): Attr => ({ kind: 'int', value }),
  float: (value: number): Attr => ({ kind: 'float', value }),
  ints: (value: readonly number[]): Attr => ({ kind: 'ints', value }),
  string: (value: string): Attr => ({ kind: 'string', value }),
  tensor: (value: TensorProto): Attr => ({ kind: 'tensor', value }),
  graph: (value: GraphBuilder): Attr => ({ kind: 'graph', value }),
};

export type Attrs = Readonly<Record<string, Attr>>;

/** Hands out unique names; shared by a graph and all of its subgraphs. */
export class NameScope {
  private readonly counters = new Map<string, number>();

  unique(prefix: string): string {
    const n = this.counters.get(prefix) ?? 0;
    this.counters.set(prefix, n + 1);
    return n === 0 ? prefix : `${prefix}_${n}`;
  }
}

/** Raw bytes of a typed array, without copying. */
export function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

export function tensorProto(name: string, dataType: DataTypeCode, dims: readonly number[], data: ArrayBufferView): TensorProto {
  return { name, dataType, dims: [...dims], rawData: bytesOf(data) };
}

export function valueInfo(name: string, elemType: DataTypeCode, dims?: readonly Dim[]): ValueInfoProto {
  if (dims === undefined) return { name, type: { tensorType: { elemType } } };
  const shape = { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name, type: { tensorType: { elemType, shape } } };
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  private readonly constants = new Map<string, string>();

  /**
   * @param ledger where initializers are counted (shared with subgraphs); compute is counted by
   *   the layer helpers, which know the shapes.
   */
  constructor(
    readonly name: string,
    readonly ledger: ComputeLedger,
    readonly names: NameScope = new NameScope(),
    private readonly parent?: GraphBuilder,
  ) {}

  /** A branch graph for `If`: no inputs, may read any value of the enclosing graphs. */
  subgraph(name: string): GraphBuilder {
    return new GraphBuilder(this.names.unique(name), this.ledger, this.names, this);
  }

  addInput(name: string, elemType: DataTypeCode, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** Declares `value` as a graph output; `value` must already carry the output's name. */
  addOutput(value: string, elemType: DataTypeCode, dims?: readonly Dim[]): void {
    this.outputs.push(valueInfo(value, elemType, dims));
  }

  /** Adds an initializer to the outermost graph (so branches share it) and counts it. */
  addInitializer(tensor: TensorProto, role: TensorRole): string {
    if (this.parent) return this.parent.addInitializer(tensor, role);
    const name = tensor.name;
    if (!name) throw new Error('initializer without a name');
    this.initializers.push(tensor);
    const elements = (tensor.dims ?? []).reduce<number>((a, b) => a * Number(b), 1);
    this.ledger.addTensor(role, elements);
    return name;
  }

  floatInitializer(name: string, data: Float32Array, dims: readonly number[], role: TensorRole): string {
    return this.addInitializer(tensorProto(this.names.unique(name), DataType.FLOAT, dims, data), role);
  }

  /** An int64 constant (cached by value, so repeated shapes share one initializer). */
  constI64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `i64:${dims.join('x')}:${values.join(',')}`;
    return this.cachedConstant(key, () =>
      tensorProto(
        this.names.unique('const_i64'),
        DataType.INT64,
        dims,
        BigInt64Array.from(values, (v) => BigInt(v)),
      ),
    );
  }

  /** A float32 constant (cached by value). `dims` [] makes a scalar. */
  constF32(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `f32:${dims.join('x')}:${values.join(',')}`;
    return this.cachedConstant(key, () => tensorProto(this.names.unique('const_f32'), DataType.FLOAT, dims, Float32Array.from(values)));
  }

  private cachedConstant(key: string, make: () => TensorProto): string {
    if (this.parent) return this.parent.cachedConstant(key, make);
    const existing = this.constants.get(key);
    if (existing) return existing;
    const name = this.addInitializer(make(), 'buffer');
    this.constants.set(key, name);
    return name;
  }

  /**
   * Appends a node and returns its output names. `outputs` may be a count (fresh names) or explicit
   * names (for values that are graph outputs).
   */
  op(opType: string, inputs: readonly string[], attrs: Attrs = {}, outputs: number | readonly string[] = 1): string[] {
    const outputNames =
      typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.names.unique(opType.toLowerCase())) : [...outputs];
    this.nodes.push({
      name: this.names.unique(`${opType}_node`),
      opType,
      input: [...inputs],
      output: outputNames,
      attribute: Object.entries(attrs).map(([name, value]) => attributeProto(name, value)),
    });
    return outputNames;
  }

  /** `op` for single-output nodes; `output` names the result when it is a graph output. */
  op1(opType: string, inputs: readonly string[], attrs: Attrs = {}, output?: string): string {
    const [out] = this.op(opType, inputs, attrs, output === undefined ? 1 : [output]);
    if (out === undefined) throw new Error(`${opType} produced no output`);
    return out;
  }

  toProto(): GraphProto {
    return {
      name: this.name,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    };
  }
}

function attributeProto(name: string, a: Attr): AttributeProto {
  switch (a.kind) {
    case 'int':
      return { name, type: AttributeType.INT, i: a.value };
    case 'float':
      return { name, type: AttributeType.FLOAT, f: a.value };
    case 'ints':
      return { name, type: AttributeType.INTS, ints: [...a.value] };
    case 'string':
      return { name, type: AttributeType.STRING, s: new TextEncoder().encode(a.value) };
    case 'tensor':
      return { name, type: AttributeType.TENSOR, t: a.value };
    case 'graph':
      return { name, type: AttributeType.GRAPH, g: a.value.toProto() };
  }
}

export function modelProto(graph: GraphBuilder, docString: string): ModelProto {
  return {
    irVersion: IR_VERSION,
    producerName: 'florence-gateway-synth',
    producerVersion: '1',
    docString,
    opsetImport: [{ domain: '', version: OPSET }],
    graph: graph.toProto(),
  };
}
