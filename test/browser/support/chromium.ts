/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), for the GraphiQL page
 * tests: launch flags that keep the browser off the network on its own account, and a request
 * watch that aborts and records anything not bound for localhost, own requests that failed, page
 * errors and console errors.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/** A test suite's `skip` option: false, or why the suite cannot run here. */
export const skipWithoutChromium: false | string = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`;

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

export function launchChromium(): Promise<Browser> {
  // launch() gives Chromium a fresh, empty profile of its own and deletes it on close.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/** What a watched context did that a test may want to see empty. */
export interface RequestWatch {
  /** Every request the pages or their workers made whose host is not ours (each one is refused). */
  readonly foreign: Set<string>;
  /** Requests to our own origin that failed (a missing asset, a refused worker), /graphql aside. */
  readonly failed: string[];
  /** Every URL requested, in order. */
  readonly requested: string[];
  readonly pageErrors: string[];
  /** Console errors, which include the browser's reports of content-security-policy refusals. */
  readonly consoleErrors: string[];
  /** Starts recording a page of the context (its errors, console, WebSockets). */
  watchPage(page: Page): void;
}

/**
 * Routes every request of `context` (pages and their workers): ours go on, others are recorded and
 * aborted, so a test fails on a CDN load even when the network is open.
 */
export async function watchRequests(context: BrowserContext): Promise<RequestWatch> {
  const watch: RequestWatch = {
    foreign: new Set(),
    failed: [],
    requested: [],
    pageErrors: [],
    consoleErrors: [],
    watchPage(page) {
      page.on('pageerror', (error) => watch.pageErrors.push(error.message));
      // WebSockets bypass routing: one to anywhere but our own host is foreign.
      page.on('websocket', (socket) => {
        if (!isLocal(new URL(socket.url()))) watch.foreign.add(socket.url());
      });
      page.on('console', (message) => {
        if (message.type() === 'error') watch.consoleErrors.push(message.text());
      });
    },
  };
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (isLocal(url)) return route.continue();
    watch.foreign.add(url.href);
    return route.abort('blockedbyclient');
  });
  context.on('request', (request: Request) => {
    watch.requested.push(request.url());
    const url = new URL(request.url());
    if ((url.protocol === 'http:' || url.protocol === 'https:') && !isLocal(url)) watch.foreign.add(url.href);
  });
  context.on('requestfailed', (request: Request) => {
    if (isLocal(new URL(request.url()))) watch.failed.push(`${request.url()}: ${request.failure()?.errorText}`);
  });
  context.on('response', (response) => {
    if (isLocal(new URL(response.url())) && response.status() >= 400 && !response.url().endsWith('/graphql')) {
      watch.failed.push(`${response.url()}: HTTP ${response.status()}`);
    }
  });
  return watch;
}

export function isLocal(url: URL): boolean {
  if (url.protocol === 'data:' || url.protocol === 'blob:' || url.protocol === 'about:') return true;
  return LOCAL_HOSTS.has(url.hostname);
}
