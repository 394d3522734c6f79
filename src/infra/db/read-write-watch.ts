import mongoose from "mongoose";
import { currentReads, Tag, type Written } from "../../lib/read-tags";
import { equalities, filterTags, isPlainObject, isScalar, joinedCollections } from "../../lib/filter-tags";

/**
 * Before the write is sent (nothing computed from now on may be kept), and once it is done and
 * changed something (a write that matched nothing, or set what was already there, has no end).
 */
export type WritePhase = "start" | "end";

const READS = new Set(["find", "findOne", "aggregate", "countDocuments", "count", "distinct", "estimatedDocumentCount"]);
/** Methods that change no document. */
const NO_DATA = new Set([
  "createIndex",
  "createIndexes",
  "dropIndex",
  "dropIndexes",
  "indexes",
  "listIndexes",
  "indexInformation",
  "indexExists",
  "options",
  "isCapped",
  "watch",
  "listSearchIndexes",
  "initializeOrderedBulkOp",
  "initializeUnorderedBulkOp",
]);
type Filter = Record<string, unknown>;

interface OperationStart {
  _id: unknown;
  collectionName: string;
  method: string;
  params: unknown[];
}

/**
 * Watches every collection method mongoose sends (models and `model.collection` alike): a read
 * tags the request being recorded (`lib/read-tags.ts`) with what it read, as narrowly as its
 * filter allows (`courses` by `_id`, `progress` by `user_id`, else the whole collection); a write
 * is reported to `onWritten` when it starts, and when it ends if it changed anything. Nothing is
 * watched (and nothing costs) until this is called. Returns the function that stops watching.
 */
export function watchReadsAndWrites(onWritten: (written: Written[], phase: WritePhase) => void): () => void {
  const connection = mongoose.connection;
  // By the operation's id object, which mongoose hands to both events: no id is turned into text per call.
  const pending = new Map<unknown, { written: Written[]; upsert: boolean }>();
  const started = (operation: OperationStart) => {
    const { collectionName: collection, method, params } = operation;
    if (READS.has(method)) {
      const record = currentReads();
      if (record) for (const tag of readTags(collection, method, params)) record.tags.add(tag);
      if (method === "aggregate") {
        const out = outputOf(params[0]);
        if (out) {
          // Its cursor runs it later, out of sight: told as done when it is sent (no app code writes this way).
          onWritten([{ collection: out, keys: {} }], "start");
          onWritten([{ collection: out, keys: {} }], "end");
        }
      }
      return;
    }
    if (NO_DATA.has(method)) return;
    const written = writesOf(collection, method, params);
    pending.set(operation._id, { written, upsert: isPlainObject(params[2]) && params[2].upsert === true });
    onWritten(written, "start");
  };
  const ended = (operation: { _id: unknown; result?: unknown; error?: unknown }) => {
    // Most operations are reads, never pending.
    if (pending.size === 0) return;
    const write = pending.get(operation._id);
    if (!write) return;
    pending.delete(operation._id);
    if (operation.error !== undefined || changedAnything(operation.result, write.upsert)) onWritten(write.written, "end");
  };
  connection.on("operation-start", started);
  connection.on("operation-end", ended);
  pastMongoose.add(onWritten);
  return () => {
    connection.off("operation-start", started);
    connection.off("operation-end", ended);
    pastMongoose.delete(onWritten);
  };
}

/** Those watching writes, for the writes mongoose does not send (`writeTogether`). */
const pastMongoose = new Set<(written: Written[], phase: WritePhase) => void>();

/**
 * A write sent past mongoose (several in one command): the watchers are told as they are of
 * mongoose's (`method` and `params` as the collection method would take them). Returns what to
 * call once it is done, with whether it changed anything.
 */
export function writeSentPastMongoose(collection: string, method: string, params: unknown[]): (changed: boolean) => void {
  if (pastMongoose.size === 0) return () => undefined;
  const written = writesOf(collection, method, params);
  for (const listener of pastMongoose) listener(written, "start");
  return (changed) => {
    if (changed) for (const listener of pastMongoose) listener(written, "end");
  };
}

/**
 * Whether a write's result says it changed a document: an update that matched nothing or left
 * every document as it was (`$setOnInsert` on an existing one, `$addToSet` of a member, a filter
 * that no longer matches) did not; nor a `findOneAnd…` without upsert that found nothing. Any
 * other result (an unacknowledged write's too) counts.
 */
function changedAnything(result: unknown, upsert: boolean): boolean {
  if (result === null) return upsert;
  if (!isPlainObject(result) || result.acknowledged === false) return true;
  const counts = ["modifiedCount", "upsertedCount", "deletedCount", "insertedCount"] as const;
  if (!counts.some((count) => typeof result[count] === "number")) return true;
  return counts.some((count) => typeof result[count] === "number" && (result[count] as number) > 0);
}

function readTags(collection: string, method: string, params: unknown[]): string[] {
  const tags: string[] = [];
  let filter: unknown;
  if (method === "distinct") filter = params[1];
  else if (method === "aggregate") {
    const pipeline = Array.isArray(params[0]) ? (params[0] as Filter[]) : [];
    filter = pipeline[0]?.$match;
    for (const other of joinedCollections(pipeline)) tags.push(Tag.all(other));
  } else if (method !== "estimatedDocumentCount") filter = params[0];
  tags.push(...filterTags(collection, filter));
  return tags;
}

function writesOf(collection: string, method: string, params: unknown[]): Written[] {
  const [first, second, third] = params as [unknown, unknown, { upsert?: boolean } | undefined];
  switch (method) {
    case "insertOne":
      return [{ collection, keys: fieldsOf([first]) }];
    case "insertMany":
      return [{ collection, keys: fieldsOf(Array.isArray(first) ? first : []) }];
    case "updateOne":
    case "updateMany":
    case "findOneAndUpdate":
      return [{ collection, keys: updated(first, second) }];
    case "replaceOne":
    case "findOneAndReplace":
      return [{ collection, keys: replaced(first) }];
    case "deleteOne":
    case "deleteMany":
    case "findOneAndDelete":
      return [{ collection, keys: filterKeys(first) }];
    case "bulkWrite":
      return (Array.isArray(first) ? (first as Filter[]) : []).map((op) => ({ collection, keys: bulkKeys(op) }));
    default:
      // Whatever else changes data (drop, rename, ...): everything of the collection.
      void third;
      return [{ collection, keys: {} }];
  }
}

function bulkKeys(op: Filter): Record<string, string[]> {
  const [kind, body] = Object.entries(op)[0] ?? [];
  const spec = (body ?? {}) as Filter;
  switch (kind) {
    case "insertOne":
      return fieldsOf([spec.document]);
    case "updateOne":
    case "updateMany":
      return updated(spec.filter, spec.update);
    case "replaceOne":
      return replaced(spec.filter);
    case "deleteOne":
    case "deleteMany":
      return filterKeys(spec.filter);
    default:
      return {};
  }
}

/** An update: the filter's equalities, less every field the update may change. */
function updated(filter: unknown, update: unknown): Record<string, string[]> {
  const keys = filterKeys(filter);
  if (Array.isArray(update) || !isPlainObject(update)) return keys._id ? { _id: keys._id } : {};
  for (const [operator, fields] of Object.entries(update)) {
    if (!operator.startsWith("$")) return keys._id ? { _id: keys._id } : {};
    if (!isPlainObject(fields)) continue;
    for (const [path, value] of Object.entries(fields)) {
      delete keys[path.split(".")[0]];
      if (operator === "$rename" && typeof value === "string") delete keys[value.split(".")[0]];
    }
  }
  return keys;
}

function replaced(filter: unknown): Record<string, string[]> {
  const { _id } = filterKeys(filter);
  return _id ? { _id } : {};
}

function filterKeys(filter: unknown): Record<string, string[]> {
  return isPlainObject(filter) ? Object.fromEntries(equalities(filter)) : {};
}

/** Inserted documents: every field holding a value (or values) a read may be narrowed by. */
function fieldsOf(documents: unknown[]): Record<string, string[]> {
  const keys: Record<string, Set<string>> = {};
  const fields = new Set<string>();
  for (const document of documents) {
    if (!isPlainObject(document)) return {};
    for (const field of Object.keys(document)) fields.add(field);
  }
  for (const field of fields) {
    const values = new Set<string>();
    for (const document of documents as Filter[]) {
      const value = document[field];
      if (value === undefined || value === null) continue;
      const scalars = Array.isArray(value) ? value : [value];
      if (!scalars.every(isScalar)) {
        values.clear();
        break;
      }
      for (const scalar of scalars) values.add(String(scalar));
    }
    // A field some document holds something else in (a sub-document) is left unknown.
    if (values.size > 0 || documents.every((document) => (document as Filter)[field] === undefined || (document as Filter)[field] === null)) keys[field] = values;
  }
  return Object.fromEntries(Object.entries(keys).map(([field, values]) => [field, [...values]]));
}

/** The collection an aggregation writes to (`$out`, `$merge`), if any. */
function outputOf(pipeline: unknown): string | undefined {
  if (!Array.isArray(pipeline)) return undefined;
  for (const stage of pipeline as Filter[]) {
    const target = stage.$out ?? stage.$merge;
    if (target === undefined) continue;
    if (typeof target === "string") return target;
    const into = (target as Filter).into ?? (target as Filter).coll;
    return typeof into === "string" ? into : String((into as Filter)?.coll);
  }
  return undefined;
}
