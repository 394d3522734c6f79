import { bsonTypeOf } from "./bson-order";

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** MongoDB's alias of each BSON type (what `$type` returns and accepts). */
export function bsonTypeName(v: unknown): string {
  switch (typeof v) {
    case "undefined":
      return "missing";
    case "number":
      return Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX ? "int" : Number.isInteger(v) && Number.isSafeInteger(v) ? "long" : "double";
    case "bigint":
      return "long";
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "function":
      return "javascript";
  }
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (v instanceof Date) return "date";
  if (v instanceof RegExp) return "regex";
  if (v instanceof Uint8Array) return "binData";
  switch (bsonTypeOf(v)) {
    case "Int32":
      return "int";
    case "Double":
      return "double";
    case "Long":
      return "long";
    case "Decimal128":
      return "decimal";
    case "ObjectId":
      return "objectId";
    case "Binary":
      return "binData";
    case "Timestamp":
      return "timestamp";
    case "MinKey":
      return "minKey";
    case "MaxKey":
      return "maxKey";
    case "BSONRegExp":
      return "regex";
    case "BSONSymbol":
      return "symbol";
    case "Code":
      return (v as { scope?: unknown }).scope ? "javascriptWithScope" : "javascript";
    default:
      return "object";
  }
}

export const TYPE_CODES: Record<string, number> = {
  double: 1, string: 2, object: 3, array: 4, binData: 5, undefined: 6, objectId: 7, bool: 8, date: 9,
  null: 10, regex: 11, dbPointer: 12, javascript: 13, symbol: 14, javascriptWithScope: 15, int: 16,
  timestamp: 17, long: 18, decimal: 19, minKey: -1, maxKey: 127,
};

const NUMERIC = new Set(["double", "int", "long", "decimal"]);

/** Whether a value has the type an alias or numeric code names ("number" covers all numerics). */
export function hasBsonType(v: unknown, type: string | number): boolean {
  const name = bsonTypeName(v);
  if (type === "number") return NUMERIC.has(name);
  if (typeof type === "number") return TYPE_CODES[name] === type;
  return name === type;
}

export function isKnownType(type: unknown): type is string | number {
  if (type === "number") return true;
  if (typeof type === "string") return Object.hasOwn(TYPE_CODES, type);
  return typeof type === "number" && Object.values(TYPE_CODES).includes(type);
}
