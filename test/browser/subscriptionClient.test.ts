/**
 * The page's half of subscriptions, in Chromium: the "stream a detailed caption" tab goes over a
 * WebSocket to the page's own origin at /graphql, speaking graphql-ws (graphql-transport-ws), with
 * the headers editor's headers (an API key) as the connection params, and GraphiQL shows each
 * event as it comes. The first test's server half is a stand-in at the protocol level (Playwright's
 * routeWebSocket), so it checks the client's messages exactly; the last runs the tab against the
 * gateway's own WebSocket server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { EXAMPLE_IMAGE_ID } from '../../src/graphiql/examples.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { launchChromium, skipWithoutChromium, watchRequests, type RequestWatch } from './support/chromium.js';

const API_KEY = 'k1-subscription-client-key';
/** What the stand-in server streams: a caption growing token by token, then the last event. */
const EVENTS = [
  { text: 'A red', tokens: 3, done: false, score: null },
  { text: 'A red car', tokens: 4, done: false, score: null },
  { text: 'A red car parked by a cafe.', tokens: 9, done: true, score: -0.4321 },
];

interface ClientMessage {
  readonly type: string;
  readonly id?: string;
  readonly payload?: { readonly query?: string; readonly variables?: Record<string, unknown>; readonly operationName?: string } & Record<
    string,
    unknown
  >;
}

describe('subscriptions from GraphiQL in Chromium', { skip: skipWithoutChromium, timeout: 300_000 }, () => {
  let gateway: TestGateway;
  let browser: Browser;
  let page: Page;
  let watch: RequestWatch;
  const received: ClientMessage[] = [];
  let subprotocols: string[] = [];
  /** operationName of every operation POSTed to /graphql (introspection, say). */
  const posted: string[] = [];

  before(async () => {
    gateway = await startTestGateway();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    watch = await watchRequests(context);
    page = await context.newPage();
    watch.watchPage(page);
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url() === `${gateway.url}/graphql`)
        posted.push(String((request.postDataJSON() as { operationName?: unknown }).operationName));
    });
    await page.routeWebSocket(`${gateway.url.replace(/^http/, 'ws')}/graphql`, (socket) => {
      subprotocols = socket.protocols();
      socket.onMessage((data) => {
        const message = JSON.parse(String(data)) as ClientMessage;
        received.push(message);
        if (message.type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack' }));
        if (message.type === 'subscribe') {
          for (const generation of EVENTS) socket.send(JSON.stringify({ id: message.id, type: 'next', payload: { data: { generation } } }));
          socket.send(JSON.stringify({ id: message.id, type: 'complete' }));
        }
      });
    });
  });

  after(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('the stream tab subscribes over graphql-ws with the API key as connection params and shows the events', async () => {
    await page.goto(`${gateway.url}/`);
    await page.locator('.graphiql-tab').filter({ hasText: 'StreamCaption' }).click();
    await page.locator('.graphiql-query-editor .view-lines').filter({ hasText: 'subscription StreamCaption' }).waitFor({ timeout: 60_000 });

    // The key goes in the headers editor, as a user would put it there for /graphql.
    await page.locator('.graphiql-editor-tools button').filter({ hasText: 'Headers' }).click();
    await page.locator('.graphiql-editor-tool .graphiql-editor').last().click();
    await page.keyboard.insertText(JSON.stringify({ 'x-api-key': API_KEY }));

    await page.locator('.graphiql-execute-button').click();
    const result = page.locator('.result-window .view-lines');
    await result.filter({ hasText: 'parked by a cafe' }).waitFor({ timeout: 60_000 });
    const shown = (await result.innerText()).replace(/\u00a0/g, ' ');
    assert.ok(shown.includes('"done": true') && shown.includes('"score": -0.4321'), shown);

    assert.deepEqual(subprotocols, ['graphql-transport-ws']);
    const init = received.find((message) => message.type === 'connection_init');
    assert.deepEqual(init?.payload, { 'x-api-key': API_KEY });
    const subscribe = received.find((message) => message.type === 'subscribe');
    assert.ok(subscribe?.payload, 'no subscribe message');
    assert.equal(subscribe.payload.operationName, 'StreamCaption');
    assert.match(
      subscribe.payload.query ?? '',
      new RegExp(
        /subscription StreamCaption\(\$id: ID, \$base64: String, \$url: String\) \{\s+/.source +
          /generation\(id: \$id, base64: \$base64, url: \$url, task: MORE_DETAILED_CAPTION\)/.source,
      ),
    );
    assert.deepEqual(subscribe.payload.variables, { id: EXAMPLE_IMAGE_ID });
  });

  it('the example picture was uploaded first, the subscription never went over HTTP, nothing left localhost', () => {
    assert.ok(watch.requested.includes(`${gateway.url}/images`), 'the example picture was not uploaded before the subscription');
    assert.ok(posted.includes('IntrospectionQuery'), `introspection goes over HTTP: ${posted.join(', ')}`);
    assert.ok(!posted.includes('StreamCaption'), 'the subscription was POSTed');
    assert.deepEqual([...watch.foreign], [], 'requests left localhost');
    assert.deepEqual(watch.pageErrors, [], 'the page threw');
  });

  it('end to end: the stream tab streams a detailed caption from the gateway itself', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const live = await watchRequests(context);
    const streamPage = await context.newPage();
    live.watchPage(streamPage);
    const frames: string[] = [];
    streamPage.on('websocket', (socket) => socket.on('framereceived', (frame) => frames.push(String(frame.payload))));
    try {
      await streamPage.goto(`${gateway.url}/`);
      await streamPage.locator('.graphiql-tab').filter({ hasText: 'StreamCaption' }).click();
      await streamPage
        .locator('.graphiql-query-editor .view-lines')
        .filter({ hasText: 'subscription StreamCaption' })
        .waitFor({ timeout: 60_000 });
      await streamPage.locator('.graphiql-execute-button').click();
      const result = streamPage.locator('.result-window .view-lines');
      await result.filter({ hasText: '"done": true' }).waitFor({ timeout: 120_000 });
      const shown = (await result.innerText()).replace(/\u00a0/g, ' ');
      assert.match(shown, /"score": -?\d/);
      const events = frames.map(
        (frame) => JSON.parse(frame) as { type: string; payload?: { data?: { generation?: { done: boolean; tokens: number } } } },
      );
      const generation = events.flatMap((event) =>
        event.type === 'next' && event.payload?.data?.generation ? [event.payload.data.generation] : [],
      );
      assert.ok(generation.length >= 2, `progress events before the last: ${frames.join(' | ')}`);
      assert.equal(generation.at(-1)?.done, true);
      assert.ok(
        generation.slice(0, -1).every((event) => !event.done),
        'only the last event is done',
      );
      assert.deepEqual([...live.foreign], [], 'requests left localhost');
      assert.deepEqual(live.pageErrors, [], 'the page threw');
    } finally {
      await context.close();
    }
  });
});
