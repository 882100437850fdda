/**
 * An operation may select at most `max` fields that run a model task (caption, objects, segment, …),
 * fragments counted where spread, whatever their lists turn out to hold. Each is at least one
 * encoder pass and a decode loop, and the count is known before anything runs.
 */
import type { ValidationRule } from 'graphql';
import { QueryLimitError } from '../errors.js';
import { operationLabel, operationStats } from './operationStats.js';

export function maxTaskFieldsRule(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const { taskFields } = operationStats(context, operation);
      if (taskFields > max) {
        context.reportError(
          new QueryLimitError(
            'TOO_MANY_TASK_FIELDS',
            `${operationLabel(operation)} selects ${taskFields} fields that run model tasks; the limit is ${max}`,
          ).toGraphQLError(operation),
        );
      }
    },
  });
}
