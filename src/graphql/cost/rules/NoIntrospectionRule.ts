/**
 * Refuses `__schema` and `__type` (production mode). `__typename` stays: clients need it and it
 * reveals nothing. Apollo has its own switch, but its message tells clients to change server code;
 * this one names the setting.
 */
import { SchemaMetaFieldDef, TypeMetaFieldDef, type ValidationRule } from 'graphql';
import { QueryLimitError } from '../errors.js';

export const noIntrospectionRule: ValidationRule = (context) => ({
  Field(node) {
    const name = node.name.value;
    if (name === SchemaMetaFieldDef.name || name === TypeMetaFieldDef.name) {
      context.reportError(
        new QueryLimitError(
          'INTROSPECTION_DISABLED',
          `introspection (${name}) is turned off on this server (production mode; INTROSPECTION=true turns it on)`,
        ).toGraphQLError(node),
      );
    }
  },
});
