import { EJSON, type Document } from "bson";

/** mongod's shell-like rendering of a key in E11000 messages: `{ email: "a@b.c" }`. */
export function formatDupKey(keyValue: Document): string {
  const parts = Object.entries(keyValue).map(([field, value]) => `${field}: ${formatValue(value)}`);
  return parts.length ? `{ ${parts.join(", ")} }` : "{}";
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  const bsonType = (value as Document)._bsontype;
  if (bsonType === "ObjectId") return `ObjectId('${(value as Document).toHexString()}')`;
  if (bsonType === "Long" || bsonType === "Int32" || bsonType === "Double" || bsonType === "Decimal128") return String(value);
  if (Array.isArray(value)) return `[ ${value.map(formatValue).join(", ")} ]`;
  if (!bsonType && typeof value === "object") return formatDupKey(value as Document);
  return EJSON.stringify(value as Document, { relaxed: true });
}
