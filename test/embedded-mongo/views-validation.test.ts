import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();
const vdb = () => db.client().db("views");

describe("views", () => {
  beforeAll(async () => {
    await vdb().collection("people").insertMany([
      { _id: 1, name: "ann", age: 31 },
      { _id: 2, name: "bob", age: 17 },
      { _id: 3, name: "cy", age: 45 },
    ] as never);
    await vdb().createCollection("adults", { viewOn: "people", pipeline: [{ $match: { age: { $gte: 18 } } }, { $project: { age: 0 } }] });
  });

  it("lists the view and reads through its pipeline with find, count, distinct and aggregate", async () => {
    const [info] = await vdb().listCollections({ name: "adults" }).toArray();
    expect(info).toMatchObject({ type: "view", options: { viewOn: "people" } });
    const adults = vdb().collection("adults");
    expect(await adults.find({}, { sort: { name: -1 } }).toArray()).toEqual([{ _id: 3, name: "cy" }, { _id: 1, name: "ann" }]);
    expect(await adults.estimatedDocumentCount()).toBe(2);
    expect(await adults.countDocuments({ name: "ann" })).toBe(1);
    expect(await adults.distinct("name")).toEqual(["ann", "cy"]);
    expect(await adults.aggregate([{ $count: "n" }]).toArray()).toEqual([{ n: 2 }]);
  });

  it("refuses writes to a view", async () => {
    await expect(vdb().collection("adults").insertOne({ name: "x" })).rejects.toMatchObject({ code: 166 });
    await expect(vdb().collection("adults").deleteMany({})).rejects.toMatchObject({ code: 166 });
  });
});

describe("collection validators", () => {
  it("rejects invalid documents with errInfo, honours bypass, collMod and validationAction", async () => {
    await vdb().createCollection("checked", { validator: { qty: { $type: "number" } } });
    const checked = vdb().collection("checked");
    await checked.insertOne({ _id: 1, qty: 2 } as never);
    await expect(checked.insertOne({ qty: "two" })).rejects.toMatchObject({ code: 121, errInfo: { failingDocumentId: expect.anything(), details: expect.any(Object) } });
    await expect(checked.updateOne({ _id: 1 } as never, { $set: { qty: "x" } })).rejects.toMatchObject({ code: 121 });
    await checked.insertOne({ qty: "bypassed" }, { bypassDocumentValidation: true });
    await vdb().command({ collMod: "checked", validationAction: "warn" });
    await checked.insertOne({ qty: "warned" });
    expect(await checked.countDocuments()).toBe(3);
  });

  it("changes a TTL index through collMod", async () => {
    const coll = vdb().collection("ttl");
    await coll.createIndex({ at: 1 }, { expireAfterSeconds: 3600 });
    const reply = await vdb().command({ collMod: "ttl", index: { keyPattern: { at: 1 }, expireAfterSeconds: 60 } });
    expect(reply).toMatchObject({ expireAfterSeconds_old: 3600, expireAfterSeconds_new: 60 });
    expect((await coll.listIndexes().toArray())[1]).toMatchObject({ expireAfterSeconds: 60 });
  });
});

describe("let variables and sessions", () => {
  it("evaluates let as expressions in find, update and aggregate", async () => {
    const coll = vdb().collection("lets");
    await coll.insertMany([{ _id: 1, name: "a" }, { _id: 2, name: "b" }] as never);
    const found = await coll.find({ $expr: { $eq: ["$name", "$$who"] } }, { let: { who: { $concat: ["a", ""] } } }).toArray();
    expect(found).toEqual([{ _id: 1, name: "a" }]);
    await coll.updateMany({}, [{ $set: { tag: "$$tag" } }], { let: { tag: { $literal: "$raw" } } });
    expect(await coll.findOne({ _id: 2 } as never)).toEqual({ _id: 2, name: "b", tag: "$raw" });
  });

  it("lists sessions used by the client with $listLocalSessions", async () => {
    const session = db.client().startSession();
    await vdb().collection("lets").findOne({}, { session });
    const sessions = await db.client().db("admin").aggregate([{ $listLocalSessions: {} }]).toArray();
    expect(sessions.some((s) => s._id.id.toString("hex") === session.id!.id.toString("hex"))).toBe(true);
    await session.endSession();
  });
});
