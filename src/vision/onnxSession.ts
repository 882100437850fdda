/**
 * One onnxruntime-node session with its interface checked against what the runtime expects, its
 * float I/O types read from metadata (fp16 files may declare float16), and failures turned into
 * typed errors that name the file.
 */
import * as ort from 'onnxruntime-node';
import { ModelFilesError, ModelRunError } from './errors.js';
import { float32ToHalf, halfToFloat32 } from './float16.js';

/** Execution devices onnxruntime-node can use; `cpu` always works. */
export type ExecutionDevice = 'cpu' | 'cuda' | 'webgpu';

export interface SessionSettings {
  /** Intra-op threads; default: every core the process may use. */
  readonly threads?: number;
  readonly device?: ExecutionDevice;
  /** Raw onnxruntime options laid over ours (for tuning experiments; see bench/tune.ts). */
  readonly ortOptions?: Partial<ort.InferenceSession.SessionOptions>;
}

export interface ExpectedInterface {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

type TensorMetadata = ort.InferenceSession.TensorValueMetadata;

export class OnnxSession {
  private constructor(
    readonly file: string,
    readonly session: ort.InferenceSession,
    private readonly inputs: ReadonlyMap<string, TensorMetadata>,
    private readonly outputs: ReadonlyMap<string, TensorMetadata>,
  ) {}

  /**
   * A session of `file`, or of a model already in memory (`source.bytes`, named `source.file` in
   * messages: a stage cut from a file).
   */
  static async load(
    source: string | { readonly file: string; readonly bytes: Uint8Array },
    expected: ExpectedInterface,
    settings: SessionSettings,
  ): Promise<OnnxSession> {
    const file = typeof source === 'string' ? source : source.file;
    let session: ort.InferenceSession;
    try {
      session =
        typeof source === 'string'
          ? await ort.InferenceSession.create(source, sessionOptions(settings))
          : await ort.InferenceSession.create(source.bytes, sessionOptions(settings));
    } catch (error) {
      throw new ModelFilesError(`${file} could not be loaded by onnxruntime: ${(error as Error).message}`, { cause: error });
    }
    const inputs = tensorMetadata(session.inputMetadata);
    const outputs = tensorMetadata(session.outputMetadata);
    const missingInputs = expected.inputs.filter((name) => !inputs.has(name));
    const missingOutputs = expected.outputs.filter((name) => !outputs.has(name));
    if (missingInputs.length > 0 || missingOutputs.length > 0) {
      await session.release();
      const parts = [
        missingInputs.length ? `inputs ${missingInputs.join(', ')}` : '',
        missingOutputs.length ? `outputs ${missingOutputs.join(', ')}` : '',
      ].filter(Boolean);
      throw new ModelFilesError(
        `${file} does not have the Florence-2 interface: missing ${parts.join(' and ')} ` +
          `(it has inputs ${[...inputs.keys()].join(', ') || 'none'}; outputs ${[...outputs.keys()].join(', ') || 'none'})`,
      );
    }
    return new OnnxSession(file, session, inputs, outputs);
  }

  get inputNames(): readonly string[] {
    return [...this.inputs.keys()];
  }

  inputMetadata(name: string): TensorMetadata {
    const meta = this.inputs.get(name);
    if (!meta) throw new ModelFilesError(`${this.file} has no input ${name}`);
    return meta;
  }

  outputMetadata(name: string): TensorMetadata {
    const meta = this.outputs.get(name);
    if (!meta) throw new ModelFilesError(`${this.file} has no output ${name}`);
    return meta;
  }

  /** A float input tensor in the element type the graph declares (float32 or float16). */
  floatInput(name: string, data: Float32Array, dims: readonly number[]): ort.Tensor {
    return this.inputMetadata(name).type === 'float16'
      ? new ort.Tensor('float16', float32ToHalf(data), dims)
      : new ort.Tensor('float32', data, dims);
  }

  /** Completed runs, and milliseconds spent inside them: what tests count and benchmarks call "ORT busy". */
  readonly usage = { runs: 0, busyMs: 0 };

  async run(feeds: Record<string, ort.Tensor>, fetches?: readonly string[]): Promise<Record<string, ort.Tensor>> {
    const started = performance.now();
    try {
      return fetches ? await this.session.run(feeds, fetches) : await this.session.run(feeds);
    } catch (error) {
      throw new ModelRunError(`onnxruntime failed running ${this.file}: ${(error as Error).message}`, { cause: error });
    } finally {
      this.usage.runs++;
      this.usage.busyMs += performance.now() - started;
    }
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** A float output as float32, converting float16 bit patterns when the graph emits half floats. */
export function floatData(tensor: ort.Tensor): Float32Array {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') return halfToFloat32(tensor.data as Uint16Array);
  throw new ModelRunError(`expected a float32 or float16 output, got ${tensor.type}`);
}

function tensorMetadata(list: readonly ort.InferenceSession.ValueMetadata[]): Map<string, TensorMetadata> {
  const map = new Map<string, TensorMetadata>();
  for (const meta of list) if (meta.isTensor) map.set(meta.name, meta);
  return map;
}

function sessionOptions(settings: SessionSettings): ort.InferenceSession.SessionOptions {
  const device = settings.device ?? 'cpu';
  return {
    executionProviders: device === 'cpu' ? ['cpu'] : [device, 'cpu'],
    graphOptimizationLevel: 'all',
    ...(settings.threads ? { intraOpNumThreads: settings.threads } : {}),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    ...settings.ortOptions,
  };
}
