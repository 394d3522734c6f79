import type { AnyClientBulkWriteModel, ClientBulkWriteResult, Document, Filter, UpdateFilter } from "mongodb";
import { MongoClientBulkWriteError, MongoServerError } from "mongodb";
import type { Model } from "mongoose";
import { writeSentPastMongoose } from "./read-write-watch";

/** One write of `writeTogether`, on a model's collection, with documents and filters built in code (nothing casts them). */
export type RawWrite =
  // Typegoose models differ in their document type, so any model is taken.
  | { model: Model<any>; insertOne: Document }
  | { model: Model<any>; updateOne: { filter: Filter<Document>; update: UpdateFilter<Document>; upsert?: boolean } }
  | { model: Model<any>; replaceOne: { filter: Filter<Document>; replacement: Document } }
  | { model: Model<any>; deleteOne: { filter: Filter<Document> } };

/** What became of one write. */
export interface WriteOutcome {
  /** False for the writes after one that failed (ordered): they were not made. */
  ran: boolean;
  /** The server's error for this write (a duplicate key: code 11000). */
  error?: { code?: number; message: string };
  matched: number;
  modified: number;
  deleted: number;
  inserted: boolean;
  /** Set when an upsert inserted. */
  upserted: boolean;
}

const NOT_RUN: WriteOutcome = { ran: false, matched: 0, modified: 0, deleted: 0, inserted: false, upserted: false };

/** Set once the server answered that it has no `bulkWrite` command (before MongoDB 8.0): the writes go one by one. */
let oneByOne = false;

/**
 * Writes to several collections in one database command (MongoDB 8.0's `bulkWrite`; the embedded
 * engine has it), in order: for hot paths whose writes do not depend on each other's results, so a
 * request waits for one reply instead of several. Ordered (the default), it stops at the first
 * write that fails; `ordered: false` makes every write whatever fails (and the server may make them
 * in any order). Not a transaction: what ran before a failure stays. On an older server each is
 * sent on its own, in the same order, with the same outcomes. The response cache's watch does not
 * see this command: it is told of each write here (`writeSentPastMongoose`), as of mongoose's.
 */
export async function writeTogether(writes: RawWrite[], { ordered = true }: { ordered?: boolean } = {}): Promise<WriteOutcome[]> {
  if (writes.length === 0) return [];
  if (oneByOne) return writeOneByOne(writes, ordered);
  const client = writes[0].model.db.getClient();
  const done = writes.map((write) => writeSentPastMongoose(write.model.collection.collectionName, ...methodOf(write)));
  let result: ClientBulkWriteResult | undefined;
  let failed: MongoClientBulkWriteError | undefined;
  try {
    result = await client.bulkWrite(writes.map(modelOf), { ordered, verboseResults: true });
  } catch (error) {
    if (isUnknownCommand(error)) {
      done.forEach((end) => end(false));
      oneByOne = true;
      return writeOneByOne(writes, ordered);
    }
    if (!(error instanceof MongoClientBulkWriteError) || error.writeErrors.size === 0) {
      // Whatever ran is unknown: every write may have changed something.
      done.forEach((end) => end(true));
      throw error;
    }
    failed = error;
    result = error.partialResult;
  }
  const lastRun = failed && ordered ? Math.min(...failed.writeErrors.keys()) : writes.length;
  const outcomes = writes.map((write, i): WriteOutcome => {
    if (i > lastRun) return NOT_RUN;
    const error = failed?.writeErrors.get(i);
    if (error) return { ...NOT_RUN, ran: true, error: { code: error.code, message: error.message } };
    return outcomeOf(write, i, result);
  });
  outcomes.forEach((outcome, i) => done[i](outcome.ran && (outcome.error !== undefined || changed(outcome))));
  return outcomes;
}

function changed(outcome: WriteOutcome): boolean {
  return outcome.inserted || outcome.upserted || outcome.modified > 0 || outcome.deleted > 0;
}

function outcomeOf(write: RawWrite, i: number, result: ClientBulkWriteResult | undefined): WriteOutcome {
  if ("insertOne" in write) return { ...NOT_RUN, ran: true, inserted: true };
  if ("deleteOne" in write) return { ...NOT_RUN, ran: true, deleted: result?.deleteResults?.get(i)?.deletedCount ?? 0 };
  const updated = result?.updateResults?.get(i);
  return { ...NOT_RUN, ran: true, matched: updated?.matchedCount ?? 0, modified: updated?.modifiedCount ?? 0, upserted: updated?.upsertedId !== undefined };
}

function modelOf(write: RawWrite): AnyClientBulkWriteModel<Document> {
  const namespace = `${write.model.db.name}.${write.model.collection.collectionName}`;
  // A copy: the driver gives a document it inserts an `_id`, which the caller's object must not get.
  if ("insertOne" in write) return { namespace, name: "insertOne", document: { ...write.insertOne } };
  if ("updateOne" in write) return { namespace, name: "updateOne", ...write.updateOne };
  if ("replaceOne" in write) return { namespace, name: "replaceOne", ...write.replaceOne };
  return { namespace, name: "deleteOne", ...write.deleteOne };
}

/** The collection method and its parameters that make the same write (for the watch, and on an older server). */
function methodOf(write: RawWrite): [method: string, params: unknown[]] {
  if ("insertOne" in write) return ["insertOne", [write.insertOne]];
  if ("updateOne" in write) return ["updateOne", [write.updateOne.filter, write.updateOne.update, { upsert: write.updateOne.upsert ?? false }]];
  if ("replaceOne" in write) return ["replaceOne", [write.replaceOne.filter, write.replaceOne.replacement]];
  return ["deleteOne", [write.deleteOne.filter]];
}

/** The writes sent one after another through mongoose's collections (which its watch sees); ordered, they stop at the first that fails. */
async function writeOneByOne(writes: RawWrite[], ordered: boolean): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = writes.map(() => NOT_RUN);
  for (const [i, write] of writes.entries()) {
    const collection = write.model.collection;
    try {
      if ("insertOne" in write) {
        await collection.insertOne({ ...write.insertOne });
        outcomes[i] = { ...NOT_RUN, ran: true, inserted: true };
      } else if ("deleteOne" in write) {
        const { deletedCount } = await collection.deleteOne(write.deleteOne.filter);
        outcomes[i] = { ...NOT_RUN, ran: true, deleted: deletedCount };
      } else {
        const result =
          "updateOne" in write
            ? await collection.updateOne(write.updateOne.filter, write.updateOne.update, { upsert: write.updateOne.upsert ?? false })
            : await collection.replaceOne(write.replaceOne.filter, write.replaceOne.replacement);
        outcomes[i] = { ...NOT_RUN, ran: true, matched: result.matchedCount, modified: result.modifiedCount, upserted: result.upsertedCount > 0 };
      }
    } catch (error) {
      if (!(error instanceof MongoServerError)) throw error;
      outcomes[i] = { ...NOT_RUN, ran: true, error: { code: typeof error.code === "number" ? error.code : undefined, message: error.message } };
      if (ordered) break;
    }
  }
  return outcomes;
}

/** A server before 8.0 answering `bulkWrite`: CommandNotFound. */
function isUnknownCommand(error: unknown): boolean {
  const cause = error instanceof MongoClientBulkWriteError ? error.cause : error;
  return cause instanceof MongoServerError && cause.code === 59;
}
