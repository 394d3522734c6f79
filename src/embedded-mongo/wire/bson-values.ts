import { BSON, type Double, type Document } from "bson";
import { doubleValue, setOwn } from "../query";

/** int64 stays a Long and numbers arrive wrapped, so that `engineValue` can tell int32 from double. */
const OPTIONS = { promoteLongs: false, promoteValues: false } as const;

/**
 * A BSON document as the engine holds it: int32 and doubles are JS numbers, except a double
 * holding a whole number in int32 range, which stays a `Double`. The serializer writes a JS
 * number of that kind as an int32, so without the wrapper `Double(10)` would come back as
 * `Int32(10)` and `$type: "double"` would miss it.
 */
export function deserializeDocument(bytes: Uint8Array): Document {
  return engineValue(BSON.deserialize(bytes, OPTIONS)) as Document;
}

function engineValue(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = engineValue(value[i]);
    return value;
  }
  const type = (value as { _bsontype?: string })._bsontype;
  if (type === undefined) {
    const doc = value as Document;
    for (const key of Object.keys(doc)) {
      const v = doc[key];
      if (v !== null && typeof v === "object") doc[key] = engineValue(v);
    }
    return doc;
  }
  switch (type) {
    case "Int32":
      return (value as { value: number }).value;
    case "Double":
      return doubleValue((value as Double).value);
    case "BSONSymbol":
      return (value as { value: string }).value;
    case "DBRef": {
      // To mongod a DBRef is an ordinary document whose first fields are $ref, $id and $db: held
      // as one, filters and paths read `$id` like any field (`{refs: {$elemMatch: {$id: x}}}`).
      // It is written back as the same bytes.
      const ref = value as { collection: string; oid: unknown; db?: string; fields: Document };
      const doc: Document = { $ref: ref.collection, $id: engineValue(ref.oid) };
      if (ref.db) doc.$db = ref.db;
      for (const key of Object.keys(ref.fields ?? {})) setOwn(doc, key, engineValue(ref.fields[key]));
      return doc;
    }
    default:
      return value;
  }
}
