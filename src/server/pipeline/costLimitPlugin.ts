/**
 * Refuses, before anything runs, an operation whose estimated model work is over `maxCost` cost
 * units: HTTP 400, code QUERY_TOO_COSTLY, and a message with the estimate and the limit.
 *
 * The estimate is graphql-query-complexity 2.0 over the `complexity` options of the field decorators
 * (src/graphql/cost/complexity.ts, priced from src/graphql/cost/prices.ts). It runs in
 * `didResolveOperation`, where the variables are known; variables that do not fit their types are
 * left for execution to report (400, BAD_USER_INPUT) instead of failing the estimate with a 500.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { getVariableValues, GraphQLError, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { LRUCache } from 'lru-cache';
import { variablesDigest } from '../../cache/cacheKey.js';
import type { CostEstimateContext } from '../../graphql/cost/complexity.js';
import { QueryLimitError } from '../../graphql/cost/errors.js';
import { ASSUMED_LIST_SIZE, DEFAULT_MAX_QUERY_COST, type PricedOptions } from '../../graphql/cost/prices.js';

export interface CostLimitOptions {
  /**
   * Most cost units an operation may be estimated at. Default `DEFAULT_MAX_QUERY_COST` (500): about
   * eight caption cascades (62 each), or every field of two images (183 each); the GraphiQL examples
   * cost 0 to 65.
   */
  readonly maxCost?: number;
  /**
   * The server's generation defaults (NUM_BEAMS, MAX_NEW_TOKENS), which price the fields that do
   * not override them. Default: greedy, no cap (each task's expected length).
   */
  readonly generationDefaults?: PricedOptions;
  /**
   * Most selections the estimator walks, fragments expanded, before it gives up and refuses.
   * Default `DEFAULT_MAX_ESTIMATED_NODES` (10 000, the library's own default): far above any real
   * query, low enough that a fragment bomb cannot stall the event loop.
   */
  readonly maxNodes?: number;
  /** Called with each admitted operation's estimate (metrics, logs). Default: nothing. */
  readonly onEstimate?: (estimate: number) => void;
}

/** graphql-query-complexity's own default node cap. */
export const DEFAULT_MAX_ESTIMATED_NODES = 10_000;

/** Fields without a price (ids, boxes, text) cost nothing; only model work is counted. */
const UNPRICED = simpleEstimator({ defaultComplexity: 0 });

/**
 * Checks an operation's estimate against the limit: throws the QUERY_TOO_COSTLY GraphQLError when it
 * is over, and returns the estimate otherwise (undefined when the variables do not fit their types,
 * which execution reports). Shared by the HTTP plugin below and the subscription server.
 */
export type CostCheck = (
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  queryHash?: string,
) => number | undefined;

export function createCostCheck(options: CostLimitOptions = {}): CostCheck {
  const maxCost = options.maxCost ?? DEFAULT_MAX_QUERY_COST;
  if (!(maxCost > 0)) throw new RangeError(`costLimitPlugin: maxCost must be a positive number of cost units; got ${maxCost}`);
  const estimateContext: CostEstimateContext = { generationDefaults: options.generationDefaults ?? {} };
  const estimators = [fieldExtensionsEstimator(), UNPRICED];
  // A repeated query (same text, operation and variables) has the same estimate: walking the
  // document again would cost more than answering a warm repeat from the response cache.
  const estimates = new LRUCache<string, number>({ max: ESTIMATE_CACHE_ENTRIES });
  return (schema, document, operation, variables, queryHash) => {
    const memoKey = estimateKey(queryHash, operation.name?.value, variables);
    let estimate = memoKey === undefined ? undefined : estimates.get(memoKey);
    if (estimate === undefined) {
      estimate = measure(schema, document, operation, variables);
      if (estimate === undefined) return undefined;
      if (memoKey !== undefined) estimates.set(memoKey, estimate);
    }
    if (estimate > maxCost) {
      throw new QueryLimitError(
        'QUERY_TOO_COSTLY',
        `the query is estimated at ${estimate} cost units of model work; the limit is ${maxCost} ` +
          `(list fields are assumed to hold ${ASSUMED_LIST_SIZE.detections} regions; one unit is about one encoder pass). ` +
          'Ask for fewer fields, images or aliases, or split the query.',
      ).toGraphQLError();
    }
    return estimate;
  };

  /** The estimate, or undefined when the variables do not fit (execution reports that). */
  function measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown> | undefined,
  ): number | undefined {
    // Variables that do not fit their types would throw inside the estimate; execution
    // reports them properly (400, BAD_USER_INPUT) before running anything, so skip here.
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
    if (coerced.errors) return undefined;
    try {
      return getComplexity({
        schema,
        query: document,
        variables: variables ?? {},
        ...(operation.name ? { operationName: operation.name.value } : {}),
        estimators,
        context: estimateContext,
        maxQueryNodes: options.maxNodes ?? DEFAULT_MAX_ESTIMATED_NODES,
      });
    } catch (error) {
      // The library throws GraphQLErrors for queries it cannot measure (too many nodes,
      // arguments it cannot read): the client's query, so a 400 with the reason.
      if (!(error instanceof GraphQLError)) throw error;
      throw new QueryLimitError('QUERY_TOO_COSTLY', `the query's cost could not be estimated: ${error.message}`).toGraphQLError();
    }
  }
}

export function costLimitPlugin(options: CostLimitOptions = {}): ApolloServerPlugin {
  const check = createCostCheck(options);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, queryHash }) {
          // No operation: execution reports the unknown operationName itself.
          if (!operation) return;
          const estimate = check(schema, document, operation, request.variables, queryHash);
          if (estimate !== undefined) options.onEstimate?.(estimate);
        },
      };
    },
  };
}

const ESTIMATE_CACHE_ENTRIES = 10_000;

function estimateKey(
  queryHash: string | undefined,
  operationName: string | undefined,
  variables: Record<string, unknown> | undefined,
): string | undefined {
  if (queryHash === undefined) return undefined;
  const digest = variablesDigest(variables);
  return digest === undefined ? undefined : `${queryHash}\0${operationName ?? ''}\0${digest}`;
}
