/**
 * GraphQL subscriptions over WebSocket (graphql-ws) on the same port and path as `/graphql`, set up
 * as Apollo Server 5's subscriptions page describes (a `ws` server on the HTTP server, `useServer`,
 * and a drain step in Apollo's plugin list), under the same rules as HTTP queries:
 *
 * - at the upgrade: readiness (503) and the browser's Origin (403: same origin or CORS_ORIGINS);
 * - at `connection_init`: the API key (`apiKey`, `authorization: "Bearer …"` or `x-api-key` in the
 *   connection parameters, or the upgrade request's headers) and a cap on open connections per
 *   client; refusals close the socket with a 44xx code and a reason a person can read;
 * - per subscription: the rate limit (one request's worth), GraphQL validation with the shape rules,
 *   the cost estimate, the per-request budget and deadline; refusals are GraphQL errors on that
 *   subscription, the socket stays open.
 *
 * Only subscriptions travel here: queries go over HTTP, where the response cache and CSRF rules live.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Express } from 'express';
import {
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger as PinoLogger } from 'pino';
import { createContext } from '../graphql/context.js';
import { RequestBudget } from '../graphql/cost/requestBudget.js';
import type { ApiKeyVerdict } from './pipeline/apiKeys.js';
import { presentedKey } from './pipeline/apiKeys.js';
import { clientKeyOf, type RateLimiter } from './pipeline/rateLimit.js';
import type { CostCheck } from './pipeline/costLimitPlugin.js';
import { DeadlineExceededError } from './pipeline/deadline.js';
import type { ReadinessState } from './readiness.js';

export interface SubscriptionServerOptions {
  readonly httpServer: Server;
  /** The express app: its `trust proxy` setting names the client behind a load balancer. */
  readonly app: Express;
  readonly path: string;
  readonly schema: GraphQLSchema;
  readonly readiness: ReadinessState;
  /** The shape rules (depth, aliases, task fields, introspection), run with graphql's own. */
  readonly validationRules: readonly ValidationRule[];
  readonly costCheck: CostCheck;
  /** Apollo's error formatter, so codes and messages are the same as over HTTP. */
  readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** Absent: no API keys. */
  readonly apiKeys?: ((presented: string | undefined) => ApiKeyVerdict) | undefined;
  /** Absent: no rate limit. */
  readonly rateLimiter?: RateLimiter | undefined;
  /** Whether a page of `origin` (absent: not a browser) may connect to a gateway reached as `host`: CORS_ORIGINS and its own origin. */
  readonly allowOrigin: (origin: string | undefined, host: string | undefined) => boolean;
  /** Open WebSocket connections per client (API key, else address). */
  readonly maxConnectionsPerClient: number;
  /** Active subscriptions per connection. */
  readonly maxSubscriptionsPerConnection: number;
  /** REQUEST_TIMEOUT_MS: a subscription's deadline, as a query's. */
  readonly requestTimeoutMs: number;
  /** REQUEST_BUDGET: each subscription's model-work budget, as a query's. */
  readonly requestBudget: number;
  /** The largest message accepted, in bytes (a base64 image in the variables). */
  readonly maxPayloadBytes: number;
  readonly logger: PinoLogger;
}

export interface SubscriptionServer {
  /** Open connections and active subscriptions right now. */
  stats(): { connections: number; subscriptions: number };
  /** Closes every socket (1001, going away); their subscriptions stop and their work is cancelled. */
  dispose(): Promise<void>;
}

/** Close codes of our refusals (4400–4499 are the application's; graphql-ws uses some of them). */
export const CLOSE_UNAUTHORIZED = CloseCode.Unauthorized; // 4401
export const CLOSE_TOO_MANY_CONNECTIONS = 4429;

/** What graphql-ws keeps per connection for us. */
interface ConnectionState {
  clientKey?: string;
  readonly subscriptions: Map<string, AbortController>;
}

type SocketExtra = { readonly socket: WebSocket; readonly request: IncomingMessage; state?: ConnectionState };

export function startSubscriptionServer(options: SubscriptionServerOptions): SubscriptionServer {
  const { logger } = options;
  const connectionsPerClient = new Map<string, number>();
  const connections = new Set<ConnectionState>();
  const wsServer = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    maxPayload: options.maxPayloadBytes,
    verifyClient: (
      { req, origin }: { req: IncomingMessage; origin: string | undefined },
      done: (ok: boolean, code?: number, message?: string) => void,
    ) => {
      const unavailable = options.readiness.unavailableReason();
      if (unavailable) return done(false, 503, unavailable);
      // Browsers send Origin and apply no CORS to WebSockets: refuse pages of other origins here.
      if (!options.allowOrigin(origin, req.headers.host)) return done(false, 403, `origin ${origin ?? ''} may not open subscriptions here`);
      done(true);
    },
  });

  const disposable = useServer<Record<string, unknown>, { state?: ConnectionState }>(
    {
      schema: options.schema,
      onConnect: (ctx) => {
        const extra = ctx.extra as SocketExtra;
        const state: ConnectionState = { subscriptions: new Map() };
        extra.state = state;
        connections.add(state);
        let apiClientId: string | undefined;
        if (options.apiKeys) {
          const verdict = options.apiKeys(connectionKey(ctx.connectionParams ?? {}) ?? presentedKey(extra.request.headers));
          if ('refusal' in verdict) {
            extra.socket.close(CLOSE_UNAUTHORIZED, closeReason(`Unauthorized: ${verdict.message}`));
            return false;
          }
          apiClientId = verdict.clientId;
        }
        const clientKey = clientKeyOf(clientAddress(options.app, extra.request), apiClientId);
        const open = connectionsPerClient.get(clientKey) ?? 0;
        if (open >= options.maxConnectionsPerClient) {
          extra.socket.close(
            CLOSE_TOO_MANY_CONNECTIONS,
            closeReason(`Too many connections: at most ${options.maxConnectionsPerClient} per client`),
          );
          return false;
        }
        connectionsPerClient.set(clientKey, open + 1);
        state.clientKey = clientKey;
        return true;
      },
      onClose: (ctx) => {
        const state = (ctx.extra as SocketExtra).state;
        if (!state) return;
        connections.delete(state);
        for (const controller of state.subscriptions.values()) controller.abort(new Error('the subscriber closed the connection'));
        state.subscriptions.clear();
        if (state.clientKey === undefined) return;
        const open = (connectionsPerClient.get(state.clientKey) ?? 1) - 1;
        if (open > 0) connectionsPerClient.set(state.clientKey, open);
        else connectionsPerClient.delete(state.clientKey);
      },
      onSubscribe: async (ctx, id, payload) => {
        const state = (ctx.extra as SocketExtra).state;
        const readiness = options.readiness.value;
        if (!state || readiness.status !== 'ready')
          return [refusal('UNAVAILABLE', options.readiness.unavailableReason() ?? 'the server is not ready')];
        if (state.subscriptions.size >= options.maxSubscriptionsPerConnection) {
          return [
            refusal(
              'TOO_MANY_SUBSCRIPTIONS',
              `a connection may run at most ${options.maxSubscriptionsPerConnection} subscriptions at once; complete one first or open ` +
                `another connection`,
            ),
          ];
        }
        if (options.rateLimiter && state.clientKey !== undefined) {
          const decision = await options.rateLimiter.consume(state.clientKey);
          if (!decision.allowed) return [refusal('RATE_LIMITED', decision.message)];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : refusal('GRAPHQL_PARSE_FAILED', String(error))];
        }
        const validationErrors = validate(options.schema, document, [...specifiedRules, ...options.validationRules]);
        if (validationErrors.length > 0) return validationErrors;
        const operation = selectedOperation(document, payload.operationName ?? undefined);
        if (!operation) return [refusal('BAD_REQUEST', 'the document has no operation of that name; name one with operationName')];
        if (operation.operation !== 'subscription') {
          return [
            refusal('BAD_REQUEST', `only subscriptions run over WebSocket; send ${operation.operation}s with HTTP POST to ${options.path}`),
          ];
        }
        try {
          options.costCheck(options.schema, document, operation, payload.variables ?? undefined);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const controller = new AbortController();
        const deadline = setTimeout(() => controller.abort(new DeadlineExceededError(options.requestTimeoutMs)), options.requestTimeoutMs);
        deadline.unref();
        controller.signal.addEventListener('abort', () => clearTimeout(deadline), { once: true });
        state.subscriptions.set(id, controller);
        const subscriptionId = randomUUID();
        const context = createContext(
          readiness.services,
          controller.signal,
          logger.child({ subscriptionId }),
          new RequestBudget(options.requestBudget),
          `subscription:${subscriptionId}`,
        );
        return {
          schema: options.schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: context,
        };
      },
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors) return;
        // data and extensions only when present: the formatted result's optional fields take no undefined.
        const { data, extensions, ...rest } = result;
        return {
          ...rest,
          ...(data !== undefined ? { data } : {}),
          ...(extensions !== undefined ? { extensions } : {}),
          errors: result.errors.map((error) => options.formatError(error.toJSON(), error)),
        };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => options.formatError(error.toJSON(), error)),
      onComplete: (ctx, id) => {
        const state = (ctx.extra as SocketExtra).state;
        state?.subscriptions.get(id)?.abort(new Error('the subscription completed'));
        state?.subscriptions.delete(id);
      },
    },
    wsServer,
  );

  return {
    stats: () => {
      let subscriptions = 0;
      for (const state of connections) subscriptions += state.subscriptions.size;
      return { connections: wsServer.clients.size, subscriptions };
    },
    dispose: async () => {
      await disposable.dispose();
    },
  };
}

/**
 * The API key in a connection's parameters: `apiKey`, or the header names (`authorization: "Bearer
 * …"`, `x-api-key`), since browsers cannot set headers on a WebSocket.
 */
function connectionKey(params: Readonly<Record<string, unknown>>): string | undefined {
  const apiKey = params['apiKey'];
  return typeof apiKey === 'string' && apiKey.trim() !== '' ? apiKey.trim() : presentedKey(params);
}

/** A refusal as graphql-ws sends errors: a GraphQLError with its code. */
function refusal(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

function selectedOperation(document: DocumentNode, name: string | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (name === undefined) return operations.length === 1 ? operations[0] : undefined;
  return operations.find((operation) => operation.name?.value === name);
}

/**
 * The client's address as express would see it (`trust proxy` applied to X-Forwarded-For): the
 * upgrade request gets express' request prototype, as express' own router gives every request.
 */
function clientAddress(app: Express, req: IncomingMessage): string | undefined {
  const request = Object.create(app.request as object, { app: { value: app } }) as { ip?: string };
  Object.assign(request, { headers: req.headers, socket: req.socket, connection: req.socket });
  try {
    return request.ip ?? req.socket.remoteAddress;
  } catch {
    return req.socket.remoteAddress;
  }
}

/** WebSocket close reasons are at most 123 bytes. */
function closeReason(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= 123 ? text : `${bytes.subarray(0, 120).toString('utf8')}...`;
}
