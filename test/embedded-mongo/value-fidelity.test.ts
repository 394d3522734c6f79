import { BSON, Double, Int32, MongoClient, type Document } from "mongodb";
import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();

describe("whole-number doubles keep their BSON type", () => {
  let raw: MongoClient;
  const coll = () => raw.db("fidelity").collection("numbers");
  const count = async (filter: object) => Number(await coll().countDocuments(filter));

  beforeAll(async () => {
    // promoteValues: false shows the BSON type of every number the server sends back.
    raw = await MongoClient.connect(db.server().uri, { promoteValues: false });
  });
  afterAll(async () => raw.close());
  beforeEach(async () => {
    await coll().drop().catch(() => undefined);
  });

  it("stores Double(10) as a double and Int32(10) as an int", async () => {
    await coll().insertOne({ _id: 1, d: new Double(10), i: new Int32(10), f: 2.5, neg: new Double(-0) } as never);
    const doc = await coll().findOne({ _id: 1 } as never);
    expect(doc!.d).toBeInstanceOf(Double);
    expect(doc!.d.value).toBe(10);
    expect(doc!.i).toBeInstanceOf(Int32);
    expect(doc!.neg).toBeInstanceOf(Double);
    expect(await count({ d: { $type: "double" } })).toBe(1);
    expect(await count({ i: { $type: "double" } })).toBe(0);
    expect(await count({ d: { $type: "int" } })).toBe(0);
    expect(await count({ d: 10, i: 10.0 })).toBe(1);
    const [types] = await coll().aggregate([{ $project: { d: { $type: "$d" }, i: { $type: "$i" } } }]).toArray();
    expect(types).toEqual({ _id: new Int32(1), d: "double", i: "int" });
  });

  it("keeps doubles through updates and arithmetic, and a type change is a modification", async () => {
    await coll().insertOne({ _id: 1, d: new Double(10), i: new Int32(10) } as never);
    await coll().updateOne({ _id: 1 } as never, { $inc: { d: new Int32(1), i: new Double(1) } });
    const doc = await coll().findOne({ _id: 1 } as never);
    expect(doc!.d).toBeInstanceOf(Double);
    expect(doc!.d.value).toBe(11);
    expect(doc!.i).toBeInstanceOf(Double);
    const same = await coll().updateOne({ _id: 1 } as never, { $set: { d: new Double(11) } });
    expect(Number(same.modifiedCount)).toBe(0);
    const retyped = await coll().updateOne({ _id: 1 } as never, { $set: { d: new Int32(11) } });
    expect(Number(retyped.modifiedCount)).toBe(1);
    expect((await coll().findOne({ _id: 1 } as never))!.d).toBeInstanceOf(Int32);
    const [sum] = await coll().aggregate([{ $project: { s: { $add: ["$i", 1] }, q: { $divide: [10, 5] } } }]).toArray();
    expect(sum.s).toBeInstanceOf(Double);
    expect(sum.q).toBeInstanceOf(Double);
  });

  it("a bsonType double validator accepts Double(10) and refuses an int", async () => {
    await raw.db("fidelity").createCollection("numbers", { validator: { $jsonSchema: { properties: { price: { bsonType: "double" } } } } });
    await coll().insertOne({ price: new Double(10) });
    await expect(db.client().db("fidelity").collection("numbers").insertOne({ price: new Int32(10) })).rejects.toMatchObject({ code: 121 });
    expect(await count({ price: { $type: "double" } })).toBe(1);
  });

  it("survives a restart of a durable data directory", async () => {
    const { mkdtemp, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { startEmbeddedMongo } = await import("../../src/embedded-mongo");
    const dir = await mkdtemp(join(tmpdir(), "fidelity-"));
    try {
      let server = await startEmbeddedMongo({ dataDir: dir });
      let client = await MongoClient.connect(server.uri, { promoteValues: false });
      await client.db("d").collection("c").insertOne({ _id: 1, d: new Double(3) } as never);
      await client.close();
      await server.stop();
      server = await startEmbeddedMongo({ dataDir: dir });
      client = await MongoClient.connect(server.uri, { promoteValues: false });
      expect((await client.db("d").collection("c").findOne({}))!.d).toBeInstanceOf(Double);
      await client.close();
      await server.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("pipeline stages that used to crash", () => {
  const coll = () => db.client().db("fidelity").collection("stages");

  beforeEach(async () => {
    await coll().drop().catch(() => undefined);
    await coll().insertMany([{ _id: 1, a: 1, b: { c: 2, d: 3 }, level: "public" }, { _id: 2, a: 2, b: { c: 4 }, level: "secret" }] as never);
  });

  it("a pipeline update with $unset (a string or a list of paths)", async () => {
    await coll().updateOne({ _id: 1 } as never, [{ $unset: "a" }]);
    await coll().updateOne({ _id: 1 } as never, [{ $unset: ["b.c", "level"] }]);
    expect(await coll().findOne({ _id: 1 } as never)).toEqual({ _id: 1, b: { d: 3 } });
    await expect(coll().updateOne({ _id: 2 } as never, [{ $unset: 3 } as never])).rejects.toMatchObject({ code: 31002 });
    expect(await coll().aggregate([{ $unset: ["b", "level"] }, { $sort: { _id: 1 } }]).toArray()).toEqual([{ _id: 1 }, { _id: 2, a: 2 }]);
  });

  it("$redact with $$KEEP and $$PRUNE at the top level", async () => {
    const kept = await coll().aggregate([{ $redact: { $cond: [{ $eq: ["$level", "public"] }, "$$KEEP", "$$PRUNE"] } }]).toArray();
    expect(kept).toEqual([{ _id: 1, a: 1, b: { c: 2, d: 3 }, level: "public" }]);
    expect(await coll().aggregate([{ $redact: "$$KEEP" }]).toArray()).toHaveLength(2);
    expect(await coll().aggregate([{ $redact: "$$PRUNE" }]).toArray()).toEqual([]);
    const descended = await coll().aggregate([{ $sort: { _id: 1 } }, { $redact: { $cond: [{ $eq: ["$c", 4] }, "$$PRUNE", "$$DESCEND"] } }]).toArray();
    expect(descended).toEqual([{ _id: 1, a: 1, b: { c: 2, d: 3 }, level: "public" }, { _id: 2, a: 2, level: "secret" }]);
  });
});

describe("collations a collection or an index declares", () => {
  const database = () => db.client().db("collated");

  beforeEach(async () => {
    await database().dropDatabase();
  });

  it("a collection's default collation applies to find, sort, count, distinct, update, delete and aggregate", async () => {
    await database().createCollection("users", { collation: { locale: "en_US", strength: 1 } });
    const users = database().collection("users");
    await users.insertMany([{ name: "alpha" }, { name: "Zeta" }, { name: "ALPHA" }, { name: "bèta" }]);
    expect((await users.find({}).sort({ name: 1, _id: 1 }).toArray()).map((u) => u.name)).toEqual(["alpha", "ALPHA", "bèta", "Zeta"]);
    expect(await users.countDocuments({ name: "Alpha" })).toBe(2);
    expect(await users.find({ name: "beta" }).project({ _id: 0 }).toArray()).toEqual([{ name: "bèta" }]);
    expect(await users.distinct("name", { name: { $in: ["ALPHA", "zeta"] } })).toHaveLength(2);
    expect(await users.aggregate([{ $match: { name: "zeta" } }, { $project: { _id: 0 } }]).toArray()).toEqual([{ name: "Zeta" }]);
    expect((await users.updateMany({ name: "alpha" }, { $set: { seen: true } })).modifiedCount).toBe(2);
    // A collation given with the command wins over the collection's.
    expect(await users.countDocuments({ name: "alpha" }, { collation: { locale: "simple" } })).toBe(1);
    expect((await users.deleteMany({ name: "ZETA" })).deletedCount).toBe(1);
  });

  it("a unique index with a case-insensitive collation refuses a value differing only in case", async () => {
    const users = database().collection("accounts");
    await users.createIndex({ email: 1 }, { unique: true, collation: { locale: "en", strength: 2 } });
    await users.insertOne({ email: "Abc@example.com" });
    await expect(users.insertOne({ email: "abc@EXAMPLE.com" })).rejects.toMatchObject({ code: 11000 });
    await users.insertOne({ email: "abd@example.com" });
    expect(await users.find({ email: "abc@example.com" }).toArray()).toEqual([]);
    expect(await users.countDocuments({ email: "abc@example.com" }, { collation: { locale: "en", strength: 2 } })).toBe(1);
  });

  it("an index created on a collection with a default collation takes that collation", async () => {
    await database().createCollection("handles", { collation: { locale: "fr", strength: 1 } });
    const handles = database().collection("handles");
    await handles.createIndex({ handle: 1 }, { unique: true });
    const [, index] = await handles.listIndexes().toArray();
    expect(index.collation).toMatchObject({ locale: "fr", strength: 1 });
    await handles.insertOne({ handle: "élan" });
    await expect(handles.insertOne({ handle: "ELAN" })).rejects.toMatchObject({ code: 11000 });
  });
});

describe("reply batches stay under 16 MiB", () => {
  it("a getMore over 20 MB of documents comes back in batches mongod's reply limit allows", async () => {
    const coll = db.client().db("fidelity").collection("batches");
    const total = 20_000;
    const pad = "x".repeat(980);
    for (let start = 0; start < total; start += 5_000) {
      await coll.insertMany(Array.from({ length: 5_000 }, (_, i) => ({ _id: start + i, pad })) as never);
    }
    const replySizes: number[] = [];
    const client = await MongoClient.connect(db.server().uri, { monitorCommands: true });
    client.on("commandSucceeded", (event) => {
      if (event.commandName === "getMore") replySizes.push(BSON.calculateObjectSize(event.reply as Document));
    });
    try {
      const docs = await client.db("fidelity").collection("batches").find({}).toArray();
      expect(docs).toHaveLength(total);
      expect(replySizes.length).toBeGreaterThan(1);
      // mongod's largest reply: a 16 MiB document plus 16 KiB of command envelope.
      for (const size of replySizes) expect(size).toBeLessThanOrEqual(16 * 1024 * 1024 + 16 * 1024);
    } finally {
      await client.close();
      await coll.drop();
    }
  });
});
