import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import { startEmbeddedMongo } from "../../src/embedded-mongo";
import { EmbeddedMongoServer } from "../../src/embedded-mongo/server";
import { StorageEngine } from "../../src/embedded-mongo/storage/engine";
import { valueKey } from "../../src/embedded-mongo/storage/keys";

describe("validate", () => {
  const engine = new StorageEngine();
  const server = new EmbeddedMongoServer(engine);
  let client: MongoClient;
  const vdb = () => client.db("val");
  type NumberedDoc = { _id: number; [field: string]: unknown };

  beforeAll(async () => {
    const port = await server.listen("127.0.0.1", 0);
    client = await MongoClient.connect(`mongodb://127.0.0.1:${port}/`);
    await vdb().collection<NumberedDoc>("c").insertMany(Array.from({ length: 12 }, (_, i) => ({ _id: i, a: i % 4, tags: i % 2 ? ["x", "y", "z"] : ["x"] })));
    await vdb().collection("c").createIndexes([{ key: { a: 1 } }, { key: { tags: 1 } }, { key: { missing: 1 }, sparse: true }]);
  });
  afterAll(async () => {
    await client?.close();
    await server.stop();
  });

  it("reports a healthy collection's records and keys per index", async () => {
    const reply = await vdb().command({ validate: "c" });
    expect(reply).toMatchObject({
      ns: "val.c",
      valid: true,
      nrecords: 12,
      nIndexes: 4,
      keysPerIndex: { _id_: 12, a_1: 12, tags_1: 6 * 3 + 6, missing_1: 0 },
      errors: [],
      extraIndexEntries: [],
      missingIndexEntries: [],
      ok: 1,
    });
    expect(reply.indexDetails.tags_1).toEqual({ valid: true });
    expect((await vdb().command({ validate: "c", full: true })).valid).toBe(true);
  });

  it("finds index entries without their record and records without their entries", async () => {
    const coll = engine.collection("val", "c");
    if (!coll) throw new Error("collection val.c missing");
    // Corruption no command can cause: a record removed behind the indexes' back, one added without entries.
    const removed = coll.docs.get(valueKey(5));
    coll.docs.delete(valueKey(5));
    coll.docs.set(valueKey(100), { _id: 100, a: 1, tags: ["q"] });
    try {
      const reply = await vdb().command({ validate: "c" });
      expect(reply.valid).toBe(false);
      expect(reply.errors.length).toBeGreaterThan(0);
      expect(reply.indexDetails.a_1).toEqual({ valid: false });
      expect(reply.extraIndexEntries).toEqual(expect.arrayContaining([expect.objectContaining({ indexName: "a_1", key: [1] })]));
      expect(reply.missingIndexEntries).toEqual(expect.arrayContaining([expect.objectContaining({ indexName: "tags_1", key: ["q"] })]));
    } finally {
      coll.docs.delete(valueKey(100));
      if (removed) coll.docs.set(valueKey(5), removed);
    }
    expect((await vdb().command({ validate: "c" })).valid).toBe(true);
  });

  it("measures every record afresh, so a record changed behind the size counter is reported", async () => {
    const coll = engine.collection("val", "c");
    const doc = coll?.docs.get(valueKey(3));
    if (!doc) throw new Error("document 3 of val.c missing");
    // Corruption no command can cause: a stored record changed in place after it was counted.
    doc.pad = "x".repeat(40);
    try {
      const reply = await vdb().command({ validate: "c" });
      expect(reply.valid).toBe(false);
      expect(reply.errors).toEqual([expect.stringContaining("size counter")]);
    } finally {
      delete doc.pad;
    }
    expect((await vdb().command({ validate: "c" })).valid).toBe(true);
  });

  it("counts documents the validator would now refuse as a warning", async () => {
    await vdb().collection("loose").insertMany([{ n: 1 }, { n: "two" }, { n: 3 }]);
    await vdb().command({ collMod: "loose", validator: { n: { $type: "number" } }, validationLevel: "moderate" });
    const reply = await vdb().command({ validate: "loose" });
    expect(reply).toMatchObject({ valid: true, nNonCompliantDocuments: 1, nrecords: 3 });
    expect(reply.warnings).toHaveLength(1);
  });

  it("refuses missing collections, views and repair with mongod's codes", async () => {
    await expect(vdb().command({ validate: "nope" })).rejects.toMatchObject({ code: 26 });
    await vdb().createCollection("v", { viewOn: "c", pipeline: [] });
    await expect(vdb().command({ validate: "v" })).rejects.toMatchObject({ code: 166 });
    await expect(vdb().command({ validate: "c", repair: true })).rejects.toMatchObject({ code: 72 });
  });
});

describe("renameCollection", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "rename-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("moves documents and indexes, refuses what mongod refuses, and survives a restart", async () => {
    let server = await startEmbeddedMongo({ dataDir: dir });
    let client = await MongoClient.connect(server.uri);
    try {
      const rdb = client.db("ren");
      await rdb.collection("from").insertMany([{ k: 1 }, { k: 2 }]);
      await rdb.collection("from").createIndex({ k: 1 }, { unique: true });
      await rdb.collection("taken").insertOne({ other: true });

      await expect(client.db("admin").command({ renameCollection: "ren.from", to: "ren.taken" })).rejects.toMatchObject({ code: 48, codeName: "NamespaceExists" });
      await expect(client.db("admin").command({ renameCollection: "ren.none", to: "ren.x" })).rejects.toMatchObject({ code: 26, codeName: "NamespaceNotFound" });
      await expect(client.db("admin").command({ renameCollection: "ren.from", to: "ren.from" })).rejects.toMatchObject({ code: 20 });
      await expect(client.db("admin").command({ renameCollection: "ren.from", to: "ren.bad$name" })).rejects.toMatchObject({ code: 73 });
      await expect(rdb.command({ renameCollection: "ren.from", to: "ren.to" })).rejects.toMatchObject({ code: 13 });

      // The driver's Collection.rename runs renameCollection on admin.
      await rdb.collection("from").rename("to");
      const names = (await rdb.listCollections().toArray()).map((c) => c.name).sort();
      expect(names).toEqual(["taken", "to"]);
      expect(await rdb.collection("to").find({}, { projection: { _id: 0 } }).sort({ k: 1 }).toArray()).toEqual([{ k: 1 }, { k: 2 }]);
      expect((await rdb.collection("to").indexes()).map((index) => index.name)).toEqual(["_id_", "k_1"]);
      await expect(rdb.collection("to").insertOne({ k: 1 })).rejects.toMatchObject({ code: 11000 });
      expect(await rdb.collection("from").countDocuments()).toBe(0);

      await rdb.collection("to").rename("taken", { dropTarget: true });
      expect(await rdb.collection("taken").countDocuments({ other: true })).toBe(0);
      expect(await rdb.collection("taken").countDocuments()).toBe(2);
      await client.db("admin").command({ renameCollection: "ren.taken", to: "moved.here" });
    } finally {
      await client.close();
      await server.stop();
    }
    server = await startEmbeddedMongo({ dataDir: dir });
    client = await MongoClient.connect(server.uri);
    try {
      expect((await client.db("ren").listCollections().toArray()).map((c) => c.name)).toEqual([]);
      expect(await client.db("moved").collection("here").countDocuments()).toBe(2);
      expect((await client.db("moved").collection("here").indexes()).map((index) => index.name)).toEqual(["_id_", "k_1"]);
    } finally {
      await client.close();
      await server.stop();
    }
  });
});
