/**
 * The image explorer panel in Chromium: the cascade tab's answer drawn over the example picture,
 * exactly one SVG shape per box, quad and polygon of the answer, each within 1 px of the answer's
 * coordinates scaled to the displayed picture; hover names a shape's path; toggles hide a path
 * pattern; a dropped, picked or pasted file is uploaded, becomes the id variable, and a query on
 * it draws; nothing leaves localhost. Screenshots go to test-output/screenshots/ for review.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { EXAMPLE_IMAGE_ID } from '../../src/graphiql/examples.js';
import { GRAPHIQL_DIR } from '../../src/server/routes/graphiql.js';
import { patternPng } from '../helpers/images.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { launchChromium, skipWithoutChromium, watchRequests, type RequestWatch } from './support/chromium.js';
import type { PageGlobals } from './support/pageGlobals.js';
import { SCREENSHOTS } from './support/screenshots.js';

/** How far a drawn vertex may be from where the answer puts it on the displayed picture. */
const TOLERANCE_PX = 1;
/** A model run on a loaded 2-core machine: generous, and only ever waited for, never asserted. */
const ANSWER_TIMEOUT_MS = 150_000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Vertex {
  readonly x: number;
  readonly y: number;
}
/** One drawn shape as the page reports it: its path, and its vertices in page pixels. */
interface DrawnShape {
  readonly path: string;
  readonly part: string;
  readonly kind: string;
  readonly vertices: Vertex[];
}
interface Drawing {
  readonly picture: { left: number; top: number; width: number; height: number; naturalWidth: number; naturalHeight: number };
  readonly shapes: DrawnShape[];
}

describe('the image explorer in Chromium', { skip: skipWithoutChromium, timeout: 600_000 }, () => {
  let gateway: TestGateway;
  let browser: Browser;
  let page: Page;
  let watch: RequestWatch;

  before(async () => {
    assert.ok(existsSync(join(GRAPHIQL_DIR, 'index.html')), `GraphiQL is not built in ${GRAPHIQL_DIR}: run npm run build`);
    await mkdir(SCREENSHOTS, { recursive: true });
    gateway = await startTestGateway();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    // The explorer pane as wide as the editors (GraphiQL keeps the pane's flex under this key).
    await context.addInitScript(() => (globalThis as unknown as PageGlobals).localStorage.setItem('graphiql:docExplorerFlex', '1'));
    watch = await watchRequests(context);
    page = await context.newPage();
    watch.watchPage(page);
  });

  after(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('opens with the explorer, runs the cascade, and draws every box and polygon of the answer where the answer puts it', async () => {
    await page.goto(`${gateway.url}/`);
    await page.locator('.explorer').waitFor({ timeout: 60_000 });
    await page.locator('.graphiql-query-editor .view-lines').filter({ hasText: 'query Cascade' }).waitFor({ timeout: 60_000 });
    const body = await run(page, 'Cascade');
    const image = (body['data'] as { image: { id: string; width: number; height: number } }).image;
    assert.deepEqual([image.id, image.width, image.height], [EXAMPLE_IMAGE_ID, 1024, 768]);

    const expected = expectedShapes(body);
    assert.ok(expected.length > 0, `the tiny model's cascade drew nothing to check: ${JSON.stringify(body).slice(0, 400)}`);
    const drawing = await drawingWith(page, expected.length);
    // The example picture, loaded from GET /images/{id}.
    assert.deepEqual([drawing.picture.naturalWidth, drawing.picture.naturalHeight], [1024, 768]);
    assertDrawn(drawing, expected, body, image);
    await page.screenshot({ path: join(SCREENSHOTS, 'explorer-cascade.png') });
  });

  it('hover highlights a shape and names its JSON path', async () => {
    // A shape that is topmost at the middle of its bounding box (not covered by a smaller one).
    const target = await page.evaluate(() => {
      const { document } = globalThis as unknown as PageGlobals;
      // Boxes first: their hover line has the most to say (label and corners).
      const candidates = [
        ...document.querySelectorAll('[data-explorer-overlay] [data-shape][data-kind="box"]'),
        ...document.querySelectorAll('[data-explorer-overlay] [data-shape]'),
      ];
      for (const element of candidates) {
        const box = element.getBoundingClientRect();
        const x = box.left + box.width / 2;
        const y = box.top + box.height / 2;
        if (box.width > 4 && box.height > 4 && document.elementFromPoint(x, y) === element)
          return { x, y, path: element.getAttribute('data-path') ?? '' };
      }
      return undefined;
    });
    assert.ok(target, 'no shape is uncovered at its middle');
    await page.mouse.move(target.x, target.y);
    const active = page.locator('[data-explorer-overlay] [data-shape].is-active');
    await active.waitFor({ timeout: 10_000 });
    assert.equal(await active.getAttribute('data-path'), target.path);
    assert.equal(
      await page.locator('[data-explorer-overlay] [data-shape].is-dimmed').count(),
      (await page.locator('[data-explorer-overlay] [data-shape]').count()) - 1,
    );
    const line = await page.locator('[data-explorer-hover]').innerText();
    assert.ok(line.startsWith(target.path), `the hover line names ${target.path}: ${line}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'explorer-hover.png') });
    await page.mouse.move(1, 1);
    await page.locator('[data-explorer-overlay] [data-shape].is-active').waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('a toggle per path pattern hides and shows that pattern’s shapes', async () => {
    const shapes = page.locator('[data-explorer-overlay] [data-shape]');
    const all = await shapes.count();
    const toggle = page.locator('[data-explorer-toggle]').first();
    const group = await toggle.getAttribute('data-explorer-toggle');
    assert.ok(group);
    const paths = await page
      .locator('[data-explorer-overlay] [data-shape]')
      .evaluateAll((elements) => elements.map((element) => element.getAttribute('data-path') ?? ''));
    const inGroup = paths.filter((path) => path.replace(/\[\d+\]/g, '[]') === group).length;
    assert.ok(inGroup > 0);
    await toggle.uncheck();
    await waitForCount(page, all - inGroup);
    await toggle.check();
    await waitForCount(page, all);
  });

  it('a dropped file is uploaded, becomes the id variable, and a query on it draws', async () => {
    const png = await patternPng(320, 200, 7);
    const upload = page.waitForResponse((r) => r.url() === `${gateway.url}/images` && r.request().method() === 'POST', { timeout: 60_000 });
    const dataTransfer = await page.evaluateHandle((base64) => {
      const window = globalThis as unknown as PageGlobals;
      const bytes = Uint8Array.from(window.atob(base64), (char) => char.charCodeAt(0));
      const transfer = new window.DataTransfer();
      transfer.items.add(new window.File([bytes], 'pattern.png', { type: 'image/png' }));
      return transfer;
    }, png.toString('base64'));
    await page.locator('[data-explorer-drop]').dispatchEvent('drop', { dataTransfer });
    const uploaded = (await (await upload).json()) as { id: string; width: number };
    assert.equal(uploaded.width, 320);
    await page.locator('[data-explorer-status]').filter({ hasText: 'now the id variable' }).waitFor({ timeout: 30_000 });
    await variablesEditorShows(page, uploaded.id);
    // Shown at once, before any query: the uploaded picture, no shapes yet.
    await page.waitForFunction(
      (width) => (globalThis as unknown as PageGlobals).document.querySelector('[data-explorer-image]')?.naturalWidth === width,
      320,
      { timeout: 30_000 },
    );
    assert.equal(await page.locator('[data-explorer-overlay] [data-shape]').count(), 0);

    const body = await run(page, 'Cascade');
    const image = (body['data'] as { image: { id: string; width: number; height: number } }).image;
    assert.deepEqual([image.id, image.width, image.height], [uploaded.id, 320, 200]);
    const expected = expectedShapes(body);
    assert.ok(expected.length > 0, 'the cascade on the dropped picture drew nothing to check');
    const drawing = await drawingWith(page, expected.length);
    assert.deepEqual([drawing.picture.naturalWidth, drawing.picture.naturalHeight], [320, 200]);
    assertDrawn(drawing, expected, body, image);
    await page.screenshot({ path: join(SCREENSHOTS, 'explorer-dropped.png') });
  });

  it('the file picker and a paste upload too', async () => {
    const picked = await patternPng(64, 48, 3);
    await page.locator('[data-explorer-file]').setInputFiles({ name: 'picked.png', mimeType: 'image/png', buffer: picked });
    await page
      .locator('[data-explorer-status]')
      .filter({ hasText: 'picked.png: 64×48 png, now the id variable' })
      .waitFor({ timeout: 30_000 });
    await variablesEditorShows(page, imageIdOf(picked));

    const pasted = await patternPng(40, 30, 5);
    await page.evaluate((base64) => {
      const window = globalThis as unknown as PageGlobals;
      const transfer = new window.DataTransfer();
      transfer.items.add(
        new window.File([Uint8Array.from(window.atob(base64), (char) => char.charCodeAt(0))], 'image.png', { type: 'image/png' }),
      );
      window.dispatchEvent(new window.ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
    }, pasted.toString('base64'));
    await page
      .locator('[data-explorer-status]')
      .filter({ hasText: 'image.png: 40×30 png, now the id variable' })
      .waitFor({ timeout: 30_000 });
    await variablesEditorShows(page, imageIdOf(pasted));
  });

  it('nothing left localhost, no own request failed, the page logged no error', () => {
    assert.deepEqual([...watch.foreign], [], 'requests left localhost');
    assert.deepEqual(watch.failed, [], 'own requests failed');
    assert.deepEqual(watch.consoleErrors, [], 'console errors (a refused asset, a CSP violation)');
    assert.deepEqual(watch.pageErrors, [], 'the page threw');
    assert.ok(
      watch.requested.includes(`${gateway.url}/images/${encodeURIComponent(EXAMPLE_IMAGE_ID)}`),
      'the example was shown through GET /images/{id}',
    );
  });

  it('the page’s content security policy lets it open a WebSocket to its own origin (subscriptions)', async () => {
    // A socket the policy refuses never reaches the network, so Playwright never reports it.
    const url = `${gateway.url.replace(/^http/, 'ws')}/graphql`;
    const opened = page.waitForEvent('websocket', { predicate: (socket) => socket.url() === url, timeout: 30_000 });
    await page.evaluate((target) => {
      const socket = new (globalThis as unknown as PageGlobals).WebSocket(target, 'graphql-transport-ws');
      socket.addEventListener('error', () => socket.close());
    }, url);
    await opened;
  });
});

/** Clicks run and returns the answer to `operationName`, parsed. */
async function run(page: Page, operationName: string): Promise<Record<string, Json>> {
  const answer = page.waitForResponse((r) => r.url().endsWith('/graphql') && r.request().postDataJSON()?.operationName === operationName, {
    timeout: ANSWER_TIMEOUT_MS,
  });
  await page.locator('.graphiql-execute-button').click();
  const body = (await (await answer).json()) as Record<string, Json>;
  assert.equal(body['errors'], undefined, JSON.stringify(body['errors']));
  return body;
}

/** Waits until the overlay holds `count` shapes, then reads each one's vertices in page pixels. */
async function drawingWith(page: Page, count: number): Promise<Drawing> {
  await waitForCount(page, count);
  return page.evaluate(() => {
    const { document, DOMPoint } = globalThis as unknown as PageGlobals;
    const picture = document.querySelector('[data-explorer-image]');
    if (!picture) throw new Error('no picture');
    const box = picture.getBoundingClientRect();
    const shapes = [...document.querySelectorAll('[data-explorer-overlay] [data-shape]')].map((element) => {
      const matrix = element.getScreenCTM();
      if (!matrix) throw new Error(`no screen transform for ${element.getAttribute('data-path')}`);
      const vertices = [...element.points].map(({ x, y }) => {
        const screen = new DOMPoint(x, y).matrixTransform(matrix);
        return { x: screen.x, y: screen.y };
      });
      return {
        path: element.getAttribute('data-path') ?? '',
        part: element.getAttribute('data-part') ?? '',
        kind: element.getAttribute('data-kind') ?? '',
        vertices,
      };
    });
    return {
      picture: {
        left: box.left,
        top: box.top,
        width: box.width,
        height: box.height,
        naturalWidth: picture.naturalWidth,
        naturalHeight: picture.naturalHeight,
      },
      shapes,
    };
  });
}

/**
 * Every expected shape is drawn once, at its path, each vertex within TOLERANCE_PX of the answer's
 * coordinates scaled from the image's size to the displayed picture.
 */
function assertDrawn(
  drawing: Drawing,
  expected: ExpectedShape[],
  body: Record<string, Json>,
  image: { width: number; height: number },
): void {
  const keyOf = (path: string, part: string) => (part === '' ? path : `${path}#${part}`);
  assert.deepEqual(
    drawing.shapes.map((shape) => keyOf(shape.path, shape.part)).sort(),
    expected.map((shape) => shape.key).sort(),
    'one drawn shape per box and polygon, at its path',
  );
  const { picture } = drawing;
  const scaleX = picture.width / image.width;
  const scaleY = picture.height / image.height;
  for (const drawn of drawing.shapes) {
    const key = keyOf(drawn.path, drawn.part);
    const wanted = expected.find((shape) => shape.key === key);
    assert.ok(wanted, key);
    assert.equal(lookUp(body, drawn.path) !== undefined, true, `${drawn.path} is in the answer`);
    assert.equal(drawn.vertices.length, wanted.points.length, `${key}: vertex count`);
    wanted.points.forEach((point, i) => {
      const onScreen = { x: picture.left + point.x * scaleX, y: picture.top + point.y * scaleY };
      const at = drawn.vertices[i];
      assert.ok(at, `${key}: vertex ${i}`);
      const off = Math.max(Math.abs(at.x - onScreen.x), Math.abs(at.y - onScreen.y));
      assert.ok(
        off <= TOLERANCE_PX,
        `${key} vertex ${i}: drawn at (${at.x.toFixed(2)}, ${at.y.toFixed(2)}), the answer's (${point.x}, ${point.y}) is at ` +
          `(${onScreen.x.toFixed(2)}, ${onScreen.y.toFixed(2)}): ${off.toFixed(2)} px off`,
      );
    });
  }
}

interface ExpectedShape {
  readonly key: string;
  readonly points: Vertex[];
}

/**
 * The boxes, quads and polygons of an answer, found by field name (the schema's `box`, `quad`,
 * `polygons`, `svgPath`) rather than by the explorer's shape rules, so the two can disagree.
 */
function expectedShapes(body: Json, path = ''): ExpectedShape[] {
  if (Array.isArray(body)) return body.flatMap((item, index) => expectedShapes(item, `${path}[${index}]`));
  if (typeof body !== 'object' || body === null) return [];
  return Object.entries(body).flatMap(([key, value]): ExpectedShape[] => {
    const at = path === '' ? key : `${path}.${key}`;
    if (key === 'box' && value && typeof value === 'object' && !Array.isArray(value)) {
      const { x1, y1, x2, y2 } = value as Record<string, number>;
      return [
        {
          key: at,
          points: [
            { x: x1!, y: y1! },
            { x: x2!, y: y1! },
            { x: x2!, y: y2! },
            { x: x1!, y: y2! },
          ],
        },
      ];
    }
    if (key === 'quad' && Array.isArray(value)) return [{ key: at, points: value as unknown as Vertex[] }];
    if (key === 'polygons' && Array.isArray(value))
      return value.map((polygon, i) => ({ key: `${at}[${i}].points`, points: (polygon as unknown as { points: Vertex[] }).points }));
    if (key === 'svgPath' && typeof value === 'string') {
      const rings = value
        .split('Z')
        .map((ring) => ring.trim())
        .filter((ring) => ring !== '');
      return rings.map((ring, i) => {
        const numbers = ring.replace(/[ML]/g, ' ').trim().split(/\s+/).map(Number);
        const points = Array.from({ length: numbers.length / 2 }, (_, j) => ({ x: numbers[2 * j]!, y: numbers[2 * j + 1]! }));
        return { key: rings.length > 1 ? `${at}#${i}` : at, points };
      });
    }
    return expectedShapes(value, at);
  });
}

/** The value at a path like `data.image.caption.phrases[0].regions[1].box`. */
function lookUp(body: Json, path: string): Json | undefined {
  let value: Json | undefined = body;
  for (const [, name, index] of path.matchAll(/\.?([A-Za-z_]\w*)|\[(\d+)\]/g)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = name !== undefined ? (value as Record<string, Json>)[name] : (value as Json[])[Number(index)];
  }
  return value;
}

async function waitForCount(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    (n) => [...(globalThis as unknown as PageGlobals).document.querySelectorAll('[data-explorer-overlay] [data-shape]')].length === n,
    count,
    { timeout: 30_000 },
  );
}

/** The variables editor (Monaco) shows `"id": "<id>"`. */
async function variablesEditorShows(page: Page, id: string): Promise<void> {
  await page
    .locator('.graphiql-editor-tool .view-lines')
    .filter({ hasText: `"id": "${id}"` })
    .waitFor({ timeout: 30_000 });
}

function imageIdOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
