/**
 * An ONNX graph cut into consecutive stages, each a model of its own, so one long inference (the
 * vision encoder: ~2 s on 2 CPU cores) becomes a few bounded units a scheduler can put other work
 * between. Running the stages one after another, each fed the tensors earlier stages produced,
 * computes exactly what the whole graph computes: every stage is a slice of the graph's nodes in
 * their (topological) order, nothing is recomputed or reordered.
 *
 * Cuts fall at even distances in node count (a DaViT block costs about the same in every stage:
 * tokens quarter as channels double), each nudged to the nearby position where the fewest tensors
 * cross, so mostly the residual stream passes between stages. `Constant` nodes are copied into every
 * stage that reads them instead of crossing. Graphs this cannot cut exactly are refused with the
 * reason (external weights, control flow), and the caller runs them whole.
 */
import onnxProto from 'onnx-proto';

const onnx = onnxProto.onnx;
type ModelProto = onnxProto.onnx.IModelProto;
type NodeProto = onnxProto.onnx.INodeProto;
type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** One stage: a model of its own, which tensors it reads and which it hands on. */
export interface GraphStage {
  /**
   * The stage's model, serialised on demand: a caller loading stages one at a time holds one
   * stage's bytes at a time (a few hundred MB less at load for the base vision encoder).
   */
  build(): Uint8Array;
  /** Graph inputs and tensors of earlier stages it reads. */
  readonly inputs: readonly string[];
  /** Tensors it produces that later stages or the graph's outputs read. */
  readonly outputs: readonly string[];
}

export type SplitOutcome = { readonly stages: readonly GraphStage[] } | { readonly refused: string };

/** TensorProto.DataType codes the type rules name. */
const FLOAT = 1;
const UINT8 = 2;
const INT32 = 6;
const INT64 = 7;
const BOOL = 9;
/** TensorProto.DataLocation.EXTERNAL. */
const EXTERNAL = 1;
/** AttributeProto.AttributeType GRAPH and GRAPHS: control flow with subgraphs. */
const GRAPH_ATTRIBUTES = new Set([5, 10]);
/** How far (as a share of the even spacing) a cut may move to find fewer crossing tensors. */
const CUT_SEARCH_SHARE = 0.2;

const BOOLEAN_OPS = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']);
const INT64_OPS = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin']);

/** Cuts the model into at most `parts` stages (fewer when the graph is small). */
export function splitGraph(modelBytes: Uint8Array, parts: number): SplitOutcome {
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`parts must be a positive integer, got ${parts}`);
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph;
  if (!graph) return { refused: 'the model has no graph' };
  const nodes = graph.node ?? [];
  const initializers = graph.initializer ?? [];
  if (initializers.some((tensor) => tensor.dataLocation === EXTERNAL || (tensor.externalData?.length ?? 0) > 0)) {
    return { refused: 'its weights are in external data files' };
  }
  if ((graph.sparseInitializer?.length ?? 0) > 0) return { refused: 'it has sparse initializers' };
  if (nodes.some((node) => (node.attribute ?? []).some((attribute) => GRAPH_ATTRIBUTES.has(Number(attribute.type))))) {
    return { refused: 'it has control flow (subgraphs)' };
  }

  const initializerNames = new Set(initializers.map((tensor) => tensor.name ?? ''));
  const constantNodes = new Map<string, NodeProto>();
  for (const node of nodes) {
    if (node.opType === 'Constant' && (node.input ?? []).length === 0)
      for (const output of node.output ?? []) constantNodes.set(output, node);
  }
  /** Tensors every stage can have without a hand-over: weights and copied constants. */
  const free = (name: string) => name === '' || initializerNames.has(name) || constantNodes.has(name);
  const work = nodes
    .map((node, index) => ({ node, index }))
    .filter(({ node }) => !(node.opType === 'Constant' && (node.input ?? []).length === 0));
  if (work.length < 2 || parts === 1) return { stages: [wholeStage(modelBytes, graph)] };

  // Live ranges (in positions of `work`): produced at p (graph inputs: -1), last read at q.
  const producedAt = new Map<string, number>();
  for (const input of graph.input ?? []) if (!free(input.name ?? '')) producedAt.set(input.name ?? '', -1);
  const lastReadAt = new Map<string, number>();
  work.forEach(({ node }, position) => {
    for (const input of node.input ?? []) if (!free(input)) lastReadAt.set(input, position);
    for (const output of node.output ?? []) if (output !== '') producedAt.set(output, position);
  });
  const graphOutputs = (graph.output ?? []).map((output) => output.name ?? '');
  for (const output of graphOutputs) lastReadAt.set(output, work.length);
  // crossingAfter[k]: tensors produced at or before position k and read after it, i.e. what a
  // cut between positions k and k + 1 would hand over (p ≤ k < q for a range [p, q]).
  const delta = new Array<number>(work.length + 1).fill(0);
  for (const [name, produced] of producedAt) {
    const last = lastReadAt.get(name);
    if (last === undefined || last <= produced) continue;
    delta[Math.max(produced, 0)]! += 1;
    delta[Math.min(last, work.length)]! -= 1;
  }
  const crossingAfter: number[] = [];
  let live = 0;
  for (let k = 0; k < work.length; k++) {
    live += delta[k]!;
    crossingAfter.push(live);
  }
  const after = (k: number) => crossingAfter[k] ?? 0;

  const cuts: number[] = [];
  const spacing = work.length / parts;
  const window = Math.max(1, Math.floor(spacing * CUT_SEARCH_SHARE));
  for (let s = 1; s < parts; s++) {
    const target = Math.round(s * spacing) - 1;
    let best = -1;
    for (let k = Math.max(cuts.at(-1) ?? -1, target - window) + 1; k <= Math.min(work.length - 2, target + window); k++) {
      if (best < 0 || after(k) < after(best) || (after(k) === after(best) && Math.abs(k - target) < Math.abs(best - target))) best = k;
    }
    if (best >= 0 && best > (cuts.at(-1) ?? -1)) cuts.push(best);
  }
  if (cuts.length === 0) return { stages: [wholeStage(modelBytes, graph)] };

  const types = elementTypes(model, constantNodes);
  const valueInfo = new Map<string, ValueInfoProto>();
  for (const info of [...(graph.valueInfo ?? []), ...(graph.input ?? []), ...(graph.output ?? [])]) valueInfo.set(info.name ?? '', info);
  const bounds = [-1, ...cuts, work.length - 1];
  const stages: GraphStage[] = [];
  for (let s = 0; s + 1 < bounds.length; s++) {
    const first = bounds[s]! + 1;
    const last = bounds[s + 1]!;
    const slice = work.slice(first, last + 1).map(({ node }) => node);
    const produced = new Set(slice.flatMap((node) => node.output ?? []));
    const reads = [...new Set(slice.flatMap((node) => node.input ?? []))];
    const inputs = reads.filter((name) => !free(name) && !produced.has(name));
    const outputs = [...produced].filter((name) => name !== '' && (lastReadAt.get(name) ?? -1) > last);
    const constants = [...new Set(reads.filter((name) => constantNodes.has(name)).map((name) => constantNodes.get(name)!))];
    const typed = (name: string): ValueInfoProto | undefined => {
      const known = valueInfo.get(name);
      if (known?.type?.tensorType?.elemType) return known;
      const elemType = types.get(name);
      return elemType === undefined ? undefined : { name, type: { tensorType: { elemType } } };
    };
    const inputInfos = inputs.map(typed);
    const outputInfos = outputs.map(typed);
    const untyped = [...inputs, ...outputs].filter(
      (_, i) => (i < inputs.length ? inputInfos[i] : outputInfos[i - inputs.length]) === undefined,
    );
    if (untyped.length > 0) return { refused: `the element type of ${untyped.slice(0, 3).join(', ')} cannot be inferred` };
    const weightNames = new Set(reads.filter((name) => initializerNames.has(name)));
    const stageModel: ModelProto = {
      ...model,
      graph: {
        name: `${graph.name ?? 'graph'}_stage${s + 1}`,
        node: [...constants, ...slice],
        initializer: initializers.filter((tensor) => weightNames.has(tensor.name ?? '')),
        input: inputInfos as ValueInfoProto[],
        output: outputInfos as ValueInfoProto[],
        valueInfo: (graph.valueInfo ?? []).filter((info) => produced.has(info.name ?? '') && !outputs.includes(info.name ?? '')),
      },
    };
    stages.push({ build: () => onnx.ModelProto.encode(stageModel).finish(), inputs, outputs });
  }
  return { stages };
}

function wholeStage(modelBytes: Uint8Array, graph: onnxProto.onnx.IGraphProto): GraphStage {
  const initializerNames = new Set((graph.initializer ?? []).map((tensor) => tensor.name ?? ''));
  return {
    build: () => modelBytes,
    inputs: (graph.input ?? []).map((input) => input.name ?? '').filter((name) => !initializerNames.has(name)),
    outputs: (graph.output ?? []).map((output) => output.name ?? ''),
  };
}

/**
 * The element type of every tensor, propagated in node order from the graph inputs, weights and the
 * operators' type rules (Cast sets its `to`, comparisons give bool, shapes and indices int64, integer
 * matrix products int32; most operators keep their first input's type).
 */
function elementTypes(model: ModelProto, constantNodes: ReadonlyMap<string, NodeProto>): Map<string, number> {
  const graph = model.graph!;
  const types = new Map<string, number>();
  for (const input of graph.input ?? []) if (input.type?.tensorType?.elemType) types.set(input.name ?? '', input.type.tensorType.elemType);
  for (const tensor of graph.initializer ?? []) if (tensor.dataType) types.set(tensor.name ?? '', tensor.dataType);
  for (const info of graph.valueInfo ?? []) if (info.type?.tensorType?.elemType) types.set(info.name ?? '', info.type.tensorType.elemType);
  for (const [name, node] of constantNodes) {
    const type = constantType(node);
    if (type !== undefined) types.set(name, type);
  }
  for (const node of graph.node ?? []) {
    const inputType = (i: number) => types.get((node.input ?? [])[i] ?? '');
    const first = (node.input ?? []).map((name) => types.get(name)).find((type) => type !== undefined);
    (node.output ?? []).forEach((output, i) => {
      if (output === '' || types.has(output)) return;
      const type = outputType(node, i, inputType, first);
      if (type !== undefined) types.set(output, type);
    });
  }
  return types;
}

function outputType(
  node: NodeProto,
  index: number,
  inputType: (i: number) => number | undefined,
  first: number | undefined,
): number | undefined {
  const op = node.opType ?? '';
  const attribute = (name: string) => (node.attribute ?? []).find((candidate) => candidate.name === name);
  if (op === 'Cast') return Number(attribute('to')?.i ?? 0) || undefined;
  if (op === 'Constant') return constantType(node);
  if (op === 'ConstantOfShape') return attribute('value')?.t?.dataType ?? FLOAT;
  if (BOOLEAN_OPS.has(op)) return BOOL;
  if (INT64_OPS.has(op)) return INT64;
  if (op === 'TopK') return index === 1 ? INT64 : inputType(0);
  if (op === 'MatMulInteger' || op === 'ConvInteger') return INT32;
  if (op === 'DynamicQuantizeLinear') return index === 1 ? FLOAT : UINT8;
  if (op === 'QuantizeLinear') return inputType(2) ?? UINT8;
  if (op === 'DequantizeLinear') return inputType(1) ?? FLOAT;
  if (op === 'Where') return inputType(1);
  if (op === 'LayerNormalization' && index > 0) return FLOAT;
  return first;
}

function constantType(node: NodeProto): number | undefined {
  for (const attribute of node.attribute ?? []) {
    if (attribute.name === 'value' && attribute.t) return attribute.t.dataType ?? undefined;
    if (attribute.name === 'value_float' || attribute.name === 'value_floats') return FLOAT;
    if (attribute.name === 'value_int' || attribute.name === 'value_ints') return INT64;
  }
  return undefined;
}
