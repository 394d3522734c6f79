import { Decimal128, Double, Int32, Long, type Document } from "mongodb";
import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();
const planner = () => db.client().db("planner");

/** The index scan of an explain's winning plan, wherever it sits in the stage tree. */
function indexScan(stage: Document | undefined): Document | undefined {
  if (!stage) return undefined;
  if (stage.stage === "IXSCAN") return stage;
  return indexScan(stage.inputStage);
}

function stages(stage: Document | undefined): string[] {
  return stage ? [stage.stage, ...stages(stage.inputStage)] : [];
}

describe("query planner", () => {
  const events = () => planner().collection("events");

  beforeAll(async () => {
    const docs = Array.from({ length: 2000 }, (_, i) => ({
      _id: i,
      at: new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % 2000) * 60_000),
      score: (i * 104_729) % 2000,
      kind: `k${i % 20}`,
    }));
    await events().insertMany(docs as never);
    await events().createIndex({ at: -1 });
    await events().createIndex({ score: 1 });
    await events().createIndex({ kind: 1, at: -1 });
  });

  it("serves the newest documents by walking the sort index and stopping at the limit", async () => {
    const newest = events().find({}).sort({ at: -1 }).limit(20);
    const explain = await newest.explain("executionStats");
    expect(indexScan(explain.queryPlanner.winningPlan)).toMatchObject({ indexName: "at_-1", direction: "forward" });
    expect(stages(explain.queryPlanner.winningPlan)).not.toContain("SORT");
    expect(explain.executionStats).toMatchObject({ nReturned: 20, totalDocsExamined: 20 });
    const docs = await events().find({}).sort({ at: -1 }).limit(20).toArray();
    expect(docs.map((doc) => doc.at.getTime())).toEqual([...docs.map((doc) => doc.at.getTime())].sort((a, b) => b - a));
    expect(docs[0].at).toEqual(new Date(Date.UTC(2026, 0, 1) + 1999 * 60_000));

    const oldest = await events().find({}).sort({ at: 1 }).limit(5).explain("executionStats");
    expect(indexScan(oldest.queryPlanner.winningPlan)).toMatchObject({ indexName: "at_-1", direction: "backward" });
    expect(oldest.executionStats).toMatchObject({ nReturned: 5, totalDocsExamined: 5 });
  });

  it("answers ranges and $in from the index with mongod's bounds", async () => {
    const range = await events().find({ score: { $gte: 100, $lt: 150 } }).explain("executionStats");
    expect(range.executionStats).toMatchObject({ nReturned: 50, totalKeysExamined: 50, totalDocsExamined: 50 });
    expect(indexScan(range.queryPlanner.winningPlan)?.indexBounds).toEqual({ score: ["[100, 150)"] });
    const open = await events().find({ score: { $gt: 1995 } }).explain("executionStats");
    expect(indexScan(open.queryPlanner.winningPlan)?.indexBounds).toEqual({ score: ["(1995, inf.0]"] });
    expect(open.executionStats).toMatchObject({ nReturned: 4, totalDocsExamined: 4 });
    const listed = await events().find({ score: { $in: [5, 3, 7, 3] } }).toArray();
    expect(listed.map((doc) => doc.score)).toEqual([3, 5, 7]);
    const inExplain = await events().find({ score: { $in: [5, 3, 7] } }).explain("executionStats");
    expect(inExplain.executionStats).toMatchObject({ nReturned: 3, totalKeysExamined: 3, totalDocsExamined: 3 });
  });

  it("uses the prefix of a compound index for equality and its next field for the sort", async () => {
    const query = events().find({ kind: "k7" }).sort({ at: -1 }).limit(10);
    const explain = await query.explain("executionStats");
    expect(indexScan(explain.queryPlanner.winningPlan)).toMatchObject({ indexName: "kind_1_at_-1" });
    expect(explain.executionStats).toMatchObject({ nReturned: 10, totalDocsExamined: 10 });
    const docs = await events().find({ kind: "k7" }).sort({ at: -1 }).limit(10).toArray();
    const all = (await events().find({ kind: "k7" }).hint({ $natural: 1 }).toArray()).sort((a, b) => b.at - a.at).slice(0, 10);
    expect(docs).toEqual(all);
    const ascending = await events().find({ kind: "k7", at: { $lt: new Date(Date.UTC(2026, 0, 1) + 100 * 60_000) } }).sort({ at: 1 }).explain("executionStats");
    expect(indexScan(ascending.queryPlanner.winningPlan)).toMatchObject({ indexName: "kind_1_at_-1", direction: "backward" });
    expect(ascending.executionStats.totalDocsExamined).toBe(ascending.executionStats.nReturned);
  });

  it("answers _id lookups covered by the _id index without reading documents", async () => {
    const covered = await events().find({ _id: { $gte: 10, $lt: 20 } } as never, { projection: { _id: 1 } }).explain("executionStats");
    expect(stages(covered.queryPlanner.winningPlan)).toEqual(["PROJECTION_COVERED", "IXSCAN"]);
    expect(covered.executionStats).toMatchObject({ nReturned: 10, totalKeysExamined: 10, totalDocsExamined: 0 });
    expect(await events().find({ _id: { $gte: 10, $lt: 13 } } as never, { projection: { _id: 1 } }).toArray()).toEqual([{ _id: 10 }, { _id: 11 }, { _id: 12 }]);
    const byId = await events().find({ _id: 42 } as never).explain("executionStats");
    expect(stages(byId.queryPlanner.winningPlan)).toEqual(["IDHACK"]);
    expect(byId.executionStats).toMatchObject({ nReturned: 1, totalKeysExamined: 1, totalDocsExamined: 1 });
    const count = await planner().command({ explain: { count: "events", query: { _id: { $lt: 100 } } }, verbosity: "executionStats" });
    expect(count.executionStats).toMatchObject({ totalKeysExamined: 100, totalDocsExamined: 0 });
    expect(await events().countDocuments({ _id: { $lt: 100 } } as never)).toBe(100);
    const newestIds = await events().find({}).sort({ _id: -1 }).limit(3).toArray();
    expect(newestIds.map((doc) => doc._id)).toEqual([1999, 1998, 1997]);
    // Sort keys that include _id cannot tie: the walk stops at the last key returned, as mongod's does.
    const newestExplain = await events().find({}).sort({ _id: -1 }).limit(3).explain("executionStats");
    expect(newestExplain.executionStats).toMatchObject({ nReturned: 3, totalKeysExamined: 3, totalDocsExamined: 3 });
  });

  it("explains aggregate, count, distinct, update and delete without writing", async () => {
    const aggregate = await events().aggregate([{ $match: { kind: "k3" } }, { $sort: { at: -1 } }, { $limit: 5 }, { $project: { at: 1 } }]).explain("executionStats");
    expect(aggregate.stages[0].$cursor.queryPlanner.winningPlan).toBeDefined();
    expect(indexScan(aggregate.stages[0].$cursor.queryPlanner.winningPlan)).toMatchObject({ indexName: "kind_1_at_-1" });
    expect(aggregate.stages[0].$cursor.executionStats).toMatchObject({ nReturned: 5, totalDocsExamined: 5 });
    expect(aggregate.stages.slice(1)).toEqual([{ $limit: 5 }, { $project: { at: 1 } }]);
    const pushed = await events().aggregate([{ $match: { score: { $lt: 10 } } }]).explain("executionStats");
    expect(pushed.executionStats).toMatchObject({ nReturned: 10, totalDocsExamined: 10 });

    const count = await planner().command({ explain: { count: "events", query: { kind: "k1", score: { $gt: 1000 } } }, verbosity: "executionStats" });
    expect(count.queryPlanner.winningPlan.stage).toBe("COUNT");
    const fastCount = await planner().command({ explain: { count: "events", query: {} }, verbosity: "executionStats" });
    expect(fastCount.executionStats).toMatchObject({ totalDocsExamined: 0, executionStages: { stage: "RECORD_STORE_FAST_COUNT", nCounted: 2000 } });
    const distinct = await planner().command({ explain: { distinct: "events", key: "kind", query: { score: { $lt: 40 } } }, verbosity: "executionStats" });
    expect(distinct.executionStats).toMatchObject({ totalDocsExamined: 40 });

    const update = await planner().command({ explain: { update: "events", updates: [{ q: { score: { $lt: 3 } }, u: { $set: { touched: true } }, multi: true }] }, verbosity: "executionStats" });
    expect(update.queryPlanner.winningPlan.stage).toBe("UPDATE");
    expect(update.executionStats).toMatchObject({ totalKeysExamined: 3, totalDocsExamined: 3, executionStages: { stage: "UPDATE", nMatched: 3 } });
    const remove = await planner().command({ explain: { delete: "events", deletes: [{ q: { score: { $lt: 3 } }, limit: 0 }] }, verbosity: "executionStats" });
    expect(remove.executionStats).toMatchObject({ totalDocsExamined: 3, executionStages: { stage: "DELETE", nWouldDelete: 3 } });
    expect(await events().countDocuments({ touched: true })).toBe(0);
    expect(await events().countDocuments({ score: { $lt: 3 } })).toBe(3);
    await expect(planner().command({ explain: { update: "events", updates: [{ q: {}, u: { $set: { a: 1 } } }, { q: {}, u: { $set: { a: 1 } } }] } })).rejects.toMatchObject({ code: 2 });

    // The same filters drive the writes themselves.
    const updated = await events().updateMany({ score: { $gte: 1990 } }, { $set: { top: true } });
    expect(updated.modifiedCount).toBe(10);
    expect(await events().countDocuments({ top: true })).toBe(10);
  });

  it("keeps results identical to a scan across mixed types, arrays, sparse and partial indexes, null and collation", async () => {
    const mixed = planner().collection("mixed");
    await mixed.insertMany([
      { _id: 1, v: 5 },
      { _id: 2, v: new Long(5) },
      { _id: 3, v: new Double(5.5) },
      { _id: 4, v: Decimal128.fromString("5.50") },
      { _id: 5, v: "5" },
      { _id: 6, v: [1, 9] },
      { _id: 7, v: null },
      { _id: 8 },
      { _id: 9, v: new Date(5) },
      { _id: 10, v: [] },
      { _id: 11, v: { x: 5 } },
      { _id: 12, v: "abc" },
      { _id: 13, v: "ABC" },
      { _id: 14, v: new Int32(6) },
      { _id: 15, v: Number.NaN },
    ] as never);
    await mixed.createIndex({ v: 1 });
    await mixed.createIndex({ v: -1, _id: 1 }, { name: "sparse_v", sparse: true });
    await mixed.createIndex({ v: 1, _id: -1 }, { name: "partial_v", partialFilterExpression: { v: { $gt: 0 } } });
    const filters: Document[] = [
      { v: 5 },
      { v: { $gt: 5 } },
      { v: { $gte: 5, $lt: 9 } },
      { v: { $gt: 2, $lt: 4 } },
      { v: { $lte: 5.5 } },
      { v: { $in: [5, "abc", 9] } },
      { v: null },
      { v: { $exists: false } },
      { v: { $gt: "a" } },
      { v: { $gte: new Date(0) } },
      { v: { x: 5 } },
      { v: [] },
      { v: { $ne: 5 } },
      { v: { $gt: Number.NaN } },
      { v: { $gte: Number.NaN } },
      { $or: [{ v: 5 }, { v: "abc" }] },
    ];
    const ids = (docs: Document[]) => docs.map((doc) => doc._id);
    for (const filter of filters) {
      const scanned = ids(await mixed.find(filter).hint({ $natural: 1 }).sort({ _id: 1 }).toArray());
      expect({ filter, ids: ids(await mixed.find(filter).sort({ _id: 1 }).toArray()) }).toEqual({ filter, ids: scanned });
      expect({ filter, hinted: ids(await mixed.find(filter).hint("v_1").sort({ _id: 1 }).toArray()) }).toEqual({ filter, hinted: scanned });
    }
    for (const sort of [{ v: 1 }, { v: -1 }, { v: 1, _id: -1 }, { v: -1, _id: 1 }] as Array<Record<string, 1 | -1>>) {
      const scanned = ids(await mixed.find({}).hint({ $natural: 1 }).sort(sort).toArray());
      expect({ sort, ids: ids(await mixed.find({}).sort(sort).toArray()) }).toEqual({ sort, ids: scanned });
      expect({ sort, ids: ids(await mixed.find({}).sort(sort).limit(4).toArray()) }).toEqual({ sort, ids: scanned.slice(0, 4) });
    }
    const collation = { locale: "en", strength: 2 };
    const folded = await mixed.find({ v: "abc" }, { collation }).sort({ _id: 1 }).toArray();
    expect(ids(folded)).toEqual([12, 13]);
    const foldedExplain = await mixed.find({ v: "abc" }, { collation }).explain("executionStats");
    expect(foldedExplain.executionStats.nReturned).toBe(2);
  });

  it("uses a partial index only for queries that imply its filter, and a sparse one only when missing fields cannot match", async () => {
    const part = planner().collection("part");
    await part.insertMany(Array.from({ length: 100 }, (_, i) => ({ n: i, flag: i % 2 === 0, ...(i % 3 === 0 ? { s: i } : {}) })));
    await part.createIndex({ n: 1 }, { partialFilterExpression: { flag: true } });
    await part.createIndex({ s: 1 }, { sparse: true });
    const implied = await part.find({ n: { $gt: 90 }, flag: true }).explain("executionStats");
    expect(indexScan(implied.queryPlanner.winningPlan)?.indexName).toBe("n_1");
    expect(implied.executionStats).toMatchObject({ nReturned: 4, totalDocsExamined: 4 });
    const notImplied = await part.find({ n: { $gt: 90 } }).explain("executionStats");
    expect(stages(notImplied.queryPlanner.winningPlan)).toEqual(["COLLSCAN"]);
    expect(notImplied.executionStats.nReturned).toBe(9);
    const sparseRange = await part.find({ s: { $gte: 90 } }).explain("executionStats");
    expect(indexScan(sparseRange.queryPlanner.winningPlan)?.indexName).toBe("s_1");
    expect(sparseRange.executionStats).toMatchObject({ nReturned: 4, totalDocsExamined: 4 });
    const sparseSort = await part.find({}).sort({ s: 1 }).limit(3).explain("executionStats");
    expect(stages(sparseSort.queryPlanner.winningPlan)).toContain("COLLSCAN");
    expect((await part.find({}).sort({ s: 1 }).limit(3).toArray()).map((doc) => doc.s ?? null)).toEqual([null, null, null]);
  });
});

describe("counting from an index", () => {
  it("counts an exact index range from its keys, through count and countDocuments alike", async () => {
    const coll = planner().collection("counted");
    await coll.insertMany(Array.from({ length: 300 }, (_, i) => ({ n: i, tag: i % 2 ? "odd" : "even" })));
    await coll.createIndex({ n: 1 });
    expect(await coll.countDocuments({ n: { $gte: 100, $lt: 150 } })).toBe(50);
    expect(await coll.countDocuments({ n: { $gte: 100, $lt: 150 }, tag: "odd" })).toBe(25);
    const explained = await coll.aggregate([{ $match: { n: { $gte: 100, $lt: 150 } } }, { $group: { _id: 1, n: { $sum: 1 } } }]).explain("executionStats");
    expect(explained.stages[0].$cursor.executionStats).toMatchObject({ totalKeysExamined: 50, totalDocsExamined: 0 });
    const filtered = await coll.aggregate([{ $match: { n: { $gte: 100, $lt: 150 }, tag: "odd" } }, { $group: { _id: 1, n: { $sum: 1 } } }]).explain("executionStats");
    expect(filtered.stages[0].$cursor.executionStats).toMatchObject({ totalKeysExamined: 50, totalDocsExamined: 50 });
  });
});
