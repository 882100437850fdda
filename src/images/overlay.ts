/**
 * Draws a task's result over its image (boxes, OCR quads, polygons and their labels) with sharp,
 * by compositing an SVG layer of the image's own (EXIF-oriented) size. Used by `florence-gateway
 * run --draw` and by anyone who wants to see what the model found.
 */
import sharp from 'sharp';
import { FAIL_ON } from '../vision/image.js';
import type { TaskResult } from '../vision/results.js';

/** Shapes to draw, in pixels of the oriented image. */
interface Shape {
  readonly points: readonly number[];
  readonly closed: boolean;
  readonly label: string;
}

const PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45'] as const;

/** PNG bytes of `image` with `result` drawn over it. Pure-text results draw nothing but the image. */
export async function drawResult(image: Uint8Array, result: TaskResult): Promise<Buffer> {
  // Colour profiles are honoured here (the picture is for people); damage is refused as in analysis.
  const oriented = sharp(image, { autoOrient: true, pages: 1, failOn: FAIL_ON });
  const { width, height } = (await oriented.metadata()).autoOrient;
  const shapes = shapesOf(result);
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 200));
  const fontSize = Math.max(12, Math.round(Math.min(width, height) / 40));
  const layer = shapes
    .map((shape, i) => {
      const color = PALETTE[i % PALETTE.length]!;
      const points = pairs(shape.points)
        .map(([x, y]) => `${fmt(x)},${fmt(y)}`)
        .join(' ');
      const element = shape.closed ? 'polygon' : 'polyline';
      const [labelX, labelY] = [shape.points[0] ?? 0, shape.points[1] ?? 0];
      const label = shape.label
        ? `<text x="${fmt(labelX)}" y="${fmt(Math.max(fontSize, labelY - stroke))}" fill="${color}" font-size="${fontSize}" ` +
          `font-family="sans-serif">${escapeXml(shape.label)}</text>`
        : '';
      return `<${element} points="${points}" fill="${color}" fill-opacity="0.15" stroke="${color}" stroke-width="${stroke}"/>${label}`;
    })
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${layer}</svg>`;
  return oriented
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png()
    .toBuffer();
}

function shapesOf(result: TaskResult): Shape[] {
  if (typeof result === 'string') return [];
  if ('quad_boxes' in result) return result.quad_boxes.map((quad, i) => ({ points: quad, closed: true, label: result.labels[i] ?? '' }));
  if ('bboxes_labels' in result) {
    return [
      ...result.bboxes.map((box, i) => boxShape(box, result.bboxes_labels[i] ?? '')),
      ...polygonShapes(result.polygons, result.polygons_labels),
    ];
  }
  if ('polygons' in result) return polygonShapes(result.polygons, result.labels);
  return result.bboxes.map((box, i) => boxShape(box, result.labels[i] ?? ''));
}

function boxShape(box: readonly number[], label: string): Shape {
  const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = box;
  return { points: [x1, y1, x2, y1, x2, y2, x1, y2], closed: true, label };
}

function polygonShapes(instances: readonly (readonly (readonly number[])[])[], labels: readonly string[]): Shape[] {
  return instances.flatMap((polygons, i) =>
    polygons
      .filter((polygon) => polygon.length >= 4)
      .map((polygon) => ({ points: polygon, closed: polygon.length >= 6, label: labels[i] ?? '' })),
  );
}

function pairs(values: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < values.length; i += 2) out.push([values[i]!, values[i + 1]!]);
  return out;
}

function fmt(value: number): string {
  return Number.isFinite(value) ? value.toFixed(1) : '0';
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
