import { GraphQLError, getNamedType, isIntrospectionType, type ValidationRule } from "graphql";

export const INTROSPECTION_OFF_MESSAGE =
  "GraphQL introspection is off on this server (GRAPHQL_INTROSPECTION, off by default in production); " +
  "set GRAPHQL_INTROSPECTION=true to allow it";

/**
 * graphql-js's NoSchemaIntrospectionCustomRule, with a message naming our setting rather than
 * Apollo's constructor option; the same rule over HTTP and websockets.
 */
const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    const type = getNamedType(context.getType());
    if (type && isIntrospectionType(type)) {
      context.reportError(new GraphQLError(INTROSPECTION_OFF_MESSAGE, { nodes: node }));
    }
  },
});

export function introspectionRules(allowed: boolean): ValidationRule[] {
  return allowed ? [] : [noIntrospection];
}
