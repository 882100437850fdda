/**
 * The errors of the cost and abuse limits: one class per failure kind, each a CodedError with a
 * stable code of this layer's own, so `formatError` maps them like every other coded failure.
 */
import { GraphQLError, type ASTNode } from 'graphql';
import { CodedError } from '../../shared/errors.js';

/** A field whose model work would take the request past its runtime budget; the rest of the data stays. */
export class BudgetExceededError extends CodedError<'BUDGET_EXCEEDED'> {
  constructor(
    readonly needed: number,
    readonly spent: number,
    readonly limit: number,
  ) {
    super(
      'BUDGET_EXCEEDED',
      `this field needs ${needed} cost units of model work, but the request has already spent ${spent} of its ${limit}-unit budget; ` +
        'ask for fewer fields or regions, or repeat the query: results computed so far are cached and cost nothing',
    );
  }
}

/** Codes of whole operations refused before they run. */
export type QueryLimitCode = 'QUERY_TOO_COSTLY' | 'QUERY_TOO_DEEP' | 'TOO_MANY_ALIASES' | 'TOO_MANY_TASK_FIELDS' | 'INTROSPECTION_DISABLED';

/** Every code of the cost and abuse limits: a field over the request's budget, or a refused operation. */
export type CostErrorCode = 'BUDGET_EXCEEDED' | QueryLimitCode;

/** An operation refused before execution (HTTP 400): the message gives what was found and the limit. */
export class QueryLimitError extends CodedError<QueryLimitCode> {
  constructor(code: QueryLimitCode, message: string) {
    super(code, message);
  }

  /**
   * As the GraphQLError a validation rule reports or a plugin throws. `http.status` makes Apollo
   * answer 400 instead of 500 (a client mistake, not ours); `originalError` lets formatError keep
   * this code where Apollo would put GRAPHQL_VALIDATION_FAILED.
   */
  toGraphQLError(nodes?: ASTNode | readonly ASTNode[]): GraphQLError {
    return new GraphQLError(this.message, {
      ...(nodes ? { nodes } : {}),
      originalError: this,
      extensions: { code: this.code, http: { status: 400 } },
    });
  }
}
