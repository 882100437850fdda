/**
 * Deterministic weight tensors. Each tensor is drawn from its own PRNG stream keyed by the model
 * seed and the tensor's name, so a weight is the same whichever graph asks for it first and
 * whatever else was generated before; `shared` tensors (the tied embedding) are kept so two
 * graphs can hold copies of the same values.
 */
import { Sfc32, fillUniform, hashString } from './prng.js';

export class WeightStore {
  private readonly sharedTensors = new Map<string, Float32Array>();

  constructor(readonly seed: number) {}

  /** Zero-mean noise with the given standard deviation. */
  uniform(name: string, elements: number, std: number): Float32Array {
    return fillUniform(new Float32Array(elements), std, new Sfc32(this.seed, hashString(name)));
  }

  /** `value + noise`: LayerNorm gains near one, small random biases. */
  around(name: string, elements: number, value: number, std: number): Float32Array {
    const out = this.uniform(name, elements, std);
    if (value !== 0) for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) + value;
    return out;
  }

  /** Like `uniform`, but remembered, so later calls with the same name return the same array. */
  shared(name: string, elements: number, std: number): Float32Array {
    const existing = this.sharedTensors.get(name);
    if (existing) {
      if (existing.length !== elements) throw new Error(`shared tensor ${name} requested with two sizes`);
      return existing;
    }
    const made = this.uniform(name, elements, std);
    this.sharedTensors.set(name, made);
    return made;
  }
}

/** Row-major [rows, cols] -> [cols, rows]. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    const rowBase = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[rowBase + c] ?? 0;
  }
  return out;
}
