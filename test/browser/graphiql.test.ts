/**
 * GraphiQL at `/` in a real browser: Debian's Chromium driven by playwright-core (never a
 * downloaded browser). The page must load everything from the gateway's own origin, run the
 * default example (the cascade) with the run button, and show the result.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { EXAMPLE_IMAGE_ID } from '../../src/graphiql/examples.js';
import { GRAPHIQL_DIR } from '../../src/server/routes/graphiql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { SCREENSHOTS } from './support/screenshots.js';
import { launchChromium, skipWithoutChromium, watchRequests, type RequestWatch } from './support/chromium.js';

describe('GraphiQL in Chromium', { skip: skipWithoutChromium, timeout: 180_000 }, () => {
  let gateway: TestGateway;
  let browser: Browser;
  let page: Page;
  let watch: RequestWatch;

  before(async () => {
    assert.ok(existsSync(join(GRAPHIQL_DIR, 'index.html')), `GraphiQL is not built in ${GRAPHIQL_DIR}: run npm run build`);
    gateway = await startTestGateway();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    watch = await watchRequests(context);
    page = await context.newPage();
    watch.watchPage(page);
  });

  after(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('opens with the cascade example and runs it from the run button', async () => {
    const response = await page.goto(`${gateway.url}/`);
    assert.equal(response?.status(), 200);
    assert.equal(await page.title(), 'Florence Gateway');

    const runButton = page.locator('.graphiql-execute-button');
    await runButton.waitFor({ state: 'visible', timeout: 30_000 });
    // The operation editor (Monaco) shows the default tab: the cascade.
    await page.locator('.graphiql-query-editor .view-lines').filter({ hasText: 'query Cascade' }).waitFor({ timeout: 30_000 });

    const answer = page.waitForResponse(
      (r) => r.url() === `${gateway.url}/graphql` && r.request().postDataJSON()?.operationName === 'Cascade',
      {
        timeout: 120_000,
      },
    );
    await runButton.click();
    const graphqlResponse = await answer;
    // JSON, so Apollo's CSRF prevention lets the request through without a preflight header.
    assert.match(graphqlResponse.request().headers()['content-type'] ?? '', /^application\/json/);
    const body = (await graphqlResponse.json()) as { data?: { image?: CascadeImage }; errors?: unknown[] };
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    const image = body.data?.image;
    assert.ok(image, 'the cascade returned no image');
    // The bundled example picture, which the page uploaded before running the tab.
    assert.equal(image.id, EXAMPLE_IMAGE_ID);
    assert.equal(image.width, 1024);
    assert.equal(image.format, 'jpeg');
    assert.ok(Array.isArray(image.caption.phrases), 'the caption has phrases');

    // The result pane (a read-only Monaco editor) shows the same answer.
    const result = page.locator('.result-window .view-lines');
    await result.filter({ hasText: '"data"' }).waitFor({ timeout: 30_000 });
    const shown = (await result.innerText()).replace(/\u00a0/g, ' ');
    for (const expected of ['"image"', '"sha256:', '"width": 1024', '"format": "jpeg"', '"caption"']) {
      assert.ok(shown.includes(expected), `the result pane lacks ${expected}:\n${shown}`);
    }
  });

  it('loads every asset and Monaco worker from its own origin, nothing from elsewhere', async () => {
    assert.deepEqual([...watch.foreign], [], 'requests left localhost');
    assert.deepEqual(watch.failed, [], 'own requests failed');
    assert.deepEqual(watch.consoleErrors, [], 'console errors (a refused asset, a CSP violation)');
    assert.deepEqual(watch.pageErrors, [], 'the page threw');
    const own = watch.requested.filter((url) => url.startsWith(gateway.url));
    for (const pattern of [/\/main-\w+\.js$/, /\/main-\w+\.css$/, /\/workers\/graphql\.worker-\w+\.js$/, /\/assets\/example-\w+\.jpg$/]) {
      assert.ok(
        own.some((url) => pattern.test(url)),
        `nothing matching ${pattern} was loaded: ${own.join(', ')}`,
      );
    }
  });

  it('takes a screenshot of the answered page', async () => {
    // For review: test-output/ is git-ignored.
    await mkdir(SCREENSHOTS, { recursive: true });
    const file = join(SCREENSHOTS, 'graphiql.png');
    await page.screenshot({ path: file, fullPage: true });
    const { size } = await stat(file);
    assert.ok(size > 20_000 && size < 10_000_000, `screenshot of ${size} bytes`);
    const png = await readFile(file);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  });
});

interface CascadeImage {
  readonly id: string;
  readonly width: number;
  readonly format: string;
  readonly caption: { readonly phrases: unknown[] | null };
}
