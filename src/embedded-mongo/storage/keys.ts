import type { Document } from "bson";

/**
 * Canonical string for a BSON value such that two values get the same key exactly when MongoDB
 * treats them as equal for index lookups: numbers compare by value across int32/int64/double/
 * Decimal128, documents by field order and values. Used for the _id map and index buckets.
 */
export function valueKey(value: unknown): string {
  switch (typeof value) {
    case "string":
      return "s" + value;
    case "number":
      return numberKey(value);
    default:
      return encode(value);
  }
}

function numberKey(n: number): string {
  if (Number.isNaN(n)) return "nNaN";
  if (Number.isInteger(n) && !Number.isSafeInteger(n) && Number.isFinite(n)) return "n" + BigInt(n).toString();
  return "n" + (Object.is(n, -0) ? 0 : n).toString();
}

function encode(value: unknown): string {
  if (value === null || value === undefined) return "z";
  switch (typeof value) {
    case "string":
      return "s" + JSON.stringify(value);
    case "number":
      return numberKey(value);
    case "boolean":
      return value ? "T" : "F";
    case "bigint":
      return "n" + value.toString();
  }
  if (value instanceof Date) return "d" + value.getTime();
  if (Array.isArray(value)) return "[" + value.map(encode).join(",") + "]";
  if (value instanceof RegExp) return "r" + JSON.stringify(value.source + "/" + value.flags);
  const doc = value as Document;
  switch (doc._bsontype) {
    case "ObjectId":
      return "o" + doc.toHexString();
    case "Long": {
      const asNumber = doc.toNumber() as number;
      return Number.isSafeInteger(asNumber) ? numberKey(asNumber) : "n" + doc.toString();
    }
    case "Int32":
    case "Double":
      return numberKey(doc.valueOf() as number);
    case "Decimal128": {
      const text = doc.toString() as string;
      const asNumber = Number(text);
      return Number.isFinite(asNumber) && String(asNumber) === text.replace(/\.0+$/, "") ? numberKey(asNumber) : "n" + text;
    }
    case "Binary":
      return "b" + doc.sub_type + ":" + Buffer.from(doc.buffer as Uint8Array).toString("base64");
    case "Timestamp":
      return "t" + doc.toString();
    case "MinKey":
      return "m-";
    case "MaxKey":
      return "m+";
    case "BSONRegExp":
      return "r" + JSON.stringify(doc.pattern + "/" + doc.options);
    case "BSONSymbol":
      return "s" + JSON.stringify(doc.value);
    case "Code":
      return "c" + JSON.stringify(String(doc.code)) + encode(doc.scope ?? null);
    case "DBRef":
      return encode(doc.toJSON());
  }
  let out = "{";
  for (const key of Object.keys(doc)) {
    if (doc[key] === undefined) continue;
    out += JSON.stringify(key) + ":" + encode(doc[key]) + ",";
  }
  return out + "}";
}
