/**
 * A frontend on another origin calling the gateway from Debian's Chromium (playwright-core): a tiny
 * second HTTP server serves a page, and that page's script `fetch`es `/graphql` (JSON, with an API key)
 * and `POST /images`, as a single-page app would. The gateway lists one of the page server's two
 * origins (`http://127.0.0.1:P`) in CORS_ORIGINS: from there every call works; from the other
 * (`http://localhost:P`, the same server under another host name) the browser refuses them with a
 * CORS error. The HTTP-level headers are checked in test/server/cors.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { patternPng } from '../helpers/images.js';
import { startServer, type LocalServer } from '../images/support/localServer.js';
import { launchChromium, skipWithoutChromium } from './support/chromium.js';

const KEY = 'browser-cors-key-0123456789';

/** What the page's script reports: the answers it could read, or the error fetch rejected with. */
type Outcome = { ok: true; status: number; body: unknown } | { ok: false; error: string };

/** The frontend: one page with nothing on it; the test drives its script through `page.evaluate`. */
const PAGE = '<!doctype html><meta charset="utf-8"><title>frontend</title><p>another origin</p>';

describe('a frontend on another origin, in Chromium', { skip: skipWithoutChromium, timeout: 180_000 }, () => {
  let frontend: LocalServer;
  let gateway: TestGateway;
  let browser: Browser;
  let pngBase64: string;

  before(async () => {
    pngBase64 = (await patternPng(40, 30, 4)).toString('base64');
    frontend = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    });
    gateway = await startTestGateway({ CORS_ORIGINS: frontend.origin, API_KEYS: KEY });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await gateway?.stop();
    await frontend?.close();
  });

  /** A fresh page at `origin`, with its console errors collected (Chromium reports CORS refusals there). */
  async function openPage(origin: string): Promise<{ page: Page; consoleErrors: string[] }> {
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    const response = await page.goto(`${origin}/`);
    assert.equal(response?.status(), 200);
    return { page, consoleErrors };
  }

  /** The page's script POSTs a query as JSON with the API key, as a frontend would. */
  function queryFromPage(page: Page, query: string, variables: Record<string, unknown>): Promise<Outcome> {
    return page.evaluate(
      async ({ url, key, query, variables }) => {
        try {
          const response = await fetch(`${url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
            body: JSON.stringify({ query, variables }),
          });
          return { ok: true as const, status: response.status, body: (await response.json()) as unknown };
        } catch (error) {
          return { ok: false as const, error: String(error) };
        }
      },
      { url: gateway.url, key: KEY, query, variables },
    );
  }

  /** The page's script uploads PNG bytes with POST /images (content-type image/png: a preflighted request). */
  function uploadFromPage(page: Page): Promise<Outcome> {
    return page.evaluate(
      async ({ url, key, pngBase64 }) => {
        const bytes = Uint8Array.from(atob(pngBase64), (c) => c.charCodeAt(0));
        try {
          const response = await fetch(`${url}/images`, {
            method: 'POST',
            headers: { 'content-type': 'image/png', 'x-api-key': key },
            body: bytes,
          });
          return { ok: true as const, status: response.status, body: (await response.json()) as unknown };
        } catch (error) {
          return { ok: false as const, error: String(error) };
        }
      },
      { url: gateway.url, key: KEY, pngBase64 },
    );
  }

  it('from the listed origin: a query with an inline image, an upload, and a query by the upload id all work', async () => {
    const { page } = await openPage(frontend.origin);
    try {
      const inline = await queryFromPage(page, 'query($b: String!) { image(base64: $b) { width height format } }', { b: pngBase64 });
      assert.deepEqual(inline, { ok: true, status: 200, body: { data: { image: { width: 40, height: 30, format: 'png' } } } });

      const upload = await uploadFromPage(page);
      assert.ok(upload.ok, `the upload failed in the page: ${JSON.stringify(upload)}`);
      assert.equal(upload.status, 201);
      const { id } = upload.body as { id: string };
      assert.match(id, /^sha256:[0-9a-f]{64}$/);

      const byId = await queryFromPage(page, 'query($id: ID!) { image(id: $id) { id width } }', { id });
      assert.deepEqual(byId, { ok: true, status: 200, body: { data: { image: { id, width: 40 } } } });

      // The exposed request id is readable by the page's script.
      const requestId = await page.evaluate(
        async ({ url, key }) => {
          const response = await fetch(`${url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-api-key': key, 'x-request-id': 'from-the-page' },
            body: '{"query":"{ model { id } }"}',
          });
          return response.headers.get('x-request-id');
        },
        { url: gateway.url, key: KEY },
      );
      assert.equal(requestId, 'from-the-page');
    } finally {
      await page.close();
    }
  });

  it('from an unlisted origin: the browser refuses both calls with a CORS error', async () => {
    const unlisted = frontend.origin.replace('127.0.0.1', 'localhost');
    const { page, consoleErrors } = await openPage(unlisted);
    try {
      const query = await queryFromPage(page, '{ model { id } }', {});
      assert.deepEqual(query, { ok: false, error: 'TypeError: Failed to fetch' });
      const upload = await uploadFromPage(page);
      assert.deepEqual(upload, { ok: false, error: 'TypeError: Failed to fetch' });
      const refusals = consoleErrors.filter((text) => text.includes(`from origin '${unlisted}' has been blocked by CORS policy`));
      assert.equal(refusals.length, 2, consoleErrors.join('\n'));
      assert.ok(refusals[0]!.includes(`${gateway.url}/graphql`), refusals[0]);
      assert.ok(refusals[1]!.includes(`${gateway.url}/images`), refusals[1]);
    } finally {
      await page.close();
    }
  });
});
