import { Tag } from "./read-tags";

/**
 * What a read's filter says about the documents it reads, for the response cache's tags: shared by
 * the watch of mongoose's operations (`infra/db/read-write-watch.ts`) and the reads it does not see
 * (`readTogether`, one database-level command), so both tag a read of the same filter alike.
 */

/** A read naming more values than this is tagged with its whole collection. */
const MAX_TAGGED_VALUES = 200;

type Filter = Record<string, unknown>;

/** The tags of a read of `collection` by `filter`: by its most selective equality, else the whole collection. */
export function filterTags(collection: string, filter: unknown): string[] {
  return narrowest(collection, isPlainObject(filter) ? equalities(filter) : new Map());
}

/** Tags of one collection by the most selective equality: `_id`, else an id field, else any; else the whole. */
function narrowest(collection: string, known: Map<string, string[]>): string[] {
  const fields = [...known.keys()];
  const field = known.has("_id") ? "_id" : (fields.find((name) => name === "_id" || name.endsWith("_id")) ?? fields[0]);
  const values = field === undefined ? undefined : known.get(field)!;
  if (!values || values.length > MAX_TAGGED_VALUES) return [Tag.all(collection)];
  return values.map((value) => Tag.of(collection, field!, value));
}

/** Top-level (and `$and`) equalities and `$in`s of a filter: the values its documents hold. */
export function equalities(filter: Filter, known = new Map<string, string[]>()): Map<string, string[]> {
  for (const [field, condition] of Object.entries(filter)) {
    if (field === "$and" && Array.isArray(condition)) {
      for (const part of condition) if (isPlainObject(part)) equalities(part, known);
      continue;
    }
    if (field.startsWith("$") || field.includes(".")) continue;
    const values = equalityValues(condition);
    if (values && (!known.has(field) || known.get(field)!.length > values.length)) known.set(field, values);
  }
  return known;
}

function equalityValues(condition: unknown): string[] | undefined {
  if (isScalar(condition)) return [String(condition)];
  if (!isPlainObject(condition)) return undefined;
  const operators = Object.keys(condition);
  if (operators.length !== 1) return undefined;
  if (operators[0] === "$eq" && isScalar(condition.$eq)) return [String(condition.$eq)];
  if (operators[0] === "$in" && Array.isArray(condition.$in) && condition.$in.every(isScalar)) return condition.$in.map(String);
  return undefined;
}

/** Collections a pipeline reads besides its own. */
export function joinedCollections(pipeline: unknown): string[] {
  const found: string[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isPlainObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === "$lookup" || key === "$graphLookup") && isPlainObject(value) && typeof value.from === "string") found.push(value.from);
      if (key === "$unionWith") found.push(typeof value === "string" ? value : String((value as Filter).coll));
      visit(value);
    }
  };
  visit(pipeline);
  return found;
}

// By `_bsontype`, not `instanceof`: the driver's and mongoose's bson may be two copies.
const isObjectId = (value: unknown): boolean => (value as { _bsontype?: string } | null)?._bsontype === "ObjectId";

export function isScalar(value: unknown): boolean {
  const type = typeof value;
  return type === "string" || type === "number" || type === "boolean" || (type === "object" && isObjectId(value));
}

export function isPlainObject(value: unknown): value is Filter {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isObjectId(value) && !(value instanceof Date);
}
