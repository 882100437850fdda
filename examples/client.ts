/**
 * A small typed client for Florence Gateway: plain `fetch` for queries and graphql-ws for
 * subscriptions, with result and variable types generated from schema.graphql by GraphQL Code
 * Generator (`npm run codegen` → ./gql).
 *
 *   node dist/examples/client.js [GATEWAY_URL] IMAGE_URL_OR_PATH            the cascade
 *   node dist/examples/client.js [GATEWAY_URL] IMAGE_URL_OR_PATH --stream   a detailed caption, as it is written
 *
 * The first prints the image's caption, the phrases of the caption, and the regions and segment
 * areas of each phrase. The second prints the caption's text as the model decodes it, then its
 * score. An http(s) image is fetched by the gateway; a file is sent inline.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { print, type GraphQLFormattedError } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { graphql } from './gql/index.js';
import type { CascadeQuery, CascadeQueryVariables, StreamCaptionSubscription } from './gql/graphql.js';

export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:4000';

/** The cascade: a caption, its phrases' regions and their outlines, in one request. */
export const CascadeDocument = graphql(`
  query Cascade($url: String, $base64: String) {
    image(url: $url, base64: $base64) {
      id
      width
      height
      caption {
        text
        phrases {
          phrase
          regions {
            box { x1 y1 x2 y2 }
            segment { area svgPath }
          }
        }
      }
    }
  }
`);

/** A detailed caption streamed as the model writes it: text so far, then the last event with the score. */
export const StreamCaptionDocument = graphql(`
  subscription StreamCaption($url: String, $base64: String) {
    generation(url: $url, base64: $base64, task: DETAILED_CAPTION) {
      imageId
      text
      tokens
      done
      score
    }
  }
`);

/** One event of the stream, as the generated types describe it. */
export type CaptionEvent = StreamCaptionSubscription['generation'];

/** A GraphQL response with errors; the partial data, if any, stays available. */
export class GraphQLResponseError extends Error {
  constructor(
    readonly errors: readonly GraphQLFormattedError[],
    readonly data: unknown,
  ) {
    super(errors.map((error) => error.message).join('; '));
    this.name = 'GraphQLResponseError';
  }
}

/**
 * Runs one typed operation. JSON in and out: `content-type: application/json` is also what the
 * gateway's CSRF prevention asks of a request.
 */
export async function execute<TResult, TVariables>(
  gatewayUrl: string,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  const response = await fetch(new URL('/graphql', gatewayUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const text = await response.text();
  let body: { data?: TResult | null; errors?: GraphQLFormattedError[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`HTTP ${response.status} from ${gatewayUrl}: ${text.slice(0, 200)}`);
  }
  if (body.errors?.length) throw new GraphQLResponseError(body.errors, body.data);
  if (body.data == null) throw new Error(`HTTP ${response.status} from ${gatewayUrl} without data`);
  return body.data;
}

/** An http(s) URL goes to the gateway as `url`; anything else is read as a file and sent inline. */
export async function imageVariables(image: string): Promise<CascadeQueryVariables> {
  if (/^https?:\/\//i.test(image)) return { url: image };
  return { base64: (await readFile(image)).toString('base64') };
}

export async function runCascade(gatewayUrl: string, image: string): Promise<CascadeQuery> {
  return execute(gatewayUrl, CascadeDocument, await imageVariables(image));
}

/**
 * Streams a detailed caption over WebSocket (graphql-ws on the same /graphql path), calling
 * `onEvent` for each event; resolves with the last one. `apiKey`, if the gateway wants one, travels in
 * the connection parameters (browsers cannot set headers on a WebSocket).
 */
export async function streamCaption(
  gatewayUrl: string,
  image: string,
  onEvent: (event: CaptionEvent) => void,
  apiKey?: string,
): Promise<CaptionEvent> {
  const url = new URL('/graphql', gatewayUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const client = createClient({
    url: url.href,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    ...(apiKey ? { connectionParams: { apiKey } } : {}),
  });
  try {
    let last: CaptionEvent | undefined;
    const events = client.iterate<StreamCaptionSubscription>({
      query: print(StreamCaptionDocument),
      variables: await imageVariables(image),
    });
    for await (const result of events) {
      if (result.errors?.length) throw new GraphQLResponseError(result.errors, result.data);
      if (!result.data) continue;
      last = result.data.generation;
      onEvent(last);
    }
    if (!last?.done) throw new Error('the stream ended without its last event');
    return last;
  } finally {
    await client.dispose();
  }
}

/** The cascade as indented lines of text. */
export function formatCascade(result: CascadeQuery): string {
  const image = result.image;
  if (!image) return 'no image';
  const lines = [`${image.id} (${image.width}×${image.height})`, `caption: ${image.caption?.text ?? '(failed)'}`];
  for (const { phrase, regions } of image.caption?.phrases ?? []) {
    lines.push(`  "${phrase}": ${regions.length} region${regions.length === 1 ? '' : 's'}`);
    for (const { box, segment } of regions) {
      const area = segment ? `segment area ${segment.area.toFixed(1)} px²` : 'no segment';
      lines.push(`    box (${box.x1}, ${box.y1})–(${box.x2}, ${box.y2}), ${area}`);
    }
  }
  return lines.join('\n');
}

async function main(argv: readonly string[]): Promise<void> {
  const stream = argv.includes('--stream');
  const positional = argv.filter((arg) => arg !== '--stream');
  // One argument is the image; two are the gateway and the image.
  const [gatewayUrl, image] = positional.length >= 2 ? positional : [DEFAULT_GATEWAY_URL, positional[0]];
  if (!image || !gatewayUrl) {
    console.error('usage: node dist/examples/client.js [GATEWAY_URL] IMAGE_URL_OR_PATH [--stream]');
    process.exitCode = 2;
    return;
  }
  if (!stream) {
    console.log(formatCascade(await runCascade(gatewayUrl, image)));
    return;
  }
  let shown = '';
  const last = await streamCaption(gatewayUrl, image, (event) => {
    // The text grows; print what is new.
    process.stdout.write(event.text.startsWith(shown) ? event.text.slice(shown.length) : `\n${event.text}`);
    shown = event.text;
  });
  process.stdout.write(`\n(${last.tokens} tokens, score ${last.score?.toFixed(3)})\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
