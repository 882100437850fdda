/**
 * An operation may nest fields at most `max` deep. The schema has a cycle (Region.image → Image →
 * objects → Region …), so without a bound one small query can describe unbounded work.
 */
import type { ValidationRule } from 'graphql';
import { QueryLimitError } from '../errors.js';
import { operationLabel, operationStats } from './operationStats.js';

export function maxDepthRule(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const { depth } = operationStats(context, operation);
      if (depth > max) {
        context.reportError(
          new QueryLimitError(
            'QUERY_TOO_DEEP',
            `${operationLabel(operation)} nests fields ${depth} levels deep; the limit is ${max}`,
          ).toGraphQLError(operation),
        );
      }
    },
  });
}
