/**
 * Deterministic noise, byte for byte what scripts/fixtures/make-pillow-fixtures.py makes, so the
 * Pillow fixtures need not carry noise images (noise does not compress).
 */
import sharp from 'sharp';

/** xorshift32 (13, 17, 5): the top 8 bits of each successive state. */
export function* xorshift32(seed: number): Generator<number, never> {
  let state = seed >>> 0;
  for (;;) {
    state = (state ^ (state << 13)) >>> 0;
    state = (state ^ (state >>> 17)) >>> 0;
    state = (state ^ (state << 5)) >>> 0;
    yield state >>> 24;
  }
}

export function noiseBytes(count: number, seed: number): Uint8Array {
  const stream = xorshift32(seed);
  return Uint8Array.from({ length: count }, () => stream.next().value);
}

/** Mid-grey RGB with noise over the central quarter (rows then columns, from width/4, height/4), as PNG. */
export async function centreNoisePng(width: number, height: number, seed: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3, 0x80);
  const stream = xorshift32(seed);
  const left = Math.floor(width / 4);
  const top = Math.floor(height / 4);
  for (let y = top; y < top + Math.floor(height / 2); y++) {
    const start = (y * width + left) * 3;
    for (let i = start; i < start + Math.floor(width / 2) * 3; i++) data[i] = stream.next().value;
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}
