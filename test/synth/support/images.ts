/** Synthetic normalised pixel tensors [1, 3, 768, 768] (what the preprocessor would produce). */
import { IMAGE_SIDE } from './runner.js';

const PLANE = IMAGE_SIDE * IMAGE_SIDE;

/** A smooth pattern: a different `phase` gives a clearly different picture. */
export function patternImage(phase: number): Float32Array {
  const out = new Float32Array(3 * PLANE);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < IMAGE_SIDE; y++) {
      for (let x = 0; x < IMAGE_SIDE; x++) {
        out[c * PLANE + y * IMAGE_SIDE + x] = 2 * Math.sin((x * (c + 1) + y * (phase + 1)) / 97 + phase * 1.7 + c);
      }
    }
  }
  return out;
}

export function solidImage(value: number): Float32Array {
  return new Float32Array(3 * PLANE).fill(value);
}

/** Several images stacked into one batch tensor. */
export function stack(images: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(images.length * 3 * PLANE);
  images.forEach((img, i) => out.set(img, i * 3 * PLANE));
  return out;
}
