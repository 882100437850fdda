/**
 * Finds what the explorer draws in a GraphQL response: every box, OCR quad and polygon, wherever
 * the query put it (aliases included), recognised by shape rather than by field name:
 *
 * - a box: an object with numeric `x1 y1 x2 y2` (`Box`);
 * - a ring of points: an array of three or more `{ x, y }` objects: a `quad` (`TextRegion.quad`),
 *   or a polygon when it is the `points` of an object (`Polygon.points`);
 * - an SVG outline: a string of `M x y L x y … Z` subpaths (`Segment.svgPath`), one polygon each;
 * - a task's raw result (`TaskResult.result`): `bboxes` of `[x1, y1, x2, y2]`, `quad_boxes` of eight
 *   numbers, and `polygons` as lists of flat `[x, y, x, y, …]` rings, labelled by the parallel
 *   `labels` / `bboxes_labels` / `polygons_labels` arrays.
 *
 * Each shape is named by its JSON path (`data.image.objects[3].box`) and grouped by that path with
 * the indices stripped (`data.image.objects[].box`): one colour and one toggle per group. Plain
 * data in and out, no DOM: the panel draws, tests check this table by table.
 */

export type ShapeKind = 'box' | 'quad' | 'polygon';

/** A point in pixels of the original image (after EXIF orientation), y downwards. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Shape {
  readonly kind: ShapeKind;
  /** Where the shape is in the response, e.g. `data.image.objects[3].box`. */
  readonly path: string;
  /** Which polygon of an SVG outline with several (0-based); absent for every other shape. */
  readonly part?: number;
  /** `path` without its indices, e.g. `data.image.objects[].box`: one colour, one toggle. */
  readonly group: string;
  /** The vertices in order; a box's four corners clockwise from (x1, y1). */
  readonly points: readonly Point[];
  /** What names the shape: a `label`, `text`, `category`, `description` or `phrase` near it. */
  readonly label?: string;
  /** The nearest `score` around the shape (a region's, a task's), when the query asked for one. */
  readonly score?: number;
}

/** What the response says about its image. */
export interface ResponseImage {
  /** The first image id (`sha256:…`) in the response, if the query asked for one. */
  readonly id?: string;
  /** The image's size in pixels, if the query asked for `width` and `height`. */
  readonly width?: number;
  readonly height?: number;
}

/** Fields that name the thing a shape outlines, in the order they are preferred. */
const LABEL_FIELDS = ['label', 'text', 'category', 'description', 'phrase'] as const;
const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;
/** `M x y L x y … Z`, repeated: exactly what `Segment.svgPath` produces, nothing looser. */
const NUMBER = String.raw`-?\d+(?:\.\d+)?(?:e[-+]?\d+)?`;
const SUBPATH = String.raw`M\s*${NUMBER}[\s,]+${NUMBER}(?:\s*L\s*${NUMBER}[\s,]+${NUMBER})+\s*Z`;
const SVG_OUTLINE = new RegExp(String.raw`^\s*(?:${SUBPATH}\s*)+$`, 'i');
const SUBPATHS = new RegExp(SUBPATH, 'gi');
const NUMBERS = new RegExp(NUMBER, 'gi');
/** Fewer points than this do not enclose anything. */
const MIN_RING_POINTS = 3;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { readonly [key: string]: Json };

/** An object on the way down, for labels and scores: only those below the image count. */
interface Ancestor {
  readonly value: JsonObject;
}

/** Every shape in `response` (a whole `{ data, errors }` body), in document order. */
export function findShapes(response: unknown): Shape[] {
  const shapes: Shape[] = [];
  visit(response as Json, '', [], shapes, 0);
  return shapes;
}

/** The image id and size the response names (see ResponseImage). */
export function findResponseImage(response: unknown): ResponseImage {
  let id: string | undefined;
  let sized: JsonObject | undefined;
  const queue: Json[] = [response as Json];
  // Breadth first: the top-level image comes before any image a region points back to.
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (Array.isArray(next)) {
      queue.push(...next);
      continue;
    }
    if (!isObject(next)) continue;
    const candidate = next['id'];
    if (id === undefined && typeof candidate === 'string' && IMAGE_ID.test(candidate)) {
      id = candidate;
      if (hasSize(next)) sized = next;
    }
    if (sized === undefined && hasSize(next) && !isBox(next)) sized = next;
    queue.push(...Object.values(next));
  }
  return {
    ...(id !== undefined ? { id } : {}),
    ...(sized ? { width: sized['width'] as number, height: sized['height'] as number } : {}),
  };
}

/** `data.image.objects[3].box` → `data.image.objects[].box`. */
export function groupOf(path: string): string {
  return path.replace(/\[\d+\]/g, '[]');
}

/**
 * Objects this many levels down (the body is 0, `data` 1, a root field's value such as the image
 * 2) and deeper may lend a shape their label or score: never the image itself, whose `text` is
 * all the text of the picture.
 */
const NAMING_DEPTH = 3;

function visit(value: Json, path: string, ancestors: readonly Ancestor[], shapes: Shape[], depth: number): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => visit(item, `${path}[${index}]`, ancestors, shapes, depth));
    return;
  }
  if (!isObject(value)) return;
  const inner = depth >= NAMING_DEPTH ? [...ancestors, { value }] : ancestors;
  const named = describe(inner);
  for (const [key, child] of Object.entries(value)) {
    const childPath = path === '' ? formatKey(key, true) : `${path}${formatKey(key, false)}`;
    if (isObject(child) && isBox(child)) {
      shapes.push(
        shape(
          'box',
          childPath,
          boxCorners(child['x1'] as number, child['y1'] as number, child['x2'] as number, child['y2'] as number),
          named,
        ),
      );
    } else if (Array.isArray(child) && isRing(child)) {
      shapes.push(shape(key === 'points' ? 'polygon' : 'quad', childPath, child.map(toPoint), named));
    } else if (typeof child === 'string' && SVG_OUTLINE.test(child)) {
      const rings = svgRings(child);
      rings.forEach((ring, part) => shapes.push(shape('polygon', childPath, ring, named, rings.length > 1 ? part : undefined)));
    } else if (!(Array.isArray(child) && findRawResult(key, child, value, childPath, named, shapes))) {
      visit(child, childPath, inner, shapes, depth + 1);
    }
  }
}

/**
 * A task's raw result arrays (`bboxes`, `quad_boxes`, `polygons` of number lists). False when
 * `list` is not one, so the walk goes on into it.
 */
function findRawResult(key: string, list: Json[], owner: JsonObject, path: string, around: Described, shapes: Shape[]): boolean {
  const labelAt = (index: number, ...fields: string[]): Described => {
    for (const field of fields) {
      const labels = owner[field];
      const label = Array.isArray(labels) ? labels[index] : undefined;
      if (typeof label === 'string' && label !== '') return { ...around, label };
    }
    return around;
  };
  if (key === 'bboxes' && list.length > 0 && list.every((item) => isNumberList(item, 4))) {
    list.forEach((item, index) => {
      const [x1, y1, x2, y2] = item as number[];
      shapes.push(
        shape('box', `${path}[${index}]`, boxCorners(x1 ?? 0, y1 ?? 0, x2 ?? 0, y2 ?? 0), labelAt(index, 'labels', 'bboxes_labels')),
      );
    });
    return true;
  }
  if (key === 'quad_boxes' && list.length > 0 && list.every((item) => isNumberList(item, 8))) {
    list.forEach((item, index) => shapes.push(shape('quad', `${path}[${index}]`, pairs(item as number[]), labelAt(index, 'labels'))));
    return true;
  }
  const isRingList = (item: Json): boolean =>
    Array.isArray(item) && item.every((ring) => isNumberList(ring) && ring.length >= 2 * MIN_RING_POINTS && ring.length % 2 === 0);
  if (key === 'polygons' && list.length > 0 && list.every(isRingList)) {
    list.forEach((rings, index) => {
      (rings as number[][]).forEach((ring, part) =>
        shapes.push(shape('polygon', `${path}[${index}][${part}]`, pairs(ring), labelAt(index, 'labels', 'polygons_labels'))),
      );
    });
    return true;
  }
  return false;
}

interface Described {
  readonly label?: string;
  readonly score?: number;
}

/** The nearest label and the nearest score among the objects around a shape, innermost first. */
function describe(ancestors: readonly Ancestor[]): Described {
  let label: string | undefined;
  let score: number | undefined;
  for (let i = ancestors.length - 1; i >= 0 && (label === undefined || score === undefined); i--) {
    const object = ancestors[i]?.value;
    if (!object) continue;
    if (label === undefined) {
      for (const field of LABEL_FIELDS) {
        const text = object[field];
        if (typeof text === 'string' && text !== '') {
          label = text;
          break;
        }
      }
    }
    const value = object['score'];
    if (score === undefined && typeof value === 'number' && Number.isFinite(value)) score = value;
  }
  return { ...(label !== undefined ? { label } : {}), ...(score !== undefined ? { score } : {}) };
}

function shape(kind: ShapeKind, path: string, points: Point[], described: Described, part?: number): Shape {
  return { kind, path, ...(part !== undefined ? { part } : {}), group: groupOf(path), points, ...described };
}

function boxCorners(x1: number, y1: number, x2: number, y2: number): Point[] {
  return [
    { x: x1, y: y1 },
    { x: x2, y: y1 },
    { x: x2, y: y2 },
    { x: x1, y: y2 },
  ];
}

/** Each `M … Z` of an outline as its points. */
function svgRings(outline: string): Point[][] {
  return (outline.match(SUBPATHS) ?? []).map((subpath) => pairs((subpath.match(NUMBERS) ?? []).map(Number)));
}

function pairs(numbers: readonly number[]): Point[] {
  const points: Point[] = [];
  for (let i = 0; i + 1 < numbers.length; i += 2) points.push({ x: numbers[i] ?? 0, y: numbers[i + 1] ?? 0 });
  return points;
}

function isBox(value: JsonObject): boolean {
  return ['x1', 'y1', 'x2', 'y2'].every((field) => isFiniteNumber(value[field]));
}

function hasSize(value: JsonObject): boolean {
  return isFiniteNumber(value['width']) && isFiniteNumber(value['height']);
}

function isRing(list: readonly Json[]): boolean {
  return list.length >= MIN_RING_POINTS && list.every((item) => isObject(item) && isFiniteNumber(item['x']) && isFiniteNumber(item['y']));
}

function isNumberList(value: Json, length?: number): value is number[] {
  return Array.isArray(value) && (length === undefined || value.length === length) && value.every(isFiniteNumber);
}

function toPoint(item: Json): Point {
  const object = item as JsonObject;
  return { x: object['x'] as number, y: object['y'] as number };
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** `.key`, or `["odd key"]` for a key that is not a plain name (JSON results may hold anything). */
function formatKey(key: string, first: boolean): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return first ? key : `.${key}`;
  return `[${JSON.stringify(key)}]`;
}
