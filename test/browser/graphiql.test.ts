/**
 * GraphiQL at `/` in a real browser: Debian's Chromium driven by playwright-core (never a
 * downloaded browser). The page must load everything from the gateway's own origin, run the
 * default example (the cascade) with the run button, and show the result.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { GRAPHIQL_DIR } from '../../src/server/routes/graphiql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
// The flags that keep Chromium off the network on its own account (updates, sync, field trials):
// on a closed network those connections fail noisily, and they are not the page's requests.
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`;

describe('GraphiQL in Chromium', { skip, timeout: 180_000 }, () => {
  let gateway: TestGateway;
  let browser: Browser;
  let page: Page;
  let workdir: string;
  /** Every request the page or its workers made whose host is not ours (each one is refused). */
  const foreign = new Set<string>();
  /** Requests to our own origin that failed (a missing asset, a refused worker). */
  const failed: string[] = [];
  const requested: string[] = [];
  const pageErrors: string[] = [];
  /** Console errors, which include the browser's reports of content-security-policy refusals. */
  const consoleErrors: string[] = [];

  before(async () => {
    assert.ok(existsSync(join(GRAPHIQL_DIR, 'index.html')), `GraphiQL is not built in ${GRAPHIQL_DIR}: run npm run build`);
    workdir = await mkdtemp(join(tmpdir(), 'florence-graphiql-'));
    gateway = await startTestGateway();
    // launch() gives Chromium a fresh, empty profile of its own and deletes it on close.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    // Route every request of the context (pages and their workers): ours go on, others are
    // recorded and aborted, so the test fails on a CDN load even when the network is open.
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (isLocal(url)) return route.continue();
      foreign.add(url.href);
      return route.abort('blockedbyclient');
    });
    context.on('request', (request: Request) => {
      requested.push(request.url());
      const url = new URL(request.url());
      if ((url.protocol === 'http:' || url.protocol === 'https:') && !isLocal(url)) foreign.add(url.href);
    });
    context.on('requestfailed', (request: Request) => {
      if (isLocal(new URL(request.url()))) failed.push(`${request.url()}: ${request.failure()?.errorText}`);
    });
    context.on('response', (response) => {
      if (isLocal(new URL(response.url())) && response.status() >= 400 && !response.url().endsWith('/graphql')) {
        failed.push(`${response.url()}: HTTP ${response.status()}`);
      }
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // WebSockets bypass routing; none is expected at all (queries and subscriptions go over HTTP).
    page.on('websocket', (socket) => foreign.add(socket.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
  });

  after(async () => {
    await browser?.close();
    await gateway?.stop();
    if (workdir) await rm(workdir, { recursive: true, force: true });
  });

  it('opens with the cascade example and runs it from the run button', async () => {
    const response = await page.goto(`${gateway.url}/`);
    assert.equal(response?.status(), 200);
    assert.equal(await page.title(), 'Florence Gateway');

    const runButton = page.locator('.graphiql-execute-button');
    await runButton.waitFor({ state: 'visible', timeout: 30_000 });
    // The operation editor (Monaco) shows the default tab: the cascade.
    await page.locator('.graphiql-query-editor .view-lines').filter({ hasText: 'query Cascade' }).waitFor({ timeout: 30_000 });

    const answer = page.waitForResponse((r) => r.url() === `${gateway.url}/graphql` && r.request().postDataJSON()?.operationName === 'Cascade', {
      timeout: 120_000,
    });
    await runButton.click();
    const graphqlResponse = await answer;
    // JSON, so Apollo's CSRF prevention lets the request through without a preflight header.
    assert.match(graphqlResponse.request().headers()['content-type'] ?? '', /^application\/json/);
    const body = (await graphqlResponse.json()) as { data?: { image?: CascadeImage }; errors?: unknown[] };
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    const image = body.data?.image;
    assert.ok(image, 'the cascade returned no image');
    assert.equal(image.width, 16);
    assert.equal(image.format, 'png');
    assert.ok(Array.isArray(image.caption.phrases), 'the caption has phrases');

    // The result pane (a read-only Monaco editor) shows the same answer.
    const result = page.locator('.result-window .view-lines');
    await result.filter({ hasText: '"data"' }).waitFor({ timeout: 30_000 });
    const shown = (await result.innerText()).replace(/\u00a0/g, ' ');
    for (const expected of ['"image"', '"sha256:', '"width": 16', '"format": "png"', '"caption"']) {
      assert.ok(shown.includes(expected), `the result pane lacks ${expected}:\n${shown}`);
    }
  });

  it('loads every asset and Monaco worker from its own origin, nothing from elsewhere', async () => {
    assert.deepEqual([...foreign], [], 'requests left localhost');
    assert.deepEqual(failed, [], 'own requests failed');
    assert.deepEqual(consoleErrors, [], 'console errors (a refused asset, a CSP violation)');
    assert.deepEqual(pageErrors, [], 'the page threw');
    const own = requested.filter((url) => url.startsWith(gateway.url));
    for (const pattern of [/\/main-\w+\.js$/, /\/main-\w+\.css$/, /\/workers\/graphql\.worker-\w+\.js$/]) {
      assert.ok(own.some((url) => pattern.test(url)), `nothing matching ${pattern} was loaded: ${own.join(', ')}`);
    }
  });

  it('takes a screenshot of the answered page', async () => {
    // GRAPHIQL_SCREENSHOT=path keeps it for a look; by default it goes to a temp folder.
    const file = process.env['GRAPHIQL_SCREENSHOT'] ?? join(workdir, 'graphiql.png');
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

function isLocal(url: URL): boolean {
  if (url.protocol === 'data:' || url.protocol === 'blob:' || url.protocol === 'about:') return true;
  return LOCAL_HOSTS.has(url.hostname);
}
