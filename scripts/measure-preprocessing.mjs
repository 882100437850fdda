#!/usr/bin/env node
// What preprocessing costs per image: decoding (sharp), Pillow's bicubic resize to 768² (ours, in
// JS) and normalisation, for photo-sized JPEGs. Not a test and not a benchmark suite: a quick
// measurement for the README ("Preprocessing cost"). Run after `npm run build`:
//   node scripts/measure-preprocessing.mjs [runs]
import sharp from 'sharp';
import { decodeRgb, prepareImage } from '../dist/src/vision/image.js';
import { resizeBicubic } from '../dist/src/vision/pillowResize.js';

const SIZES = [
  ['small, 640×480', 640, 480],
  ['1 MP, 1280×800', 1280, 800],
  ['12 MP, 4000×3000', 4000, 3000],
];
const runs = Number(process.argv[2] ?? 5);

/** A photo-like JPEG: smooth gradients with fine noise, so the encoder and decoder do real work. */
async function photo(width, height) {
  const data = Buffer.alloc(width * height * 3);
  let state = 2463534242;
  for (let i = 0; i < data.length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    const pixel = Math.floor(i / 3);
    const x = pixel % width;
    const y = Math.floor(pixel / width);
    const smooth = 128 + 90 * Math.sin(x / (37 + (i % 3) * 11)) * Math.cos(y / 53);
    data[i] = Math.max(0, Math.min(255, Math.round(smooth + ((state >>> 24) - 128) / 8)));
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

async function median(action) {
  await action(); // the first run compiles the hot loops
  const times = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    await action();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const ms = (value) => `${value.toFixed(0)} ms`;
console.log(`node ${process.version}, median of ${runs} runs`);
console.log('| image | decode (sharp) | resize (Pillow bicubic) | whole prepareImage | sharp cubic resize, for comparison |');
console.log('| --- | --- | --- | --- | --- |');
for (const [label, width, height] of SIZES) {
  const jpeg = await photo(width, height);
  const rgb = await decodeRgb(jpeg);
  const decode = await median(() => decodeRgb(jpeg));
  const resize = await median(async () => resizeBicubic(rgb, 768, 768));
  const whole = await median(() => prepareImage(jpeg));
  const sharpCubic = await median(() =>
    sharp(jpeg, { autoOrient: true }).removeAlpha().resize(768, 768, { fit: 'fill', kernel: 'cubic' }).raw().toBuffer(),
  );
  console.log(
    `| ${label} (JPEG ${(jpeg.length / 1e6).toFixed(1)} MB) | ${ms(decode)} | ${ms(resize)} | ${ms(whole)} | ${ms(sharpCubic)} |`,
  );
}
