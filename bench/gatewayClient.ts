/**
 * The orchestrator as a gateway client, the way a frontend would be: GraphQL over HTTP, image
 * uploads, and generations followed over graphql-ws.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { QUERIES } from './workloads.js';

/** A task as the benchmark asks for it: exactly `tokens` tokens (minNewTokens = maxNewTokens), so the work is fixed. */
export interface TaskRequest {
  readonly imageId: string;
  /** A value of the GraphQL `Task` enum, e.g. `DETAILED_CAPTION`. */
  readonly task: string;
  readonly input?: string;
  readonly tokens: number;
}

/** How a followed generation went, in ms from the subscribe call. */
export interface FollowedGeneration {
  /** Resolves with the time of the first event (a progress event, or the answer if it came in one). */
  readonly firstEvent: Promise<number>;
  /** Resolves when the stream completes: the time, the events seen and the tokens of the last one. */
  readonly done: Promise<{ readonly ms: number; readonly events: number; readonly tokens: number }>;
  /** Unsubscribes: the gateway cancels the work unless someone else wants it. */
  stop(): void;
}

/** `ms` to wait, as a promise. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class GatewayClient {
  constructor(readonly url: string) {}

  /** One GraphQL request over HTTP; a response with errors throws them. */
  async graphql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const response = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
    if (body.errors?.length) throw new Error(`gateway: ${body.errors.map((error) => error.message).join('; ')}`);
    if (!body.data) throw new Error(`gateway: HTTP ${response.status} without data`);
    return body.data;
  }

  /** `POST /images`: the image's id, for `image(id:)`. */
  async upload(image: Buffer): Promise<string> {
    const response = await fetch(`${this.url}/images`, { method: 'POST', body: image });
    const body = (await response.json()) as { id?: string; error?: { message: string } };
    if (!response.ok || !body.id)
      throw new Error(`upload refused (HTTP ${response.status}): ${body.error?.message ?? JSON.stringify(body)}`);
    return body.id;
  }

  /** Runs one task over HTTP and returns its text. */
  async task(request: TaskRequest): Promise<string> {
    const data = await this.graphql<{ image: { task: { text: string } | null } | null }>(QUERIES.task, taskVariables(request));
    const text = data.image?.task?.text;
    if (text === undefined) throw new Error(`gateway: no ${request.task} result for image ${request.imageId}`);
    return text;
  }

  /** A graphql-ws connection, open before it returns (so what is timed over it excludes the handshake). */
  async subscriptions(): Promise<SubscriptionClient> {
    const url = `${this.url.replace(/^http/, 'ws')}/graphql`;
    let client: Client | undefined;
    await new Promise<void>((resolve, reject) => {
      client = createClient({ url, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, onNonLazyError: reject });
      client.on('connected', () => resolve());
    });
    return new SubscriptionClient(client!);
  }
}

export class SubscriptionClient {
  constructor(private readonly client: Client) {}

  /** Subscribes to `Subscription.generation` for the task and times its events. */
  follow(request: TaskRequest): FollowedGeneration {
    const started = performance.now();
    let events = 0;
    let tokens = 0;
    let unsubscribe: () => void = () => undefined;
    let markFirst: (ms: number) => void = () => undefined;
    let failFirst: (error: Error) => void = () => undefined;
    const firstEvent = new Promise<number>((resolve, reject) => {
      markFirst = resolve;
      failFirst = reject;
    });
    const done = new Promise<{ ms: number; events: number; tokens: number }>((resolve, reject) => {
      const fail = (error: Error) => {
        failFirst(error);
        reject(error);
      };
      unsubscribe = this.client.subscribe<{ generation: { tokens: number; done: boolean } }>(
        { query: QUERIES.stream, variables: taskVariables(request) },
        {
          next: (result) => {
            if (result.errors?.length) return fail(new Error(`subscription: ${result.errors.map((error) => error.message).join('; ')}`));
            if (events++ === 0) markFirst(performance.now() - started);
            tokens = result.data?.generation.tokens ?? tokens;
          },
          error: (error: unknown) => fail(error instanceof Error ? error : new Error(`subscription failed: ${JSON.stringify(error)}`)),
          complete: () => {
            // Stopped before any event: nothing to time.
            if (events === 0) failFirst(new Error('the subscription completed without an event'));
            resolve({ ms: performance.now() - started, events, tokens });
          },
        },
      );
    });
    // A probe that stops early never awaits these; their rejections are answered here.
    firstEvent.catch(() => undefined);
    done.catch(() => undefined);
    return { firstEvent, done, stop: () => unsubscribe() };
  }

  dispose(): Promise<void> {
    return Promise.resolve(this.client.dispose());
  }
}

function taskVariables(request: TaskRequest): Record<string, unknown> {
  return {
    id: request.imageId,
    task: request.task,
    ...(request.input !== undefined ? { input: request.input } : {}),
    g: { maxNewTokens: request.tokens, minNewTokens: request.tokens },
  };
}
