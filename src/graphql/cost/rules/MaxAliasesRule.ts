/**
 * An operation may use at most `max` aliases, fragments counted where spread. Aliases are how one
 * query asks for the same expensive field many times over.
 */
import type { ValidationRule } from 'graphql';
import { QueryLimitError } from '../errors.js';
import { operationLabel, operationStats } from './operationStats.js';

export function maxAliasesRule(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const { aliases } = operationStats(context, operation);
      if (aliases > max) {
        context.reportError(
          new QueryLimitError(
            'TOO_MANY_ALIASES',
            `${operationLabel(operation)} uses ${aliases} aliases; the limit is ${max}`,
          ).toGraphQLError(operation),
        );
      }
    },
  });
}
