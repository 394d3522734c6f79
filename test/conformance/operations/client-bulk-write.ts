import { ObjectId, type Document } from "bson";
import type { ClientBulkWriteModel, ClientBulkWriteResult, MongoClient } from "mongodb";
import type { OperationResult } from "./collection";

/**
 * The Node driver gives an insertOne model with a null _id a new ObjectId from the client's
 * pkFactory (NODE-6468), where the spec wants the null sent. Entity clients get this pkFactory;
 * it answers null while a clientBulkWrite whose inserted documents all carry an _id runs (so it
 * is asked only for the null ones), and a new ObjectId otherwise, as the default one does.
 */
export const entityPkFactory = {
  keepNullIds: false,
  createPk(): unknown {
    return entityPkFactory.keepNullIds ? null : new ObjectId();
  },
};

/** The test format writes a model as `{insertOne: {namespace, ...}}`; the driver takes `{name: "insertOne", namespace, ...}`. */
function toDriverModel(model: Document): ClientBulkWriteModel {
  const [name, ...others] = Object.keys(model);
  if (others.length) throw new Error(`runner: a clientBulkWrite model names one operation, got ${Object.keys(model).join(", ")}`);
  return { name, ...model[name] } as ClientBulkWriteModel;
}

/** The ClientBulkWriteResult of the CRUD spec as a plain document; the per-operation maps keyed by index. */
export function clientBulkWriteResultDocument(result: ClientBulkWriteResult | undefined): Document | undefined {
  if (!result) return undefined;
  const map = (results: ReadonlyMap<number, unknown> | undefined) => (results ? Object.fromEntries(results) : undefined);
  // The spec's UpdateResult has no didUpsert (the driver's addition): upsertedId says it.
  const updates = result.updateResults && new Map([...result.updateResults].map(([i, { matchedCount, modifiedCount, upsertedId }]) => [i, { matchedCount, modifiedCount, upsertedId }]));
  const { insertedCount, upsertedCount, matchedCount, modifiedCount, deletedCount } = result;
  return {
    insertedCount,
    upsertedCount,
    matchedCount,
    modifiedCount,
    deletedCount,
    insertResults: map(result.insertResults),
    updateResults: map(updates),
    deleteResults: map(result.deleteResults),
  };
}

export async function clientBulkWrite(client: MongoClient, { models, ...options }: Document): Promise<OperationResult> {
  const driverModels = (models as Document[]).map(toDriverModel);
  const inserted = driverModels.flatMap((m) => (m.name === "insertOne" ? [m.document as Document] : []));
  entityPkFactory.keepNullIds = inserted.some((d) => d._id === null) && inserted.every((d) => "_id" in d);
  try {
    return { value: clientBulkWriteResultDocument(await client.bulkWrite(driverModels, options)) };
  } finally {
    entityPkFactory.keepNullIds = false;
  }
}
