import {
  getNamedType,
  isCompositeType,
  isUnionType,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

/** Field names selected per object type name, anywhere in one operation. */
type Selected = Map<string, Set<string>>;

/**
 * Parsed operations are kept by Apollo's document cache and reused across requests, so an
 * operation is walked once, not once per request or per resolver.
 */
const walked = new WeakMap<OperationDefinitionNode, Selected>();
const NOTHING: ReadonlySet<string> = new Set();

/**
 * The names of every field the operation selects on objects of `typeName`, wherever they occur
 * (through fragments too, `@skip`/`@include` ignored). Every resolver of one operation gets the
 * same answer, so a loader keyed by what it derives (a projection) is one loader per operation.
 */
export function selectedFields(info: Pick<GraphQLResolveInfo, "schema" | "operation" | "fragments">, typeName: string): ReadonlySet<string> {
  let selected = walked.get(info.operation);
  if (!selected) {
    selected = new Map();
    const root = info.schema.getRootType(info.operation.operation);
    if (root) walk(info.schema, info.fragments, root, info.operation.selectionSet, selected, new Set());
    walked.set(info.operation, selected);
  }
  return selected.get(typeName) ?? NOTHING;
}

function walk(
  schema: GraphQLSchema,
  fragments: Record<string, FragmentDefinitionNode>,
  type: GraphQLCompositeType,
  selectionSet: SelectionSetNode,
  selected: Selected,
  // A fragment spread twice under one type is walked once.
  seen: Set<string>,
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === "Field") {
      const name = selection.name.value;
      let names = selected.get(type.name);
      if (!names) selected.set(type.name, (names = new Set()));
      names.add(name);
      // A union selects only `__typename` itself; its members come through typed fragments.
      if (!selection.selectionSet || isUnionType(type)) continue;
      const field = type.getFields()[name];
      const child = field && getNamedType(field.type);
      if (child && isCompositeType(child)) walk(schema, fragments, child, selection.selectionSet, selected, new Set());
    } else if (selection.kind === "InlineFragment") {
      const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
      if (on && isCompositeType(on)) walk(schema, fragments, on, selection.selectionSet, selected, seen);
    } else {
      const key = `${type.name}:${selection.name.value}`;
      const fragment = fragments[selection.name.value];
      if (!fragment || seen.has(key)) continue;
      seen.add(key);
      const on = schema.getType(fragment.typeCondition.name.value);
      if (on && isCompositeType(on)) walk(schema, fragments, on, fragment.selectionSet, selected, seen);
    }
  }
}

/**
 * The stored fields behind `fields` (GraphQL names) by `stored`, plus `always`; null, meaning
 * "the whole document", as soon as one field is not in `stored` (a resolver added elsewhere
 * that may read anything), so a projection can only ever leave out what nobody asked for.
 */
export function projectionOf(fields: Iterable<string>, stored: Readonly<Record<string, readonly string[]>>, always: readonly string[]): string[] | null {
  const projection = new Set(always);
  for (const field of fields) {
    if (field === "__typename") continue;
    const behind = stored[field];
    if (!behind) return null;
    for (const name of behind) projection.add(name);
  }
  return [...projection].sort();
}
