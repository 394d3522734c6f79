import { isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import { getMetadataStorage, type ContainerType } from "type-graphql";
import { parentOf } from "../lib/graphql-root";

type Metadata = ReturnType<typeof getMetadataStorage>;
type ParamMetadata = NonNullable<Metadata["fieldResolvers"][number]["params"]>[number];

/**
 * The one instance of each resolver class: type-graphql's container (`buildSchema`'s `container`)
 * and the field resolvers `callFieldResolversDirectly` calls share it.
 */
export class ResolverInstances implements ContainerType {
  private readonly instances = new Map<Function, object>();

  get(someClass: new () => object): object {
    let instance = this.instances.get(someClass);
    if (!instance) this.instances.set(someClass, (instance = new someClass()));
    return instance;
  }
}

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

/**
 * The same for `@FieldResolver` methods that take only the parent (the project's `@Root`), the
 * context (`@Ctx`) and `@Info`, with no roles and no middlewares: type-graphql's wrapper made, per
 * call, a resolver-data object, a sorted copy of the parameter list and an array of the values.
 * They are called with their parameters in place instead.
 */
export function callFieldResolversDirectly(schema: GraphQLSchema, instances: ResolverInstances): void {
  const storage = getMetadataStorage();
  for (const resolver of storage.fieldResolvers) {
    if (resolver.kind !== "external" || resolver.roles !== undefined || resolver.middlewares?.length) continue;
    const params = [...(resolver.params ?? [])].sort((a, b) => a.index - b.index);
    const kinds = params.map(kindOf);
    if (!params.every((param, position) => param.index === position) || kinds.includes(undefined)) continue;
    const typeClass = resolver.getObjectType?.();
    const typeName = storage.objectTypes.find((objectType) => objectType.target === typeClass)?.name;
    const type = typeName ? schema.getType(typeName) : undefined;
    const field = isObjectType(type) ? type.getFields()[resolver.schemaName] : undefined;
    if (!field?.resolve) continue;
    field.resolve = direct(instances.get(resolver.target as new () => object), resolver.methodName, kinds as Kind[]);
  }
}

type Kind = "parent" | "context" | "info";

function kindOf(param: ParamMetadata): Kind | undefined {
  if (param.kind === "custom") return param.resolver === parentOf && !param.options.arg ? "parent" : undefined;
  if (param.kind === "context") return param.propertyName ? undefined : "context";
  return param.kind === "info" ? "info" : undefined;
}

type Resolve = GraphQLFieldResolver<unknown, unknown>;

function direct(instance: object, methodName: string, kinds: Kind[]): Resolve {
  const method = (instance as Record<string, (...values: unknown[]) => unknown>)[methodName];
  const pick = (kind: Kind, root: unknown, context: unknown, info: unknown) => (kind === "parent" ? root : kind === "context" ? context : info);
  const [first, second, third] = kinds;
  switch (kinds.length) {
    case 1:
      return (root, _args, context, info) => method.call(instance, pick(first, root, context, info));
    case 2:
      return (root, _args, context, info) => method.call(instance, pick(first, root, context, info), pick(second, root, context, info));
    case 3:
      return (root, _args, context, info) =>
        method.call(instance, pick(first, root, context, info), pick(second, root, context, info), pick(third, root, context, info));
    default:
      return (root, _args, context, info) => method.apply(instance, kinds.map((kind) => pick(kind, root, context, info)));
  }
}
