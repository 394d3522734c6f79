import type { Document } from "bson";
import type { Collection } from "../storage/collection";
import { isSimpleCollation } from "./select";

/**
 * A pipeline that ends, after its leading `$match`/`$sort` (already read through an index by
 * `pipelineInput`) and any `$skip`/`$limit`, in `$lookup`s joining another collection by `_id`
 * (`{ from, localField, foreignField: "_id", as }`): each joined document is found by its `_id`
 * as a find would, instead of the general `$lookup` reading the whole foreign collection. Undefined
 * (the general path runs) for anything else, or for a local value that is missing, null, an array,
 * or of a type whose equality a collation or numeric conversions could change.
 */
export function lookupShortcut(input: Document[], stages: Document[], collation: Document | undefined, collection: (name: string) => Collection | undefined): Document[] | undefined {
  let at = 0;
  let docs = input;
  for (; at < stages.length && isWindow(stages[at]); at++) {
    const stage = stages[at];
    docs = "$skip" in stage ? docs.slice(stage.$skip) : docs.slice(0, stage.$limit);
  }
  if (at === stages.length) return undefined;
  const joins: Join[] = [];
  for (; at < stages.length; at++) {
    const join = simpleJoin(stages[at], collection);
    if (!join) return undefined;
    joins.push(join);
  }
  const simple = isSimpleCollation(collation);
  if (!docs.every((doc) => joins.every((join) => isKey(doc[join.localField], simple)))) return undefined;
  return docs.map((doc) => {
    const out = { ...doc };
    for (const { from, localField, as } of joins) {
      const found = from?.getById(doc[localField]);
      out[as] = found ? [found] : [];
    }
    return out;
  });
}

interface Join {
  from: Collection | undefined;
  localField: string;
  as: string;
}

function isWindow(stage: Document): boolean {
  const keys = Object.keys(stage);
  if (keys.length !== 1) return false;
  const value = stage[keys[0]];
  return (keys[0] === "$skip" || keys[0] === "$limit") && typeof value === "number" && Number.isInteger(value) && value > 0;
}

/** `{ $lookup: { from, localField, foreignField: "_id", as } }` on a collection (not a view), top-level fields only. */
function simpleJoin(stage: Document, collection: (name: string) => Collection | undefined): Join | undefined {
  if (Object.keys(stage).length !== 1 || typeof stage.$lookup !== "object" || stage.$lookup === null) return undefined;
  const spec = stage.$lookup as Document;
  const keys = Object.keys(spec).sort().join(",");
  if (keys !== "as,foreignField,from,localField" || spec.foreignField !== "_id") return undefined;
  const { from, localField, as } = spec;
  if (typeof from !== "string" || !plainField(localField) || !plainField(as)) return undefined;
  const coll = collection(from);
  if (coll?.isView) return undefined;
  return { from: coll, localField, as };
}

function plainField(name: unknown): name is string {
  return typeof name === "string" && name.length > 0 && !name.includes(".") && !name.startsWith("$");
}

/** Values an `_id` lookup finds exactly as `$lookup`'s equality would: ObjectIds, and strings compared as bytes. */
export function isKey(value: unknown, simpleCollation: boolean): boolean {
  if (typeof value === "string") return simpleCollation;
  return typeof value === "object" && value !== null && (value as { _bsontype?: string })._bsontype === "ObjectId";
}
