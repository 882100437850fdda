/**
 * An Apollo plugin that counts requests by operation and outcome, times them, and logs slow ones
 * with what they cost, so an operator can find the queries that load the model.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '../../shared/logger.js';
import type { GatewayContext } from '../../graphql/context.js';
import type { GatewayMetrics } from '../metrics.js';

export interface RequestMetricsOptions {
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  /**
   * Requests slower than this are logged at warn with their cost. Default 5000 ms: a cold cascade on a
   * CPU takes seconds, a cached one milliseconds.
   */
  readonly slowQueryMs?: number;
}

export const DEFAULT_SLOW_QUERY_MS = 5_000;

/** Operation names become label values: keep them bounded and printable. */
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

export function requestMetricsPlugin(options: RequestMetricsOptions): ApolloServerPlugin<GatewayContext> {
  const slowQueryMs = options.slowQueryMs ?? DEFAULT_SLOW_QUERY_MS;
  return {
    async requestDidStart(requestContext) {
      const started = performance.now();
      const requested = requestContext.request.operationName;
      return {
        async willSendResponse(context) {
          const name = context.operationName ?? requested ?? undefined;
          const operation = name && OPERATION_NAME.test(name) ? name : 'anonymous';
          const { body, http } = context.response;
          const single = body.kind === 'single' ? body.singleResult : undefined;
          const hasData = single?.data !== undefined && single.data !== null;
          const hasErrors = (single?.errors?.length ?? 0) > 0;
          const refused = (http.status ?? 200) >= 400 || context.operation === undefined;
          const outcome = refused ? 'refused' : !hasErrors ? 'ok' : hasData ? 'partial' : 'error';
          const seconds = (performance.now() - started) / 1000;
          options.metrics.requests.inc({ operation, outcome });
          options.metrics.requestDuration.observe({ operation }, seconds);
          if (seconds * 1000 >= slowQueryMs) {
            const budget = (context.contextValue as Partial<GatewayContext>).budget;
            (context.contextValue.logger ?? options.logger).warn(
              {
                operation,
                outcome,
                ms: Math.round(seconds * 1000),
                costSpent: budget?.spent,
                costLimit: budget?.limit,
                errors: single?.errors?.length ?? 0,
              },
              'slow query',
            );
          }
        },
      };
    },
  };
}
