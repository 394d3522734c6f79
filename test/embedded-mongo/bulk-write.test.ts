import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient, MongoClientBulkWriteError, type Document } from "mongodb";
import { startEmbeddedMongo } from "../../src/embedded-mongo";
import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();

/** Documents with numeric _ids, as the tests store them. */
type AnyDoc = Record<string, unknown> & { _id?: number | string };
/** The fields the driver's typed bulkWrite models below name. */
type Counter = { _id?: number; n?: number; card?: string; seen?: boolean; at?: number; first?: boolean };
type Namespaces = Record<string, Counter>;
const logs = () => db.client().db("bw").collection<AnyDoc>("logs");
const states = () => db.client().db("bw").collection<AnyDoc>("states");
const other = () => db.client().db("bw2").collection<AnyDoc>("other");
const admin = () => db.client().db("admin");

beforeEach(async () => {
  for (const coll of [logs(), states(), other()]) await coll.drop().catch(() => undefined);
});

describe("the MongoDB 8.0 bulkWrite command", () => {
  it("reports itself as MongoDB 8.0 (wire version 25)", async () => {
    expect(await admin().command({ hello: 1 })).toMatchObject({ maxWireVersion: 25 });
    expect(await admin().command({ buildInfo: 1 })).toMatchObject({ version: "8.0.0", versionArray: [8, 0, 0, 0] });
  });

  it("runs inserts, updates, an upsert and deletes on several namespaces in one MongoClient.bulkWrite", async () => {
    await states().insertMany([{ _id: 1, n: 0 }, { _id: 2, n: 0 }, { _id: 3, n: 0 }]);
    await other().insertMany([{ _id: 1 }, { _id: 2 }, { _id: 3 }]);
    const started: string[] = [];
    const client = await MongoClient.connect(db.server().uri, { monitorCommands: true });
    client.on("commandStarted", (event) => started.push(`${event.databaseName}.${event.commandName}`));
    const result = await client
      .bulkWrite<Namespaces>(
        [
          { name: "insertOne", namespace: "bw.logs", document: { _id: 10, card: "a" } },
          { name: "updateOne", namespace: "bw.states", filter: { _id: 1 }, update: { $inc: { n: 1 } } },
          { name: "updateMany", namespace: "bw.states", filter: { _id: { $gt: 1 } }, update: { $set: { seen: true } } },
          { name: "replaceOne", namespace: "bw.states", filter: { _id: 9 }, replacement: { n: 9 }, upsert: true },
          { name: "deleteOne", namespace: "bw2.other", filter: { _id: 1 } },
          { name: "deleteMany", namespace: "bw2.other", filter: {} },
        ],
        { verboseResults: true },
      )
      .finally(() => client.close());
    expect(started.filter((name) => name !== "admin.endSessions")).toEqual(["admin.bulkWrite"]);
    expect(result).toMatchObject({ insertedCount: 1, upsertedCount: 1, matchedCount: 3, modifiedCount: 3, deletedCount: 3 });
    expect(result.insertResults?.get(0)).toEqual({ insertedId: 10 });
    expect(result.updateResults?.get(3)).toMatchObject({ matchedCount: 1, modifiedCount: 0, upsertedId: 9 });
    expect(result.deleteResults?.get(5)).toEqual({ deletedCount: 2 });
    expect(await logs().find().toArray()).toEqual([{ _id: 10, card: "a" }]);
    expect(await states().find().toArray()).toEqual([
      { _id: 1, n: 1 },
      { _id: 2, n: 0, seen: true },
      { _id: 3, n: 0, seen: true },
      { _id: 9, n: 9 },
    ]);
    expect(await other().countDocuments()).toBe(0);
  });

  it("answers the raw command with a cursor of per-op results and the totals", async () => {
    await states().insertOne({ _id: 1, n: 0 });
    const reply = await admin().command({
      bulkWrite: 1,
      ops: [
        { insert: 0, document: { _id: 1 } },
        { update: 1, filter: { _id: 1 }, updateMods: { $set: { n: 5 } } },
        { update: 1, filter: { _id: 2 }, updateMods: { $set: { n: 2 } }, upsert: true },
        { delete: 1, filter: { _id: 3 }, multi: false },
      ],
      nsInfo: [{ ns: "bw.logs" }, { ns: "bw.states" }],
    });
    expect(reply).toEqual({
      cursor: {
        id: 0,
        ns: "admin.$cmd.bulkWrite",
        firstBatch: [
          { ok: 1, idx: 0, n: 1 },
          { ok: 1, idx: 1, n: 1, nModified: 1 },
          { ok: 1, idx: 2, n: 1, nModified: 0, upserted: { _id: 2 } },
          { ok: 1, idx: 3, n: 0 },
        ],
      },
      nErrors: 0,
      nInserted: 1,
      nMatched: 1,
      nModified: 1,
      nUpserted: 1,
      nDeleted: 0,
      ok: 1,
    });
  });

  it("stops at the first error when ordered, gives the duplicate key error as insert does, and goes on when unordered", async () => {
    await logs().createIndex({ card: 1 }, { unique: true });
    await logs().insertOne({ _id: 1, card: "a" });
    const ops = [
      { insert: 0, document: { _id: 2, card: "a" } },
      { insert: 0, document: { _id: 3, card: "b" } },
    ];
    const ordered = await admin().command({ bulkWrite: 1, ops, nsInfo: [{ ns: "bw.logs" }], errorsOnly: true });
    expect(ordered).toMatchObject({ nErrors: 1, nInserted: 0, ok: 1 });
    expect(ordered.cursor.firstBatch).toEqual([
      {
        ok: 0,
        idx: 0,
        n: 0,
        code: 11000,
        codeName: "DuplicateKey",
        errmsg: 'E11000 duplicate key error collection: bw.logs index: card_1 dup key: { card: "a" }',
        keyPattern: { card: 1 },
        keyValue: { card: "a" },
      },
    ]);
    expect(await logs().countDocuments()).toBe(1);
    const unordered = await admin().command({ bulkWrite: 1, ops, nsInfo: [{ ns: "bw.logs" }], ordered: false, errorsOnly: true });
    expect(unordered).toMatchObject({ nErrors: 1, nInserted: 1 });
    expect(unordered.cursor.firstBatch.map((entry: Document) => entry.idx)).toEqual([0]);
    expect(await logs().countDocuments()).toBe(2);
  });

  it("throws MongoClientBulkWriteError from the driver with the write error and the partial result", async () => {
    await logs().insertOne({ _id: 1 });
    const failure = await db
      .client()
      .bulkWrite<Namespaces>([
        { name: "updateOne", namespace: "bw.states", filter: { _id: 1 }, update: { $set: { n: 1 } }, upsert: true },
        { name: "insertOne", namespace: "bw.logs", document: { _id: 1 } },
        { name: "insertOne", namespace: "bw.logs", document: { _id: 2 } },
      ])
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MongoClientBulkWriteError);
    const error = failure as MongoClientBulkWriteError;
    expect(error.writeErrors.get(1)).toMatchObject({ code: 11000 });
    expect(error.partialResult).toMatchObject({ upsertedCount: 1, insertedCount: 0 });
    expect(await logs().countDocuments()).toBe(1);
  });

  it("hands out per-op results beyond 16 MiB through getMore, as the driver reads them", async () => {
    const key = "k".repeat(3000);
    await logs().createIndex({ key: 1 }, { unique: true });
    await logs().insertOne({ _id: 0, key });
    const ops = Array.from({ length: 4000 }, (_, i) => ({ insert: 0, document: { _id: i + 1, key } }));
    const reply = await admin().command({ bulkWrite: 1, ops, nsInfo: [{ ns: "bw.logs" }], ordered: false });
    expect(reply.nErrors).toBe(4000);
    expect(reply.cursor.id).not.toBe(0);
    expect(reply.cursor.firstBatch.length).toBeLessThan(4000);
    const models = Array.from({ length: 4000 }, (_, i) => ({ name: "insertOne" as const, namespace: "bw.logs", document: { _id: i + 1, card: key } }));
    await logs().updateOne({ _id: 0 }, { $set: { card: key } });
    await logs().createIndex({ card: 1 }, { unique: true });
    const failure = (await db.client().bulkWrite<Namespaces>(models, { ordered: false }).catch((error: unknown) => error)) as MongoClientBulkWriteError;
    expect(failure.writeErrors.size).toBe(4000);
    expect(failure.writeErrors.get(3999)).toMatchObject({ code: 11000 });
  });

  it("applies the collection's validator unless bypassDocumentValidation, and refuses views", async () => {
    await db.client().db("bw").createCollection("logs", { validator: { card: { $type: "string" } } });
    const ops = [{ insert: 0, document: { _id: 1, card: 5 } }];
    const refused = await admin().command({ bulkWrite: 1, ops, nsInfo: [{ ns: "bw.logs" }] });
    expect(refused.cursor.firstBatch[0]).toMatchObject({ ok: 0, code: 121, codeName: "DocumentValidationFailure" });
    const bypassed = await admin().command({ bulkWrite: 1, ops, nsInfo: [{ ns: "bw.logs" }], bypassDocumentValidation: true });
    expect(bypassed).toMatchObject({ nInserted: 1, nErrors: 0 });
    await db.client().db("bw").createCollection("view", { viewOn: "logs", pipeline: [] });
    const onView = await admin().command({ bulkWrite: 1, ops: [{ delete: 0, filter: {}, multi: true }], nsInfo: [{ ns: "bw.view" }] });
    expect(onView.cursor.firstBatch[0]).toMatchObject({ ok: 0, code: 166 });
    await db.client().db("bw").collection("view").drop();
  });

  it("passes let, constants, arrayFilters, collation, hint and pipeline updates to the ops", async () => {
    await states().insertMany([{ _id: 1, name: "Ann", xs: [1, 5] }, { _id: 2, name: "bob", xs: [] }]);
    await states().createIndex({ name: 1 });
    const reply = await admin().command({
      bulkWrite: 1,
      ops: [
        { update: 0, filter: { $expr: { $eq: ["$_id", "$$one"] } }, updateMods: { $set: { "xs.$[big]": 0 } }, arrayFilters: [{ big: { $gt: 4 } }] },
        { update: 0, filter: { name: "BOB" }, updateMods: [{ $set: { label: "$$label" } }], constants: { label: "found" }, collation: { locale: "en", strength: 2 } },
        { delete: 0, filter: { name: "nobody" }, multi: false, hint: { name: 1 } },
      ],
      nsInfo: [{ ns: "bw.states" }],
      let: { one: 1 },
    });
    expect(reply).toMatchObject({ nErrors: 0, nMatched: 2, nModified: 2 });
    expect(await states().find().toArray()).toEqual([
      { _id: 1, name: "Ann", xs: [1, 0] },
      { _id: 2, name: "bob", xs: [], label: "found" },
    ]);
  });

  it("refuses a malformed command as a whole before running any op", async () => {
    const run = (command: Document, on = admin()) => on.command({ bulkWrite: 1, nsInfo: [{ ns: "bw.logs" }], ...command });
    const insert = { insert: 0, document: { _id: 1 } };
    await expect(run({ ops: [insert] }, db.client().db("bw"))).rejects.toMatchObject({ code: 13 });
    await expect(run({ ops: [] })).rejects.toMatchObject({ code: 16, codeName: "InvalidLength" });
    await expect(run({ ops: [insert, { insert: 1, document: {} }] })).rejects.toMatchObject({ code: 2 });
    await expect(run({ ops: [insert, { insert: 0, document: {}, bogus: 1 }] })).rejects.toMatchObject({ code: 40415 });
    await expect(run({ ops: [{ insert: 0, delete: 0, document: {} }] })).rejects.toMatchObject({ code: 9 });
    await expect(run({ ops: [insert], nsInfo: [{ ns: "no-dot" }] })).rejects.toMatchObject({ code: 73 });
    expect(await logs().countDocuments()).toBe(0);
  });

  it("counts its ops in serverStatus opcounters as the inserts, updates and deletes they are", async () => {
    const before = (await admin().command({ serverStatus: 1 })).opcounters;
    await admin().command({
      bulkWrite: 1,
      ops: [{ insert: 0, document: { _id: 1 } }, { insert: 0, document: { _id: 2 } }, { update: 0, filter: {}, updateMods: { $set: { a: 1 } } }, { delete: 0, filter: {} }],
      nsInfo: [{ ns: "bw.logs" }],
    });
    const after = (await admin().command({ serverStatus: 1 })).opcounters;
    expect(Number(after.insert) - Number(before.insert)).toBe(2);
    expect(Number(after.update) - Number(before.update)).toBe(1);
    expect(Number(after.delete) - Number(before.delete)).toBe(1);
  });
});

describe("sort on single-document updates (8.0)", () => {
  beforeEach(async () => {
    await states().insertMany([{ _id: 1, due: 3 }, { _id: 2, due: 1 }, { _id: 3, due: 2 }]);
  });

  it("updateOne and replaceOne change the first match in sort order", async () => {
    await states().updateOne({}, { $set: { picked: true } }, { sort: { due: 1 } });
    await states().replaceOne({ picked: { $exists: false } }, { due: 0 }, { sort: { due: -1 } });
    expect(await states().find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 1, due: 0 }, { _id: 2, due: 1, picked: true }, { _id: 3, due: 2 }]);
  });

  it("explains a sorted update as the sorted read it does", async () => {
    await states().createIndex({ due: 1 });
    const explained = await db.client().db("bw").command({ explain: { update: "states", updates: [{ q: {}, u: { $set: { a: 1 } }, sort: { due: -1 } }] } });
    expect(JSON.stringify(explained.queryPlanner.winningPlan)).toContain('"indexName":"due_1"');
    expect(explained.queryPlanner.winningPlan).toMatchObject({ stage: "UPDATE" });
  });

  it("sorts the update ops of bulkWrite, and refuses a sort with multi", async () => {
    const result = await db.client().bulkWrite<Namespaces>([{ name: "updateOne", namespace: "bw.states", filter: {}, update: { $set: { first: true } }, sort: { due: -1 } }]);
    expect(result.modifiedCount).toBe(1);
    expect(await states().findOne({ first: true })).toMatchObject({ _id: 1 });
    await expect(
      db.client().db("bw").command({ update: "states", updates: [{ q: {}, u: { $set: { a: 1 } }, multi: true, sort: { due: 1 } }] }),
    ).resolves.toMatchObject({ writeErrors: [{ code: 9 }] });
  });
});

describe("bulkWrite durability", () => {
  it("journals its ops like the single-collection commands: they survive a restart", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bulk-write-"));
    try {
      let server = await startEmbeddedMongo({ dataDir: dir });
      let client = await MongoClient.connect(server.uri);
      await client.db("app").collection<AnyDoc>("states").insertOne({ _id: 1, n: 0 });
      await client.bulkWrite<Namespaces>([
        { name: "insertOne", namespace: "app.logs", document: { _id: 1 } },
        { name: "updateOne", namespace: "app.states", filter: { _id: 1 }, update: { $inc: { n: 1 } } },
        { name: "updateOne", namespace: "app.decks", filter: { _id: 7 }, update: { $set: { at: 1 } }, upsert: true },
      ]);
      await client.close();
      await server.stop();
      server = await startEmbeddedMongo({ dataDir: dir });
      client = await MongoClient.connect(server.uri);
      try {
        expect(await client.db("app").collection("logs").find().toArray()).toEqual([{ _id: 1 }]);
        expect(await client.db("app").collection("states").find().toArray()).toEqual([{ _id: 1, n: 1 }]);
        expect(await client.db("app").collection("decks").find().toArray()).toEqual([{ _id: 7, at: 1 }]);
      } finally {
        await client.close();
        await server.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
