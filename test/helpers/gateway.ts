/**
 * A real gateway on 127.0.0.1 (an ephemeral port) over the tiny synthetic model, for tests that
 * speak GraphQL over HTTP like a client would.
 */
import { pino } from 'pino';
import type { GatewayServices } from '../../src/graphql/services.js';
import { loadConfig, type Environment } from '../../src/server/config.js';
import { startGateway, type Gateway } from '../../src/server/gateway.js';
import { tinyModelDir, type TinyModelOptions } from './models.js';

export interface TestGateway extends Gateway {
  readonly services: GatewayServices;
  /** POSTs a GraphQL request as JSON; returns the status and parsed body. */
  graphql<T = unknown>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
}

export interface GraphQLResponse<T> {
  readonly status: number;
  readonly body: { data?: T | null; errors?: GraphQLErrorBody[] };
}

export interface GraphQLErrorBody {
  readonly message: string;
  readonly path?: (string | number)[];
  readonly extensions?: { code?: string };
}

export async function startTestGateway(env: Environment = {}, model: TinyModelOptions = {}): Promise<TestGateway> {
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', ...env }, { model: await tinyModelDir(model) });
  const gateway = await startGateway(config, { logger: pino({ level: env['LOG_LEVEL'] ?? 'silent' }) });
  const services = await gateway.loaded;
  return {
    ...gateway,
    services,
    async graphql<T>(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as GraphQLResponse<T>['body'] };
    },
  };
}
