import { Long, ObjectId } from "mongodb";
import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();

describe("CRUD through the official driver", () => {
  const coll = () => db.client().db("crud").collection("items");

  beforeEach(async () => {
    await coll().drop().catch(() => undefined);
  });

  it("inserts, finds with filter/sort/projection/skip/limit", async () => {
    const inserted = await coll().insertMany([{ n: 3, tag: "c" }, { n: 1, tag: "a" }, { n: 2, tag: "b" }]);
    expect(inserted.insertedCount).toBe(3);
    const docs = await coll().find({ n: { $gte: 1 } }, { projection: { _id: 0, tag: 1 } }).sort({ n: -1 }).skip(1).limit(1).toArray();
    expect(docs).toEqual([{ tag: "b" }]);
    expect(await coll().findOne({ _id: inserted.insertedIds[1] })).toMatchObject({ n: 1 });
  });

  it("keeps _id first and generates one when missing", async () => {
    await coll().insertOne({ a: 1, _id: "x" } as never);
    const raw = await coll().findOne({ _id: "x" } as never);
    expect(Object.keys(raw!)).toEqual(["_id", "a"]);
  });

  it("updates with multi, upsert, arrayFilters, pipelines and $setOnInsert", async () => {
    await coll().insertMany([{ k: 1, xs: [1, 5, 9] }, { k: 1, xs: [2] }, { k: 2, xs: [] }]);
    const many = await coll().updateMany({ k: 1 }, { $inc: { hits: 1 } });
    expect(many).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    await coll().updateOne({ k: 1, xs: 5 }, { $set: { "xs.$[big]": 0 } }, { arrayFilters: [{ big: { $gt: 4 } }] });
    expect((await coll().findOne({ k: 1, hits: 1, xs: 1 }))!.xs).toEqual([1, 0, 0]);
    const upsert = await coll().updateOne({ k: 3 }, { $set: { a: 1 }, $setOnInsert: { created: true } }, { upsert: true });
    expect(upsert.upsertedCount).toBe(1);
    expect(await coll().findOne({ _id: upsert.upsertedId! })).toMatchObject({ k: 3, a: 1, created: true });
    await coll().updateOne({ k: 2 }, [{ $set: { size: { $size: "$xs" } } }]);
    expect(await coll().findOne({ k: 2 })).toMatchObject({ size: 0 });
    const unchanged = await coll().updateOne({ k: 2 }, { $set: { size: 0 } });
    expect(unchanged).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
  });

  it("replaces, deletes one and many", async () => {
    await coll().insertMany([{ g: 1 }, { g: 1 }, { g: 2 }]);
    const replaced = await coll().replaceOne({ g: 2 }, { g: 20 });
    expect(replaced.modifiedCount).toBe(1);
    expect((await coll().deleteOne({ g: 1 })).deletedCount).toBe(1);
    expect((await coll().deleteMany({})).deletedCount).toBe(2);
  });

  it("findOneAndUpdate / findOneAndReplace / findOneAndDelete", async () => {
    await coll().insertMany([{ q: 1, v: 1 }, { q: 1, v: 2 }]);
    const before = await coll().findOneAndUpdate({ q: 1 }, { $inc: { v: 10 } }, { sort: { v: -1 }, returnDocument: "before" });
    expect(before).toMatchObject({ v: 2 });
    const after = await coll().findOneAndUpdate({ q: 1 }, { $inc: { v: 10 } }, { sort: { v: -1 }, returnDocument: "after", projection: { _id: 0 } });
    expect(after).toEqual({ q: 1, v: 22 });
    const upserted = await coll().findOneAndUpdate({ q: 9 }, { $set: { v: 0 } }, { upsert: true, returnDocument: "after", includeResultMetadata: true });
    expect(upserted.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false });
    expect(upserted.value).toMatchObject({ q: 9, v: 0 });
    expect(await coll().findOneAndReplace({ q: 9 }, { q: 10 })).toMatchObject({ q: 9 });
    expect(await coll().findOneAndDelete({ q: 10 })).toMatchObject({ q: 10 });
    expect(await coll().findOneAndDelete({ q: 10 })).toBeNull();
  });

  it("counts and distinct", async () => {
    await coll().insertMany([{ c: "x", t: [1, 2] }, { c: "y", t: [2, 3] }, { c: "x" }]);
    expect(await coll().countDocuments({ c: "x" })).toBe(2);
    expect(await coll().countDocuments({ c: "x" }, { skip: 1, limit: 5 })).toBe(1);
    expect(await coll().countDocuments({ c: "none" })).toBe(0);
    expect(await coll().aggregate([{ $match: { c: "x" } }, { $group: { _id: "$c", n: { $sum: 1 } } }]).toArray()).toEqual([{ _id: "x", n: 2 }]);
    expect(await coll().estimatedDocumentCount()).toBe(3);
    expect((await coll().distinct("t")).sort()).toEqual([1, 2, 3]);
    expect((await coll().distinct("c", { t: 3 }))).toEqual(["y"]);
  });

  it("iterates cursors that need several getMore batches and kills them", async () => {
    await coll().insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    const cursor = coll().find({}, { batchSize: 7 }).sort({ i: 1 });
    const seen: number[] = [];
    for await (const doc of cursor) seen.push(doc.i);
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => i));
    const single = await db.client().db("crud").command({ find: "items", batchSize: 5, singleBatch: true });
    expect(single.cursor.firstBatch).toHaveLength(5);
    expect(Number(single.cursor.id)).toBe(0);
    const negative = await db.client().db("crud").command({ find: "items", limit: -3 });
    expect(negative.cursor.firstBatch).toHaveLength(3);
    expect(Number(negative.cursor.id)).toBe(0);
    const partial = coll().find({}, { batchSize: 2 });
    await partial.next();
    await partial.close();
    const raw = await db.client().db("crud").command({ find: "items", batchSize: 1 });
    expect(raw.cursor.id).toBeInstanceOf(Long);
    const killed = await db.client().db("crud").command({ killCursors: "items", cursors: [raw.cursor.id] });
    expect(killed.cursorsKilled).toHaveLength(1);
    await expect(db.client().db("crud").command({ getMore: raw.cursor.id, collection: "items" })).rejects.toMatchObject({ code: 43 });
  });

  it("aggregates with $match/$group/$sort and $lookup", async () => {
    const authors = db.client().db("crud").collection("authors");
    await authors.deleteMany({});
    const ada = new ObjectId();
    await authors.insertOne({ _id: ada, name: "Ada" });
    await coll().insertMany([{ author: ada, pages: 10 }, { author: ada, pages: 5 }, { author: new ObjectId(), pages: 1 }]);
    const totals = await coll().aggregate([{ $group: { _id: "$author", pages: { $sum: "$pages" } } }, { $sort: { pages: -1 } }]).toArray();
    expect(totals.map((t) => t.pages)).toEqual([15, 1]);
    const joined = await coll()
      .aggregate([{ $match: { author: ada } }, { $lookup: { from: "authors", localField: "author", foreignField: "_id", as: "who" } }, { $limit: 1 }])
      .toArray();
    expect(joined[0].who).toEqual([{ _id: ada, name: "Ada" }]);
  });
});
