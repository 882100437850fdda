/**
 * Seeded pseudo-random numbers for weights. Every tensor gets its own stream derived from
 * (model seed, tensor name), so a tensor's values do not depend on the order in which graphs are
 * built, and the same seed always gives byte-identical files.
 */

/** FNV-1a over UTF-16 code units: a stable 32-bit hash of a tensor name. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** splitmix32 step: spreads a 32-bit seed into well-mixed state words. */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/**
 * sfc32 (Chris Doty-Humphrey's small fast counting generator): 128-bit state, passes PractRand,
 * and runs at a few nanoseconds per draw in V8, which matters for ~270 M base-model weights.
 */
export class Sfc32 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream: number) {
    let s = (seed ^ Math.imul(stream, 0x27d4eb2d)) | 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(s);
      s = next;
      words.push(out);
    }
    [this.a, this.b, this.c, this.d] = words as [number, number, number, number];
    // Discard the first outputs: sfc32 needs a few rounds before its state is fully mixed.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }
}

const TWO_POW_32 = 4294967296;
/** A uniform distribution on [-a, a] has standard deviation a / sqrt(3). */
const UNIFORM_HALF_WIDTH_PER_STD = Math.sqrt(3);

/**
 * Fills `out` with zero-mean uniform noise of the given standard deviation. Uniform rather than
 * Gaussian because it costs one draw per value; for random-weight models only the variance matters.
 */
export function fillUniform(out: Float32Array, std: number, rng: Sfc32): Float32Array {
  const halfWidth = std * UNIFORM_HALF_WIDTH_PER_STD;
  const scale = (2 * halfWidth) / TWO_POW_32;
  for (let i = 0; i < out.length; i++) out[i] = rng.nextUint32() * scale - halfWidth;
  return out;
}
