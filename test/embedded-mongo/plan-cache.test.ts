import type { Document } from "mongodb";
import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();
const coll = () => db.client().db("plan_cache").collection("items");

/** Reads each index has served so far ($indexStats), by index name. */
async function served(): Promise<Record<string, number>> {
  const stats = await coll().aggregate<Document>([{ $indexStats: {} }]).toArray();
  return Object.fromEntries(stats.map((entry) => [entry.name, Number(entry.accesses.ops)]));
}

/** Which index served one read: the one whose count moved. */
async function servedBy(read: () => Promise<unknown>): Promise<string[]> {
  const before = await served();
  await read();
  const after = await served();
  return Object.keys(after).filter((name) => after[name] !== (before[name] ?? 0));
}

describe("plan cache", () => {
  beforeAll(async () => {
    // `a` picks out 4 documents, `b` half of them: the planner prefers `a`.
    await coll().insertMany(Array.from({ length: 4000 }, (_, i) => ({ _id: i, a: i % 1000, b: i % 2 })) as never);
    await coll().createIndex({ a: 1 });
    await coll().createIndex({ b: 1 });
  });

  it("reuses a shape's plan with each query's own values, plans again when the data moved far from it, and when indexes change", async () => {
    expect(await servedBy(() => coll().find({ a: 5, b: 1 }).toArray())).toEqual(["a_1"]);
    const found = await coll().find({ a: 6, b: 0 }).toArray();
    expect(found.map((doc) => doc._id)).toEqual([6, 1006, 2006, 3006]);

    // Now `a: 7` matches 3,000 more documents and `b: 3` exactly one: planned afresh, `b` would win.
    await coll().insertMany(Array.from({ length: 3000 }, (_, i) => ({ _id: 10_000 + i, a: 7, b: 10 + (i % 3) })) as never);
    await coll().insertOne({ _id: 20_000, a: 7, b: 3 } as never);
    const explained = await coll().find({ a: 7, b: 3 }).explain("queryPlanner");
    expect(explained.queryPlanner.winningPlan.inputStage.indexName).toBe("b_1");
    expect(explained.queryPlanner.rejectedPlans).toHaveLength(1);

    // The cached plan serves the read (rightly) once, does far more work than when it was cached, and is dropped.
    let answer: Document[] = [];
    expect(await servedBy(async () => (answer = await coll().find({ a: 7, b: 3 }).toArray()))).toEqual(["a_1"]);
    expect(answer.map((doc) => doc._id)).toEqual([20_000]);
    expect(await servedBy(async () => (answer = await coll().find({ a: 7, b: 3 }).toArray()))).toEqual(["b_1"]);
    expect(answer.map((doc) => doc._id)).toEqual([20_000]);

    // A new index may do better: the shape is planned again at once.
    await coll().createIndex({ a: 1, b: 1 });
    expect(await servedBy(() => coll().find({ a: 7, b: 3 }).toArray())).toEqual(["a_1_b_1"]);
    await coll().dropIndex("a_1_b_1");
    expect(await servedBy(async () => (answer = await coll().find({ a: 7, b: 3 }).toArray()))).toEqual(["b_1"]);
    expect(answer.map((doc) => doc._id)).toEqual([20_000]);
  });

  it("keeps shapes apart: other operators, another sort or a limit are planned on their own", async () => {
    // `b` in a range over every document, `a` on one value: `a` wins for this shape whatever `{a, b}` equality cached.
    expect(await servedBy(() => coll().find({ a: 8, b: { $gte: 0 } }).toArray())).toEqual(["a_1"]);
    // A sort `b` gives with a small limit: the sort's index may win for this shape alone.
    const sorted = await coll().find({ a: { $gte: 0 } }).sort({ b: 1 }).limit(3).toArray();
    expect(sorted.map((doc) => doc.b)).toEqual([0, 0, 0]);
    const other = await coll().find({ a: 9, b: 1 }).toArray();
    expect(other.map((doc) => doc._id)).toEqual([9, 1009, 2009, 3009]);
  });
});
