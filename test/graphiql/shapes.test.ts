/**
 * findShapes and findResponseImage: what the explorer draws from a response, by shape wherever it
 * sits (aliases too), each named by its JSON path, grouped with indices stripped, labelled and
 * scored from the objects around it but never from the image itself.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findResponseImage, findShapes, groupOf, type Shape } from '../../src/graphiql/explorer/shapes.js';

const ID = `sha256:${'ab'.repeat(32)}`;

/** A shape as [kind, path(#part), label, score, points as "x,y x,y …"]: one line per case. */
function brief(shape: Shape): string {
  const part = shape.part === undefined ? '' : `#${shape.part}`;
  const points = shape.points.map((p) => `${p.x},${p.y}`).join(' ');
  return `${shape.kind} ${shape.path}${part} ${JSON.stringify(shape.label ?? null)} ${shape.score ?? '-'} [${points}]`;
}

describe('findShapes', () => {
  test('boxes of objects, labelled by their region, scored when the region has a score', () => {
    const response = {
      data: {
        image: {
          id: ID,
          width: 100,
          height: 80,
          objects: [
            { label: 'car', score: -0.25, box: { x1: 1, y1: 2, x2: 30, y2: 40 } },
            { label: 'tree', box: { x1: 50.5, y1: 0, x2: 99, y2: 79.5, width: 48.5, height: 79.5 } },
          ],
        },
      },
    };
    assert.deepEqual(findShapes(response).map(brief), [
      'box data.image.objects[0].box "car" -0.25 [1,2 30,2 30,40 1,40]',
      'box data.image.objects[1].box "tree" - [50.5,0 99,0 99,79.5 50.5,79.5]',
    ]);
    assert.deepEqual(
      findShapes(response).map((shape) => shape.group),
      ['data.image.objects[].box', 'data.image.objects[].box'],
    );
  });

  test('the cascade: boxes and SVG outlines named by their phrase; an outline of two polygons is two shapes', () => {
    const response = {
      data: {
        image: {
          caption: {
            text: 'A car.',
            phrases: [
              {
                phrase: 'A car',
                regions: [
                  {
                    box: { x1: 0, y1: 0, x2: 10, y2: 10 },
                    segment: { area: 12, svgPath: 'M 1 1 L 9 1 L 9 9 Z M 20 20 L 30 20 L 30.5 29.25 L 20 30 Z' },
                  },
                  { box: { x1: 5, y1: 5, x2: 8, y2: 9 }, segment: { area: 0, svgPath: '' } },
                ],
              },
            ],
          },
        },
      },
    };
    assert.deepEqual(findShapes(response).map(brief), [
      'box data.image.caption.phrases[0].regions[0].box "A car" - [0,0 10,0 10,10 0,10]',
      'polygon data.image.caption.phrases[0].regions[0].segment.svgPath#0 "A car" - [1,1 9,1 9,9]',
      'polygon data.image.caption.phrases[0].regions[0].segment.svgPath#1 "A car" - [20,20 30,20 30.5,29.25 20,30]',
      'box data.image.caption.phrases[0].regions[1].box "A car" - [5,5 8,5 8,9 5,9]',
    ]);
  });

  test('OCR quads and their boxes, labelled by their line of text; the image’s own text never labels', () => {
    const response = {
      data: {
        image: {
          text: 'ALL THE TEXT',
          textRegions: [
            {
              text: 'OPEN',
              quad: [
                { x: 1, y: 2 },
                { x: 9, y: 2 },
                { x: 9, y: 6 },
                { x: 1, y: 6 },
              ],
              box: { x1: 1, y1: 2, x2: 9, y2: 6 },
            },
          ],
          segment: {
            box: { x1: 0, y1: 0, x2: 3, y2: 3 },
            polygons: [
              {
                points: [
                  { x: 0, y: 0 },
                  { x: 3, y: 0 },
                  { x: 3, y: 3 },
                ],
              },
            ],
          },
        },
      },
    };
    assert.deepEqual(findShapes(response).map(brief), [
      'quad data.image.textRegions[0].quad "OPEN" - [1,2 9,2 9,6 1,6]',
      'box data.image.textRegions[0].box "OPEN" - [1,2 9,2 9,6 1,6]',
      'box data.image.segment.box null - [0,0 3,0 3,3 0,3]',
      'polygon data.image.segment.polygons[0].points null - [0,0 3,0 3,3]',
    ]);
  });

  test('aliases are found by shape; a task’s raw result draws its bboxes, quad_boxes and polygons with their labels and its score', () => {
    const response = {
      data: {
        photo: {
          detection: {
            score: -0.5,
            result: {
              bboxes: [
                [1, 2, 3, 4],
                [5, 6, 7, 8],
              ],
              labels: ['cat', 'dog'],
            },
          },
          proposals: { result: { bboxes: [[0, 0, 2, 2]], labels: [''] } },
          ocr: { result: { quad_boxes: [[1, 1, 5, 1, 5, 3, 1, 3]], labels: ['</s>HI'] } },
          outline: {
            result: {
              polygons: [
                [
                  [0, 0, 4, 0, 4, 4],
                  [10, 10, 12, 10, 12, 12],
                ],
              ],
              labels: [''],
            },
          },
          dense: { result: { bboxes: [[2, 2, 6, 6]], bboxes_labels: ['lamp'], polygons: [], polygons_labels: [] } },
          plain: { result: 'a caption, no shapes' },
        },
      },
    };
    assert.deepEqual(findShapes(response).map(brief), [
      'box data.photo.detection.result.bboxes[0] "cat" -0.5 [1,2 3,2 3,4 1,4]',
      'box data.photo.detection.result.bboxes[1] "dog" -0.5 [5,6 7,6 7,8 5,8]',
      'box data.photo.proposals.result.bboxes[0] null - [0,0 2,0 2,2 0,2]',
      'quad data.photo.ocr.result.quad_boxes[0] "</s>HI" - [1,1 5,1 5,3 1,3]',
      'polygon data.photo.outline.result.polygons[0][0] null - [0,0 4,0 4,4]',
      'polygon data.photo.outline.result.polygons[0][1] null - [10,10 12,10 12,12]',
      'box data.photo.dense.result.bboxes[0] "lamp" - [2,2 6,2 6,6 2,6]',
    ]);
  });

  test('look-alikes are not shapes: partial boxes, two points, strings that are not outlines, null data', () => {
    const response = {
      data: {
        image: {
          partial: { x1: 1, y1: 2, x2: 3 },
          stringy: { x1: '1', y1: 2, x2: 3, y2: 4 },
          line: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
          mixed: [{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2 }],
          caption: { text: 'M 1 1 L 2 2 Z is what it said' },
          notAResult: { bboxes: [[1, 2, 3]] },
          svgPath: 'M 1 1 L 2 2 Q 3 3 4 4 Z',
        },
      },
      errors: [{ message: 'x', locations: [{ line: 1, column: 2 }] }],
    };
    assert.deepEqual(findShapes(response), []);
    assert.deepEqual(findShapes({ data: null, errors: [] }), []);
    assert.deepEqual(findShapes(null), []);
    assert.deepEqual(findShapes('not json'), []);
  });

  test('images(urls:) and odd JSON keys get exact paths', () => {
    const response = {
      data: { images: [null, { objects: [{ box: { x1: 0, y1: 0, x2: 1, y2: 1 } }] }], 'odd key': { box: { x1: 0, y1: 0, x2: 1, y2: 1 } } },
    };
    assert.deepEqual(
      findShapes(response).map((shape) => [shape.path, shape.group]),
      [
        ['data.images[1].objects[0].box', 'data.images[].objects[].box'],
        ['data["odd key"].box', 'data["odd key"].box'],
      ],
    );
  });

  test('groupOf strips every index', () => {
    assert.equal(groupOf('data.a[0].b[12][3].c'), 'data.a[].b[][].c');
  });
});

describe('findResponseImage', () => {
  const cases: [name: string, response: unknown, expected: object][] = [
    ['id and size together', { data: { image: { id: ID, width: 640, height: 480 } } }, { id: ID, width: 640, height: 480 }],
    [
      'the top-level image before a region’s image',
      { data: { image: { objects: [{ image: { id: `sha256:${'cd'.repeat(32)}` } }], id: ID } } },
      { id: ID },
    ],
    ['size without id', { data: { image: { width: 10, height: 20 } } }, { width: 10, height: 20 }],
    [
      'a box’s width and height are not the image’s',
      { data: { image: { objects: [{ box: { x1: 0, y1: 0, x2: 5, y2: 5, width: 5, height: 5 } }] } } },
      {},
    ],
    ['an id that is not an image id', { data: { model: { id: 'onnx-community/Florence-2-base' } } }, {}],
    ['nothing', { errors: [{ message: 'bad' }] }, {}],
  ];
  for (const [name, response, expected] of cases) {
    test(name, () => assert.deepEqual(findResponseImage(response), expected));
  }
});
