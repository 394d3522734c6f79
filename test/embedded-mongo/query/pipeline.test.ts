import { Decimal128, Double, Long, ObjectId } from "bson";
import { runPipeline } from "../../../src/embedded-mongo/query";

const collections: Record<string, object[]> = {
  orders: [
    { _id: 1, item: "a", qty: 2 },
    { _id: 2, item: "b", qty: 1 },
    { _id: 3, item: "a", qty: 5 },
  ],
  items: [
    { _id: "a", tags: ["x"] },
    { _id: "b", tags: ["y"] },
  ],
};
const env = { resolveCollection: (name: string) => (collections[name] ?? []) as never[] };
const run = (input: object[], pipeline: object[], extra = {}) => runPipeline(input as never[], pipeline as never[], { ...env, ...extra });

describe("runPipeline", () => {
  it("groups by BSON equality across numeric types", () => {
    const out = run([{ k: 1 }, { k: Long.fromNumber(1) }, { k: Decimal128.fromString("1.0") }, { k: 2 }, {}], [
      { $group: { _id: "$k", n: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]);
    expect(out).toEqual([
      { _id: null, n: 1 },
      { _id: 1, n: 3 },
      { _id: 2, n: 1 },
    ]);
  });

  it("accumulates with BSON order and numeric types", () => {
    const docs = [{ v: Long.fromNumber(10) }, { v: Long.fromNumber(9) }, { v: "s" }, { v: null }];
    const [row] = run(docs, [{ $group: { _id: null, min: { $min: "$v" }, max: { $max: "$v" }, set: { $addToSet: "$v" } } }]);
    expect(row.min).toEqual(Long.fromNumber(9));
    expect(row.max).toBe("s");
    expect(row.set).toHaveLength(4);
    const [sum] = run([{ v: Long.fromNumber(2) }, { v: 3 }], [{ $group: { _id: 0, s: { $sum: "$v" }, a: { $avg: "$v" } } }]);
    expect(sum.s).toEqual(Long.fromNumber(5));
    expect(sum.a).toBe(2.5);
  });

  it("sorts mixed types in BSON order", () => {
    const id = new ObjectId();
    const out = run([{ v: true }, { v: id }, { v: "s" }, { v: 1 }, { v: null }, { v: { a: 1 } }, { v: [0] }, { v: new Date(0) }], [{ $sort: { v: 1 } }]);
    // An array sorts by its smallest element, so [0] comes before 1.
    expect(out.map((d) => d.v)).toEqual([null, [0], 1, "s", { a: 1 }, id, true, new Date(0)]);
  });

  it("runs $lookup in both forms", () => {
    const eq = run(collections.orders, [{ $lookup: { from: "items", localField: "item", foreignField: "_id", as: "it" } }, { $project: { n: { $size: "$it" } } }]);
    expect(eq.map((d) => d.n)).toEqual([1, 1, 1]);
    const nested = run([{ _id: 1, item: "a", meta: { x: 1 } }], [{ $lookup: { from: "items", localField: "item", foreignField: "_id", as: "meta.item" } }]);
    expect(nested).toEqual([{ _id: 1, item: "a", meta: { x: 1, item: [{ _id: "a", tags: ["x"] }] } }]);
    const piped = run(collections.items, [
      { $lookup: { from: "orders", let: { id: "$_id" }, pipeline: [{ $match: { $expr: { $eq: ["$item", "$$id"] } } }, { $project: { _id: 1 } }], as: "o" } },
    ]);
    expect(piped.map((d) => d.o)).toEqual([[{ _id: 1 }, { _id: 3 }], [{ _id: 2 }]]);
  });

  it("supports the common stages", () => {
    const orders = collections.orders;
    expect(run(orders, [{ $match: { qty: { $gt: 1 } } }, { $count: "n" }])).toEqual([{ n: 2 }]);
    expect(run(orders, [{ $sortByCount: "$item" }])[0]).toEqual({ _id: "a", count: 2 });
    expect(run([{ a: [1, 2] }], [{ $unwind: "$a" }])).toEqual([{ a: 1 }, { a: 2 }]);
    expect(run(orders, [{ $facet: { total: [{ $count: "n" }], first: [{ $limit: 1 }, { $project: { _id: 1 } }] } }])).toEqual([{ total: [{ n: 3 }], first: [{ _id: 1 }] }]);
    expect(run([{ a: { b: 1 } }], [{ $replaceRoot: { newRoot: "$a" } }])).toEqual([{ b: 1 }]);
    expect(run(orders, [{ $skip: 1 }, { $limit: 1 }, { $unset: "qty" }])).toEqual([{ _id: 2, item: "b" }]);
    const windowed = run(orders, [{ $setWindowFields: { sortBy: { _id: 1 }, output: { running: { $sum: "$qty", window: { documents: ["unbounded", "current"] } } } } }]);
    expect(windowed.map((d) => d.running)).toEqual([2, 3, 8]);
    expect(run(orders, [{ $bucket: { groupBy: "$qty", boundaries: [0, 2, 10], output: { n: { $sum: 1 } } } }])).toEqual([{ _id: 0, n: 1 }, { _id: 2, n: 2 }]);
  });

  it("compares in expressions without type bracketing or array traversal", () => {
    const out = run([{ a: [1, 2] }, { a: 1 }, {}], [{ $project: { _id: 0, eq: { $eq: ["$a", 1] }, isNull: { $eq: ["$a", null] }, gt: { $gt: ["$a", "z"] } } }]);
    expect(out).toEqual([
      { eq: false, isNull: false, gt: true },
      { eq: true, isNull: false, gt: false },
      { eq: false, isNull: false, gt: false },
    ]);
  });

  it("never mutates its input documents", () => {
    const docs = [{ _id: 1, a: { b: 1 } }];
    run(docs, [{ $addFields: { "a.c": 2 } }, { $set: { "a.b": 5 } }]);
    expect(docs).toEqual([{ _id: 1, a: { b: 1 } }]);
  });

  it("applies variables and collation", () => {
    expect(run([{ a: 1 }, { a: 2 }], [{ $match: { $expr: { $eq: ["$a", "$$v"] } } }], { variables: { v: 2 } })).toEqual([{ a: 2 }]);
    expect(run([{ x: "PING" }, { x: "pong" }], [{ $match: { x: "ping" } }], { collation: { locale: "en_US", strength: 2 } })).toEqual([{ x: "PING" }]);
  });

  it("rejects unknown stages and accumulators", () => {
    expect(() => run([], [{ $nope: {} }])).toThrow(expect.objectContaining({ code: 40324 }));
    expect(() => run([], [{ $group: { _id: null, n: { $nope: 1 } } }])).toThrow(expect.objectContaining({ code: 15952 }));
    expect(() => run([], [{ $group: { _id: null, n: 1 } }])).toThrow(expect.objectContaining({ code: 40234 }));
  });

  it("projects like mongod: _id first, kept fields in document order, computed fields after", () => {
    const id = new ObjectId();
    const [out] = run([{ a: 1, _id: id, b: { c: 2, d: 3 } }], [{ $project: { z: "$b.d", "b.c": 1, a: 1, gone: "$$REMOVE" } }]);
    expect(Object.keys(out)).toEqual(["a", "_id", "b", "z"]);
    expect(out).toEqual({ _id: id, a: 1, b: { c: 2 }, z: 3 });
    expect(run([{ _id: 1, arr: [1, 2, 3] }], [{ $project: { _id: 0, s: { $slice: ["$arr", 2] } } }])).toEqual([{ s: [1, 2] }]);
  });

  it("evaluates BSON-typed expressions", () => {
    const id = new ObjectId();
    const [out] = run([{ _id: id, l: Long.fromNumber(5), d: Decimal128.fromString("2.5") }], [
      {
        $project: {
          _id: 0,
          t: [{ $type: "$_id" }, { $type: "$l" }, { $type: "$d" }, { $type: "$missing" }],
          s: { $toString: "$_id" },
          o: { $toObjectId: { $toString: "$_id" } },
          minus: { $subtract: ["$l", 1] },
          half: { $divide: ["$l", 2] },
          sum: { $add: ["$l", "$d"] },
        },
      },
    ]);
    expect(out.t).toEqual(["objectId", "long", "decimal", "missing"]);
    expect(out.s).toBe(id.toHexString());
    expect(out.o).toEqual(id);
    expect(out.minus).toEqual(Long.fromNumber(4));
    expect(out.half).toBe(2.5);
    expect(out.sum.toString()).toBe("7.5");
  });

  it("omits fields whose expression is missing, as mongod does", () => {
    const out = run([{ a: 1 }, { a: 2, b: 5 }], [{ $group: { _id: { b: "$b" }, n: { $sum: 1 } } }, { $project: { _id: 1, n: 1, arr: ["$nope", 1] } }, { $sort: { n: 1 } }]);
    expect(out).toEqual([
      { _id: {}, n: 1, arr: [null, 1] },
      { _id: { b: 5 }, n: 1, arr: [null, 1] },
    ]);
    expect(Object.keys(out[0]._id)).toEqual([]);
  });

  it("never mutates documents read from other collections", () => {
    const stored = { other: [{ _id: 9, a: { b: 1 } }] };
    const resolve = { resolveCollection: (name: string) => (stored[name as "other"] ?? []) as never[] };
    runPipeline([] as never[], [{ $unionWith: "other" }, { $set: { "a.b": 2 } }] as never[], resolve);
    runPipeline([{ _id: 1, k: 9 }] as never[], [{ $lookup: { from: "other", localField: "k", foreignField: "_id", as: "o" } }, { $set: { "o.a.b": 3 } }] as never[], resolve);
    expect(stored.other).toEqual([{ _id: 9, a: { b: 1 } }]);
  });

  it("orders windows, top/bottom and N-accumulators in BSON order", () => {
    const docs = [9, 10, 100, 10].map((n, i) => ({ _id: i + 1, g: i === 2 ? "b" : "a", s: Long.fromNumber(n) }));
    const ranked = run(docs, [{ $setWindowFields: { partitionBy: "$g", sortBy: { s: -1 }, output: { r: { $rank: {} }, d: { $denseRank: {} } } } }, { $project: { s: 0 } }]);
    expect(ranked).toEqual([
      { _id: 2, g: "a", r: 1, d: 1 },
      { _id: 4, g: "a", r: 1, d: 1 },
      { _id: 1, g: "a", r: 3, d: 2 },
      { _id: 3, g: "b", r: 1, d: 1 },
    ]);
    const [row] = run(docs, [
      {
        $group: {
          _id: null,
          top: { $top: { sortBy: { s: -1 }, output: "$_id" } },
          bottom2: { $bottomN: { n: 2, sortBy: { s: -1 }, output: "$_id" } },
          max2: { $maxN: { input: "$s", n: 2 } },
          all: { $push: "$s" },
        },
      },
      { $set: { sorted: { $sortArray: { input: "$all", sortBy: 1 } }, min2: { $minN: { input: [3, null, 1, 2], n: 2 } } } },
    ]);
    expect(row.top).toBe(3);
    expect(row.bottom2).toEqual([4, 1]);
    expect(row.max2).toEqual([Long.fromNumber(100), Long.fromNumber(10)]);
    expect(row.sorted).toEqual([9, 10, 10, 100].map((n) => Long.fromNumber(n)));
    expect(row.min2).toEqual([1, 2]);
  });

  it("evaluates $sum/$avg/$min/$max as expressions", () => {
    const [out] = run([{ a: 2, arr: [1, 2, 3], l: Long.fromNumber(4) }], [
      {
        $project: {
          _id: 0,
          one: { $sum: "$a" },
          arr: { $sum: "$arr" },
          list: { $sum: ["$a", "$l", "$arr"] },
          avg: { $avg: "$arr" },
          max: { $max: ["$a", "$l"] },
          min: { $min: "$arr" },
        },
      },
    ]);
    // $avg is a double in mongod, whole or not.
    expect(out).toEqual({ one: 2, arr: 6, list: Long.fromNumber(6), avg: new Double(2), max: Long.fromNumber(4), min: 1 });
  });

  it("converts with $toDate and $convert", () => {
    const id = ObjectId.createFromTime(1700000000);
    const [out] = run([{ _id: id, s: "12", bad: "x" }], [
      {
        $project: {
          _id: 0,
          created: { $toDate: "$_id" },
          n: { $convert: { input: "$s", to: "int" } },
          l: { $convert: { input: "$s", to: 18 } },
          fallback: { $convert: { input: "$bad", to: "int", onError: -1 } },
          none: { $convert: { input: "$missing", to: "int", onNull: 0 } },
        },
      },
    ]);
    expect(out).toEqual({ created: new Date(1700000000 * 1000), n: 12, l: Long.fromNumber(12), fallback: -1, none: 0 });
  });

  it("adds fields into embedded documents and array elements like mongod", () => {
    expect(run([{ _id: 1, specs: { doors: 4 } }], [{ $addFields: { specs: { fuel: "$_id" } } }])).toEqual([{ _id: 1, specs: { doors: 4, fuel: 1 } }]);
    expect(run([{ _id: 1, a: [{ c: 2 }, 5] }], [{ $set: { "a.b": 1 } }])).toEqual([{ _id: 1, a: [{ c: 2, b: 1 }, { b: 1 }] }]);
    expect(run([{ _id: 1, a: { c: 2 } }], [{ $set: { a: { $literal: { b: 1 } } } }])).toEqual([{ _id: 1, a: { b: 1 } }]);
    expect(run([{ _id: 1, a: 1, b: 2 }], [{ $set: { a: "$$REMOVE", z: { $add: ["$b", 1] } } }])).toEqual([{ _id: 1, b: 2, z: 3 }]);
  });

  it("counts and samples like mongod", () => {
    expect(run([], [{ $count: "n" }])).toEqual([]);
    expect(run([{ a: 1 }, { a: 2 }], [{ $count: "n" }])).toEqual([{ n: 2 }]);
    expect(() => run([], [{ $count: "a.b" }])).toThrow(expect.objectContaining({ code: 40160 }));
    const sampled = run([{ _id: 1 }, { _id: 2 }, { _id: 3 }], [{ $sample: { size: 5 } }]);
    expect(sampled.map((d) => d._id).sort()).toEqual([1, 2, 3]);
    expect(run([{ _id: 1 }, { _id: 2 }, { _id: 3 }], [{ $sample: { size: 2 } }])).toHaveLength(2);
  });

  it("treats numerics of every type as one value in set expressions", () => {
    const [out] = run([{ a: [1, 2, Long.fromNumber(2)], b: [Long.fromNumber(1), 3] }], [
      {
        $project: {
          _id: 0,
          union: { $setUnion: ["$a", "$b"] },
          both: { $setIntersection: ["$a", "$b"] },
          onlyA: { $setDifference: ["$a", "$b"] },
          same: { $setEquals: [[1, 2], [Long.fromNumber(2), 1, 1]] },
          subset: { $setIsSubset: [[1], "$b"] },
          at: { $indexOfArray: ["$a", Long.fromNumber(2)] },
          none: { $setUnion: ["$a", "$missing"] },
        },
      },
    ]);
    expect(out).toEqual({ union: [1, 2, 3], both: [1], onlyA: [2], same: true, subset: true, at: 1, none: null });
  });

  it("treats missing values in accumulators like mongod", () => {
    const [row] = run([{ g: 1 }, { g: 1, a: 2 }], [{ $group: { _id: "$g", first: { $first: "$a" }, pushed: { $push: "$a" }, set: { $addToSet: "$a" }, max: { $max: "$a" } } }]);
    expect(row).toEqual({ _id: 1, first: null, pushed: [2], set: [2], max: 2 });
  });

  it("divides decimals to 34 digits", () => {
    const [out] = run([{ d: Decimal128.fromString("1") }], [{ $project: { _id: 0, third: { $divide: ["$d", 3] }, avg: { $avg: ["$d", 2] } } }]);
    expect(out.third.toString()).toBe("0.3333333333333333333333333333333333");
    expect(out.avg.toString()).toBe("1.5");
  });
});
