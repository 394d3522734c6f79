import type { Document } from "bson";
import type { AnyBulkWriteOperation, BulkWriteResult, Collection } from "mongodb";

/** What an operation gives back: a value, and whether it is an iterable of root-level documents. */
export interface OperationResult {
  value: unknown;
  documents?: boolean;
}

type CollectionOperation = (collection: Collection, args: Document) => Promise<OperationResult>;

const value = (v: unknown): OperationResult => ({ value: v });
const documents = (v: Document[]): OperationResult => ({ value: v, documents: true });

/** The BulkWriteResult model of the CRUD spec, as a plain document. */
export function bulkWriteResultDocument(result: BulkWriteResult): Document {
  const { insertedCount, matchedCount, modifiedCount, deletedCount, upsertedCount, upsertedIds, insertedIds } = result;
  return { insertedCount, matchedCount, modifiedCount, deletedCount, upsertedCount, upsertedIds, insertedIds };
}

/** The spec spells returnDocument "Before"/"After"; the driver wants lower case. */
function findAndModifyOptions(options: Document): Document {
  const { returnDocument } = options;
  if (returnDocument === undefined) return options;
  const lower = String(returnDocument).toLowerCase();
  if (lower !== "before" && lower !== "after") throw new Error(`runner: returnDocument must be Before or After, got ${returnDocument}`);
  return { ...options, returnDocument: lower };
}

/**
 * The Node driver replaces a null _id with a new ObjectId (NODE-6468) where the CRUD spec wants it
 * sent as given. forceServerObjectId keeps the driver's hands off _id; it is set only when every
 * document to insert already carries an _id, so that nothing else about the command changes.
 */
function keepNullIds(documents: Document[], options: Document): Document {
  const hasNullId = documents.some((d) => d._id === null);
  return hasNullId && documents.every((d) => "_id" in d) ? { ...options, forceServerObjectId: true } : options;
}

const insertedDocuments = (requests: AnyBulkWriteOperation[]) =>
  requests.flatMap((r) => ("insertOne" in r ? [r.insertOne.document as Document] : []));

export const collectionOperations: Record<string, CollectionOperation> = {
  aggregate: async (c, { pipeline, ...options }) => documents(await c.aggregate(pipeline, options).toArray()),
  bulkWrite: async (c, { requests, ...options }) =>
    value(bulkWriteResultDocument(await c.bulkWrite(requests, keepNullIds(insertedDocuments(requests), options)))),
  count: async (c, { filter, ...options }) => value(await c.count(filter, options)),
  countDocuments: async (c, { filter, ...options }) => value(await c.countDocuments(filter, options)),
  estimatedDocumentCount: async (c, options) => value(await c.estimatedDocumentCount(options)),
  deleteMany: async (c, { filter, ...options }) => value(await c.deleteMany(filter, options)),
  deleteOne: async (c, { filter, ...options }) => value(await c.deleteOne(filter, options)),
  distinct: async (c, { fieldName, filter, ...options }) => value(await c.distinct(fieldName, filter ?? {}, options)),
  find: async (c, { filter, ...options }) => documents(await c.find(filter ?? {}, options).toArray()),
  findOne: async (c, { filter, ...options }) => value(await c.findOne(filter ?? {}, options)),
  findOneAndDelete: async (c, { filter, ...options }) => value(await c.findOneAndDelete(filter, options)),
  findOneAndReplace: async (c, { filter, replacement, ...options }) =>
    value(await c.findOneAndReplace(filter, replacement, findAndModifyOptions(options))),
  findOneAndUpdate: async (c, { filter, update, ...options }) =>
    value(await c.findOneAndUpdate(filter, update, findAndModifyOptions(options))),
  insertMany: async (c, { documents: docs, ...options }) => value(await c.insertMany(docs, keepNullIds(docs, options))),
  insertOne: async (c, { document, ...options }) => value(await c.insertOne(document, keepNullIds([document], options))),
  replaceOne: async (c, { filter, replacement, ...options }) => value(await c.replaceOne(filter, replacement, options)),
  updateMany: async (c, { filter, update, ...options }) => value(await c.updateMany(filter, update, options)),
  updateOne: async (c, { filter, update, ...options }) => value(await c.updateOne(filter, update, options)),
  createIndex: async (c, { keys, ...options }) => value(await c.createIndex(keys, options)),
  dropIndex: async (c, { name, ...options }) => value(await c.dropIndex(name, options)),
  dropIndexes: async (c, options) => value(await c.dropIndexes(options)),
  listIndexes: async (c, options) => documents(await c.listIndexes(options).toArray()),
  drop: async (c, options) => value(await c.drop(options)),
  rename: async (c, { to, ...options }) => {
    await c.rename(to, options);
    return value(undefined);
  },
};
