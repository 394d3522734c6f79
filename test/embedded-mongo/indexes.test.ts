import { MongoBulkWriteError, MongoServerError } from "mongodb";
import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();
const idx = () => db.client().db("idx");

describe("indexes", () => {
  it("creates, lists and drops indexes with options", async () => {
    const coll = idx().collection("specs");
    await coll.createIndex({ a: 1 }, { unique: true, name: "a_unique" });
    await coll.createIndex({ b: 1, c: -1 }, { sparse: true });
    await coll.createIndex({ d: 1 }, { partialFilterExpression: { d: { $gt: 0 } } });
    await coll.createIndex({ a: 1 }, { unique: true, name: "a_unique" });
    const listed = await coll.listIndexes().toArray();
    expect(listed).toEqual([
      { v: 2, key: { _id: 1 }, name: "_id_" },
      { v: 2, key: { a: 1 }, name: "a_unique", unique: true },
      { v: 2, key: { b: 1, c: -1 }, name: "b_1_c_-1", sparse: true },
      { v: 2, key: { d: 1 }, name: "d_1", partialFilterExpression: { d: { $gt: 0 } } },
    ]);
    await expect(coll.createIndex({ z: 1 }, { name: "a_unique" })).rejects.toMatchObject({ code: 86 });
    await expect(coll.createIndex({ a: 1 }, { name: "a_unique", sparse: true, unique: true })).rejects.toMatchObject({ code: 85 });
    await coll.dropIndex("d_1");
    await expect(coll.dropIndex("d_1")).rejects.toMatchObject({ code: 27, codeName: "IndexNotFound" });
    await expect(coll.dropIndex("_id_")).rejects.toMatchObject({ code: 72 });
    await coll.dropIndexes();
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(["_id_"]);
    await expect(idx().collection("missing").listIndexes().toArray()).rejects.toMatchObject({ codeName: "NamespaceNotFound" });
  });

  it("raises DuplicateKey exactly like mongod on insert, update, upsert and findAndModify", async () => {
    const coll = idx().collection("users");
    await coll.createIndex({ email: 1 }, { unique: true });
    await coll.insertOne({ _id: 1, email: "a@x" } as never);
    const insertError = await coll.insertOne({ email: "a@x" }).catch((error) => error);
    expect(insertError).toBeInstanceOf(MongoServerError);
    expect(insertError).toMatchObject({
      code: 11000,
      keyPattern: { email: 1 },
      keyValue: { email: "a@x" },
      message: 'E11000 duplicate key error collection: idx.users index: email_1 dup key: { email: "a@x" }',
    });
    await expect(coll.insertOne({ _id: 1 } as never)).rejects.toMatchObject({ code: 11000, keyPattern: { _id: 1 }, keyValue: { _id: 1 } });
    await coll.insertOne({ _id: 2, email: "b@x" } as never);
    await expect(coll.updateOne({ _id: 2 } as never, { $set: { email: "a@x" } })).rejects.toMatchObject({ code: 11000 });
    await expect(coll.updateOne({ email: "zz" }, { $set: { email: "b@x" } }, { upsert: true })).rejects.toMatchObject({ code: 11000 });
    await expect(coll.findOneAndUpdate({ _id: 2 } as never, { $set: { email: "a@x" } })).rejects.toMatchObject({ code: 11000, codeName: "DuplicateKey", keyValue: { email: "a@x" } });
    expect(await coll.findOne({ _id: 2 } as never)).toEqual({ _id: 2, email: "b@x" });
  });

  it("reports ordered and unordered batch failures in writeErrors", async () => {
    const coll = idx().collection("batches");
    await coll.createIndex({ k: 1 }, { unique: true });
    const ordered = (await coll.insertMany([{ k: 1 }, { k: 1 }, { k: 2 }]).catch((error) => error)) as MongoBulkWriteError;
    expect(ordered).toBeInstanceOf(MongoBulkWriteError);
    expect(ordered.insertedCount).toBe(1);
    expect(ordered.writeErrors).toMatchObject([{ index: 1, code: 11000 }]);
    const unordered = (await coll.insertMany([{ k: 3 }, { k: 1 }, { k: 4 }, { k: 3 }], { ordered: false }).catch((error) => error)) as MongoBulkWriteError;
    expect(unordered.insertedCount).toBe(2);
    expect((unordered.writeErrors as unknown as Array<{ index: number }>).map((e) => e.index)).toEqual([1, 3]);
    expect(await coll.countDocuments()).toBe(3);
  });

  it("keeps the documents a multi-update changed before it hit a duplicate", async () => {
    const coll = idx().collection("multi");
    await coll.createIndex({ u: 1 }, { unique: true });
    await coll.insertMany([{ _id: 1, k: 1, u: 1 }, { _id: 2, k: 1, u: 2 }] as never);
    const reply = await idx().command({ update: "multi", updates: [{ q: { k: 1 }, u: { $set: { u: 5 } }, multi: true }] });
    expect(reply).toMatchObject({ n: 1, nModified: 1, writeErrors: [{ index: 0, code: 11000 }] });
    expect(await coll.find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 1, k: 1, u: 5 }, { _id: 2, k: 1, u: 2 }]);
  });

  it("honours sparse, partial and compound unique indexes", async () => {
    const coll = idx().collection("kinds");
    await coll.createIndex({ s: 1 }, { unique: true, sparse: true });
    await coll.insertMany([{ n: 1 }, { n: 2 }]);
    await coll.createIndex({ p: 1 }, { unique: true, partialFilterExpression: { active: true } });
    await coll.insertMany([{ p: 1, active: false }, { p: 1, active: false }, { p: 1, active: true }]);
    await expect(coll.insertOne({ p: 1, active: true })).rejects.toMatchObject({ code: 11000 });
    const compound = idx().collection("compound");
    await compound.createIndex({ u: 1, c: 1 }, { unique: true });
    await compound.insertMany([{ u: 1, c: 1 }, { u: 1, c: 2 }]);
    await expect(compound.insertOne({ u: 1, c: 2 })).rejects.toMatchObject({ code: 11000, keyValue: { u: 1, c: 2 } });
    const dupData = idx().collection("dupdata");
    await dupData.insertMany([{ x: 1 }, { x: 1 }]);
    await expect(dupData.createIndex({ x: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
    expect((await dupData.listIndexes().toArray()).map((i) => i.name)).toEqual(["_id_"]);
  });

  it("answers equality on _id and indexed fields from the index", async () => {
    const coll = idx().collection("lookups");
    await coll.insertMany(Array.from({ length: 1000 }, (_, i) => ({ _id: i, email: `u${i}`, group: i % 10 })) as never);
    await coll.createIndex({ email: 1 }, { unique: true });
    const byEmail = await coll.find({ email: "u500" }).explain("executionStats");
    expect(byEmail.executionStats).toMatchObject({ nReturned: 1, totalDocsExamined: 1 });
    const byId = await coll.find({ _id: { $in: [1, 2, 3] } } as never).explain("executionStats");
    expect(byId.executionStats).toMatchObject({ nReturned: 3, totalDocsExamined: 3 });
    const scan = await coll.find({ group: 3 }).explain("executionStats");
    expect(scan.executionStats).toMatchObject({ nReturned: 100, totalDocsExamined: 1000 });
    expect(await coll.findOne({ email: "u500", group: 1 })).toBeNull();
    expect(await coll.findOne({ email: "u501", group: 1 })).toMatchObject({ _id: 501 });
    await expect(coll.find({ email: "u1" }).hint("nope_1").toArray()).rejects.toMatchObject({ code: 2 });
    expect(await coll.find({ email: "u1" }).hint({ email: 1 }).toArray()).toHaveLength(1);
  });

  it("expires documents through TTL indexes in the background", async () => {
    const coll = idx().collection("sessions");
    await coll.createIndex({ at: 1 }, { expireAfterSeconds: 1 });
    await coll.insertMany([{ at: new Date(Date.now() - 60_000) }, { at: new Date(Date.now() + 60_000) }, { at: "not a date" }, { at: [new Date(Date.now() + 60_000), new Date(0)] }]);
    const partial = idx().collection("partialTtl");
    await partial.createIndex({ at: 1 }, { expireAfterSeconds: 0, partialFilterExpression: { temporary: true } });
    await partial.insertMany([{ at: new Date(0), temporary: true }, { at: new Date(0), temporary: false }]);
    const descending = idx().collection("descendingTtl");
    await descending.createIndex({ at: -1 }, { expireAfterSeconds: 0 });
    await descending.insertMany([{ at: new Date(1000) }, { at: new Date(Date.now() + 60_000), kept: true }, { at: 5 }, { at: new Date(2000) }]);
    const deadline = Date.now() + 5000;
    const settled = async () => (await coll.countDocuments()) === 2 && (await partial.countDocuments()) === 1 && (await descending.countDocuments()) === 2;
    while (!(await settled()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await coll.countDocuments()).toBe(2);
    expect(await partial.find({}, { projection: { _id: 0, temporary: 1 } }).toArray()).toEqual([{ temporary: false }]);
    expect(await descending.find({}, { projection: { _id: 0, at: 1, kept: 1 } }).sort({ at: 1 }).toArray()).toEqual([{ at: 5 }, { at: expect.any(Date), kept: true }]);
  });
});
