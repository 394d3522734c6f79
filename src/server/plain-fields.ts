import { isObjectType, type GraphQLSchema } from "graphql";
import { getMetadataStorage } from "type-graphql";

/**
 * type-graphql resolves every `@Field` that has no resolver of its own through a wrapper that makes
 * a resolver-data object and a closure for each value it returns, for middlewares and roles this API
 * puts on no plain field; a page of courses resolves hundreds of them. Such fields read their
 * property directly instead: graphql-js's default resolver where the property has the field's name,
 * else a getter of the property (`_id` as `id`). Fields with roles, middlewares or a resolver keep
 * type-graphql's.
 */
export function readPlainFieldsDirectly(schema: GraphQLSchema): void {
  const storage = getMetadataStorage();
  const resolved = new Map<Function | undefined, Set<string>>();
  for (const resolver of storage.fieldResolvers) {
    const target = resolver.getObjectType?.();
    resolved.set(target, (resolved.get(target) ?? new Set()).add(resolver.methodName));
  }
  for (const objectType of storage.objectTypes) {
    const type = schema.getType(objectType.name);
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    for (const field of objectType.fields ?? []) {
      const graphqlField = fields[field.schemaName];
      if (!graphqlField || field.roles?.length || field.middlewares?.length || resolved.get(field.target)?.has(field.name)) continue;
      const property = field.name;
      graphqlField.resolve = property === field.schemaName ? undefined : (source: Record<string, unknown>) => source[property];
    }
  }
}
