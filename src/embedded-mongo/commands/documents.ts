import { ObjectId, type Document } from "bson";
import { commandError, MongoCommandError } from "../errors";
import { applyUpdate, setOwn, upsertSeed } from "../query";
import { MAX_BSON_SIZE } from "../storage/collection";
import { documentBytes } from "../storage/sizes";

/**
 * A document as an insert stores it: `_id` first (generated when missing), validated the way
 * mongod 5.0+ validates inserts ($-prefixed field names are allowed, except inside `_id`).
 */
export function prepareForInsert(input: unknown): Document {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw commandError("TypeMismatch", "document to insert must be an object");
  }
  const doc = input as Document;
  validateId(doc._id);
  const keys = Object.keys(doc);
  const prepared = keys[0] === "_id" && doc._id !== undefined ? doc : reorderIdFirst(doc);
  checkSize(prepared);
  return prepared;
}

function reorderIdFirst(doc: Document): Document {
  const out: Document = { _id: doc._id === undefined ? new ObjectId() : doc._id };
  for (const key of Object.keys(doc)) if (key !== "_id") setOwn(out, key, doc[key]);
  return out;
}

function validateId(id: unknown): void {
  if (id === undefined) return;
  if (Array.isArray(id)) throw commandError("BadValue", "can't use an array for _id");
  if (id instanceof RegExp || (id as Document | null)?._bsontype === "BSONRegExp") {
    throw commandError("BadValue", "can't use a regex for _id");
  }
  if (typeof id === "object" && id !== null && !(id as Document)._bsontype && !(id instanceof Date)) {
    for (const key of Object.keys(id)) {
      if (key.startsWith("$")) throw commandError("DollarPrefixedFieldName", `_id fields may not contain '$'-prefixed fields: ${key} is not valid for storage.`);
    }
  }
}

function checkSize(doc: Document): void {
  const size = documentBytes(doc);
  if (size > MAX_BSON_SIZE) {
    throw commandError("BSONObjectTooLarge", `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_SIZE}`);
  }
}

export function checkUpdatedSize(doc: Document): void {
  const size = documentBytes(doc);
  if (size > MAX_BSON_SIZE) {
    throw commandError("Location17419", `Resulting document after update is larger than ${MAX_BSON_SIZE}`);
  }
}

export interface UpdateSpec {
  update: Document | Document[];
  arrayFilters?: Document[];
  variables?: Document;
}

/** The document an upsert inserts: equality fields of the filter, then the update applied as an insert. */
export function buildUpsertDocument(filter: Document, spec: UpdateSpec): Document {
  const seed = upsertSeed(filter);
  const { doc } = applyUpdate(seed, spec.update, {
    arrayFilters: spec.arrayFilters,
    variables: spec.variables,
    isUpsertInsert: true,
  });
  const withId = doc._id === undefined && seed._id !== undefined ? { ...doc, _id: seed._id } : doc;
  return prepareForInsert(withId);
}

/** A statement failure as an entry of `writeErrors`. */
export function writeError(error: unknown, index: number): Document {
  if (!(error instanceof MongoCommandError)) throw error;
  return { index, code: error.code, errmsg: error.message, ...error.extra };
}
