/**
 * How errors reach clients: a coded failure of any layer (`CodedError`: the model's `BAD_IMAGE`,
 * images' `FETCH_REFUSED`, the engine's `BUSY`, the cost limits', the server's deadline…) keeps its
 * stable code in `extensions.code` with its message, which says what was expected;
 * GraphQL's own errors (validation, bad variables) keep Apollo's codes; anything unexpected becomes
 * `INTERNAL_SERVER_ERROR` with a generic message, logged in full on the server. Never a stack trace.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { CodedError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unwrapped = unwrapResolverError(error);
    // Limits refuse whole operations (validation rules, plugins) with a CodedError inside a
    // GraphQLError; Apollo would label those GRAPHQL_VALIDATION_FAILED, but their own code says more.
    const original =
      unwrapped instanceof GraphQLError && unwrapped.originalError instanceof CodedError ? unwrapped.originalError : unwrapped;
    const { locations, path } = formatted;
    const position = { ...(locations ? { locations } : {}), ...(path ? { path } : {}) };
    if (original instanceof CodedError) {
      return { message: original.message, ...position, extensions: { code: original.code } };
    }
    if (original instanceof ArgumentValidationError) {
      // Each constraint's message names the argument, its range and the value that arrived.
      const problems = new Set(original.extensions.validationErrors.flatMap((failure) => Object.values(failure.constraints ?? {})));
      return { message: [...problems].join('; '), ...position, extensions: { code: 'BAD_INPUT' } };
    }
    const code = formatted.extensions?.['code'];
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
      return { message: formatted.message, ...position, extensions: { code } };
    }
    logger.error({ err: original, path }, 'unexpected error while resolving');
    return {
      message: 'internal error: the server could not complete this field',
      ...position,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
