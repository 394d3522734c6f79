import type { Document } from "bson";
import { commandError } from "../errors";

/** Fields every command may carry besides its own arguments. */
export const GENERIC_FIELDS = new Set([
  "$db", "lsid", "$clusterTime", "$readPreference", "writeConcern", "readConcern", "comment",
  "txnNumber", "autocommit", "startTransaction", "apiVersion", "apiStrict", "apiDeprecationErrors", "maxTimeMS",
]);

/** int32, double or int64 argument as a JS number, undefined when absent. */
export function optionalNumber(command: Document, field: string): number | undefined {
  const value = command[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number") return value;
  if (typeof value === "object" && (value._bsontype === "Long" || value._bsontype === "Int32" || value._bsontype === "Double" || value._bsontype === "Decimal128")) {
    return Number(value.toString());
  }
  throw commandError("TypeMismatch", `Field '${field}' must be numeric`);
}

export function optionalDocument(command: Document, field: string): Document | undefined {
  const value = command[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value) || value._bsontype) {
    throw commandError("TypeMismatch", `Field '${field}' must be of BSON type object`);
  }
  return value as Document;
}

export function requireArray(command: Document, field: string): Document[] {
  const value = command[field];
  if (!Array.isArray(value)) throw commandError("TypeMismatch", `Field '${field}' must be an array`);
  return value as Document[];
}

const INVALID_DB_CHARS = /[/\\. "$\0]/;

export function validateDbName(db: string): void {
  if (db.length === 0 || db.length >= 64 || INVALID_DB_CHARS.test(db)) {
    throw commandError("InvalidNamespace", `Invalid database name: '${db}'`);
  }
}

/** The collection named by the command's first field, validated like mongod does. */
export function collectionName(command: Document, ctx: { db: string }): string {
  const name = command[Object.keys(command)[0]];
  if (typeof name !== "string") {
    throw commandError("InvalidNamespace", `collection name has invalid type ${name === null ? "null" : typeof name}`);
  }
  validateDbName(ctx.db);
  if (name.length === 0 || name.includes("\0") || name.includes("$") || name.startsWith(".")) {
    throw commandError("InvalidNamespace", `Invalid namespace specified '${ctx.db}.${name}'`);
  }
  return name;
}

export function boolOption(command: Document, field: string, fallback: boolean): boolean {
  const value = command[field];
  return value === undefined || value === null ? fallback : Boolean(typeof value === "object" ? Number(value) : value);
}
