/**
 * The shape limits as GraphQL validation rules (Apollo's `validationRules`): they run with graphql's
 * own rules, before anything executes, and a refusal is HTTP 400 with its own code
 * (QUERY_TOO_DEEP, TOO_MANY_ALIASES, TOO_MANY_TASK_FIELDS, INTROSPECTION_DISABLED).
 */
import type { ValidationRule } from 'graphql';
import { maxAliasesRule } from '../../graphql/cost/rules/MaxAliasesRule.js';
import { maxDepthRule } from '../../graphql/cost/rules/MaxDepthRule.js';
import { maxTaskFieldsRule } from '../../graphql/cost/rules/MaxTaskFieldsRule.js';
import { noIntrospectionRule } from '../../graphql/cost/rules/NoIntrospectionRule.js';

/** The introspection query GraphiQL and codegen send (9 nested `ofType`) is 15 deep; the cascade down to polygon points is 8. */
export const DEFAULT_MAX_QUERY_DEPTH = 16;
/** A screen's worth of named variants (the tests' 8 client boxes, a few caption levels); 200 aliased cascades are an attack. */
export const DEFAULT_MAX_ALIASES = 30;
/** Every analysis field of one image, regions included, is 20; each is at least an encoder pass. */
export const DEFAULT_MAX_TASK_FIELDS = 32;

export interface QueryShapeOptions {
  /** Most fields on any path of an operation. Default `DEFAULT_MAX_QUERY_DEPTH` (16). */
  readonly maxDepth?: number;
  /** Most aliases in an operation, fragments counted where spread; 0 forbids them. Default `DEFAULT_MAX_ALIASES` (30). */
  readonly maxAliases?: number;
  /** Most task-running field selections in an operation. Default `DEFAULT_MAX_TASK_FIELDS` (32). */
  readonly maxTaskFields?: number;
  /** Whether `__schema` / `__type` are answered. Default true; production mode turns it off. */
  readonly introspection?: boolean;
}

export function queryShapeRules(options: QueryShapeOptions = {}): ValidationRule[] {
  const limits = {
    maxDepth: options.maxDepth ?? DEFAULT_MAX_QUERY_DEPTH,
    maxAliases: options.maxAliases ?? DEFAULT_MAX_ALIASES,
    maxTaskFields: options.maxTaskFields ?? DEFAULT_MAX_TASK_FIELDS,
  };
  // No aliases at all is a sensible strict setting; no depth or no task fields would refuse everything.
  const minimum = { maxDepth: 1, maxAliases: 0, maxTaskFields: 1 };
  for (const [name, value] of Object.entries(limits)) {
    const least = minimum[name as keyof typeof minimum];
    if (!Number.isSafeInteger(value) || value < least)
      throw new RangeError(`queryShapeRules: ${name} must be a whole number of at least ${least}; got ${value}`);
  }
  return [
    maxDepthRule(limits.maxDepth),
    maxAliasesRule(limits.maxAliases),
    maxTaskFieldsRule(limits.maxTaskFields),
    ...(options.introspection === false ? [noIntrospectionRule] : []),
  ];
}
