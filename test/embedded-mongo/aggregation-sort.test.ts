import { Binary, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp } from "mongodb";
import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();
const agg = () => db.client().db("agg");

describe("sort order across BSON types", () => {
  it("follows MongoDB's type order and numeric comparison across number types", async () => {
    const coll = agg().collection("mixed");
    const oid = new ObjectId("000000000000000000000001");
    const values: Array<[string, unknown]> = [
      ["maxKey", new MaxKey()],
      ["regex", /a/],
      ["timestamp", new Timestamp({ t: 1, i: 1 })],
      ["date", new Date(0)],
      ["true", true],
      ["false", false],
      ["oid", oid],
      ["binary", new Binary(Buffer.from([1]))],
      ["array", [0.5]],
      ["object", { a: 1 }],
      ["string", "abc"],
      ["long", Long.fromNumber(3)],
      ["decimal", Decimal128.fromString("2.5")],
      ["double", new Double(1.5)],
      ["int", new Int32(1)],
      ["null", null],
      ["missing", undefined],
      ["minKey", new MinKey()],
    ];
    await coll.insertMany(values.map(([name, v]) => (v === undefined ? { name } : { name, v })));
    const ascending = (await coll.find({}, { projection: { _id: 0, name: 1 } }).sort({ v: 1, name: 1 }).toArray()).map((d) => d.name);
    expect(ascending).toEqual([
      "minKey", "missing", "null", "array", "int", "double", "decimal", "long", "string", "object",
      "binary", "oid", "false", "true", "date", "timestamp", "regex", "maxKey",
    ]);
    const numbers = await coll.find({ v: { $gt: 1, $lt: 3 } }, { projection: { _id: 0, name: 1 } }).sort({ v: -1 }).toArray();
    expect(numbers.map((d) => d.name)).toEqual(["decimal", "double"]);
    const stored = await coll.findOne({ name: "long" });
    expect(stored!.v).toBe(3);
    const raw = await agg().command({ find: "mixed", filter: { name: "long" } }, { promoteLongs: false } as never);
    expect(raw.cursor.firstBatch[0].v).toBeInstanceOf(Long);
  });
});

describe("sort with limit", () => {
  it("returns the same documents, ties in natural order, as a full sort", async () => {
    const coll = agg().collection("ranked");
    await coll.insertMany(Array.from({ length: 3000 }, (_, i) => ({ _id: i, score: (i * 7919) % 97 })) as never);
    const full = await coll.find().sort({ score: -1 }).toArray();
    const top = await coll.find().sort({ score: -1 }).skip(5).limit(20).toArray();
    expect(top).toEqual(full.slice(5, 25));
    const tied = full.filter((doc) => doc.score === full[0].score).map((doc) => doc._id);
    expect(tied).toEqual([...tied].sort((a, b) => Number(a) - Number(b)));
  });
});

describe("aggregation stages", () => {
  beforeAll(async () => {
    await agg().collection("sales").insertMany([
      { _id: 1, item: "a", qty: 2, price: 10, tags: ["x", "y"], day: 1 },
      { _id: 2, item: "b", qty: 1, price: 20, tags: ["y"], day: 1 },
      { _id: 3, item: "a", qty: 5, price: 10, tags: [], day: 2 },
      { _id: 4, item: "c", qty: 1, price: 5, tags: ["x"], day: 3 },
    ] as never);
    await agg().collection("items").insertMany([
      { _id: "a", label: "Apple" },
      { _id: "b", label: "Banana" },
    ] as never);
  });
  const sales = () => agg().collection("sales");

  it("runs $match $project $addFields $set $unset $group $sort $limit $skip $count $unwind", async () => {
    const out = await sales()
      .aggregate([
        { $match: { qty: { $gte: 1 } } },
        { $addFields: { total: { $multiply: ["$qty", "$price"] } } },
        { $set: { big: { $gt: ["$total", 15] } } },
        { $unset: "tags" },
        { $group: { _id: "$item", total: { $sum: "$total" }, n: { $sum: 1 } } },
        { $sort: { total: -1 } },
        { $skip: 1 },
        { $limit: 1 },
        { $project: { _id: 0, item: "$_id", total: 1 } },
      ])
      .toArray();
    expect(out).toEqual([{ total: 20, item: "b" }]);
    expect(await sales().aggregate([{ $unwind: "$tags" }, { $count: "n" }]).toArray()).toEqual([{ n: 4 }]);
  });

  it("runs both $lookup forms, $facet, $replaceRoot, $sortByCount and $setWindowFields", async () => {
    const simple = await sales().aggregate([{ $match: { _id: 2 } }, { $lookup: { from: "items", localField: "item", foreignField: "_id", as: "info" } }]).toArray();
    expect(simple[0].info).toEqual([{ _id: "b", label: "Banana" }]);
    const piped = await sales()
      .aggregate([
        { $match: { _id: 1 } },
        { $lookup: { from: "items", let: { it: "$item" }, pipeline: [{ $match: { $expr: { $eq: ["$_id", "$$it"] } } }, { $project: { _id: 0, label: 1 } }], as: "info" } },
      ])
      .toArray();
    expect(piped[0].info).toEqual([{ label: "Apple" }]);
    const [facets] = await sales().aggregate([{ $facet: { count: [{ $count: "n" }], items: [{ $sortByCount: "$item" }, { $limit: 1 }] } }]).toArray();
    expect(facets).toEqual({ count: [{ n: 4 }], items: [{ _id: "a", count: 2 }] });
    const roots = await sales().aggregate([{ $match: { _id: 4 } }, { $replaceRoot: { newRoot: { name: "$item" } } }]).toArray();
    expect(roots).toEqual([{ name: "c" }]);
    const windows = await sales()
      .aggregate([{ $setWindowFields: { sortBy: { _id: 1 }, output: { running: { $sum: "$qty", window: { documents: ["unbounded", "current"] } } } } }, { $project: { running: 1 } }])
      .toArray();
    expect(windows.map((d) => d.running)).toEqual([2, 3, 8, 9]);
  });

  it("writes results with $out and $merge, and pages aggregate cursors", async () => {
    await sales().aggregate([{ $group: { _id: "$item", qty: { $sum: "$qty" } } }, { $out: "totals" }]).toArray();
    expect(await agg().collection("totals").find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: "a", qty: 7 },
      { _id: "b", qty: 1 },
      { _id: "c", qty: 1 },
    ]);
    await sales().aggregate([{ $match: { item: "a" } }, { $project: { _id: "$item", extra: "$day" } }, { $merge: { into: "totals", whenMatched: "merge" } }]).toArray();
    expect(await agg().collection("totals").findOne({ _id: "a" } as never)).toMatchObject({ qty: 7, extra: 2 });
    const seen = await sales().aggregate([{ $sort: { _id: 1 } }], { batchSize: 1 }).toArray();
    expect(seen.map((d) => d._id)).toEqual([1, 2, 3, 4]);
  });
});
