/**
 * What each workload asks of the model, shared by every contender so they do identical work:
 * every task generates exactly `tokens` tokens (minNewTokens = maxNewTokens), and the images are
 * 768² so every contender's preprocessing is the identity and their answers agree token for token.
 */
import sharp from 'sharp';

/**
 * 45 tokens: `<s>`, one full cycle of the synthetic model's steering pattern (43 tokens), `</s>`.
 * A grounding answer of that length names exactly 8 regions, so the cascade segments 8 regions.
 */
export const DEFAULT_TOKENS = 45;

/** The cascade's region count when the grounding does not give 8 (it does at 45 tokens). */
export const CASCADE_REGIONS = 8;

/** Fixed boxes (pixels of a 768² image) that fill the cascade up to 8 regions if needed. */
export const FALLBACK_BOXES: readonly [number, number, number, number][] = Array.from({ length: CASCADE_REGIONS }, (_, i) => [
  20 + i * 40,
  30 + i * 30,
  300 + i * 50,
  320 + i * 45,
]);

export const FOUR_TASKS = ['<CAPTION>', '<OD>', '<OCR>', '<REGION_PROPOSAL>'] as const;

/**
 * Workload 6 and the probes upload their images (POST /images) and query them by id, as JPEG at
 * this quality: ~100 KB instead of ~1.5 MB of PNG, so hundreds of uploads fit the results store.
 */
const UPLOAD_JPEG_QUALITY = 85;

/** A distinct smooth 768² test image per seed, as PNG (or JPEG, for uploads). */
export async function benchImage(seed: number, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const side = 768;
  const data = Buffer.alloc(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const i = (y * side + x) * 3;
      data[i] = (x * (seed + 1) + y) & 255;
      data[i + 1] = Math.round(128 + 100 * Math.sin((x + seed * 37) / 31) * Math.cos((y - seed * 11) / 23));
      data[i + 2] = (y * 3 + seed * 29) & 255;
    }
  }
  const image = sharp(data, { raw: { width: side, height: side, channels: 3 } });
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: UPLOAD_JPEG_QUALITY }).toBuffer();
}

/** Location bins per axis of a region prompt (`<loc_0>` … `<loc_999>`). */
const LOCATION_BINS = 1000;
/** Half the bins: boxes start in the first half of each axis and span the other half, so every box is valid. */
const REGION_STARTS = LOCATION_BINS / 2;

/**
 * A region prompt (`<loc_x1><loc_y1><loc_x2><loc_y2>`) of its own for each `n` below 250 000: a
 * REGION_TO_* task with it is a results-cache miss on an image whose features are cached, with a
 * prompt of the same length every time (four location tokens), unlike free-text inputs.
 */
export function uniqueRegion(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= REGION_STARTS * REGION_STARTS) {
    throw new RangeError(`uniqueRegion takes a whole number from 0 to ${REGION_STARTS * REGION_STARTS - 1}; got ${n}`);
  }
  const x1 = n % REGION_STARTS;
  const y1 = Math.floor(n / REGION_STARTS);
  return `<loc_${x1}><loc_${y1}><loc_${x1 + REGION_STARTS - 1}><loc_${y1 + REGION_STARTS - 1}>`;
}

/** The gateway's queries: generation settings fixed on every field. */
export const QUERIES = {
  cascade: `query Cascade($image: String!, $g: GenerationInput!) {
    image(base64: $image) {
      caption(generation: $g) { text phrases(generation: $g) { phrase regions { segment(generation: $g) { area } } } }
    }
  }`,
  cascadeById: `query CascadeById($id: ID!, $g: GenerationInput!) {
    image(id: $id) {
      caption(generation: $g) {
        text
        phrases(generation: $g) { phrase regions { box { x1 y1 x2 y2 } segment(generation: $g) { area svgPath } } }
      }
    }
  }`,
  fourTasks: `query FourTasks($image: String!, $g: GenerationInput!) {
    image(base64: $image) {
      caption(generation: $g) { text }
      objects(generation: $g) { label }
      text(generation: $g)
      regionProposals(generation: $g) { box { x1 } }
    }
  }`,
  caption: `query Caption($image: String!, $g: GenerationInput!) { image(base64: $image) { caption(generation: $g) { text } } }`,
  /** Any task on an uploaded image (workload 6 and the probes). */
  task: `query Task($id: ID!, $task: Task!, $input: String, $g: GenerationInput!) {
    image(id: $id) { task(name: $task, input: $input, generation: $g) { text } }
  }`,
  /** The same, streamed over graphql-ws. */
  stream: `subscription Stream($id: ID!, $task: Task!, $input: String, $g: GenerationInput!) {
    generation(id: $id, task: $task, input: $input, generation: $g) { tokens done }
  }`,
} as const;
