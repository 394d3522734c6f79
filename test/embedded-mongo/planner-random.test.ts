import { Decimal128, Double, Long, ObjectId, type CollationOptions, type Collection, type Document } from "mongodb";
import { seededRandom } from "../../src/lib/seeded-random";
import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();

const SEED = 252;
const rand = seededRandom(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
const int = (n: number) => Math.floor(rand() * n);

/** Values of many BSON types, null, missing and arrays: the cases where index order and match order could part. */
function value(): unknown {
  switch (int(14)) {
    case 0:
      return int(10);
    case 1:
      return int(10) + 0.5;
    case 2:
      return new Long(int(10));
    case 3:
      return Decimal128.fromString(`${int(10)}.0`);
    case 4:
      return new Double(int(10));
    case 5:
      return pick(["a", "b", "B", "c", "ab", ""]);
    case 6:
      return null;
    case 7:
      return new Date(Date.UTC(2026, 0, 1 + int(5)));
    case 8:
      return [int(10), int(10)];
    case 9:
      return [];
    case 10:
      return { x: int(3) };
    case 11:
      return pick([true, false]);
    default:
      return int(10);
  }
}

function document(i: number): Document {
  const doc: Document = { _id: i % 7 === 0 ? new ObjectId() : i };
  if (rand() < 0.85) doc.a = value();
  if (rand() < 0.9) doc.b = int(6);
  if (rand() < 0.9) doc.c = pick(["x", "y", "z", "X"]);
  if (rand() < 0.7) doc.d = new Date(Date.UTC(2026, 0, 1, int(48)));
  if (rand() < 0.5) doc.e = { f: int(5) };
  return doc;
}

function operand(field: string): unknown {
  if (field === "b") return int(7);
  if (field === "c") return pick(["x", "y", "X", "w"]);
  if (field === "d") return new Date(Date.UTC(2026, 0, 1, int(48)));
  if (field === "e.f") return int(5);
  return value();
}

function predicate(): Document {
  const field = pick(["a", "a", "b", "b", "c", "d", "e.f", "_id"]);
  const arg = () => (field === "_id" ? int(200) : operand(field));
  switch (int(10)) {
    case 0:
      return { [field]: arg() };
    case 1:
      return { [field]: { $gt: arg() } };
    case 2:
      return { [field]: { $gte: arg(), $lt: arg() } };
    case 3:
      return { [field]: { $lte: arg() } };
    case 4:
      return { [field]: { $in: [arg(), arg(), arg()] } };
    case 5:
      return { [field]: { $ne: arg() } };
    case 6:
      return { [field]: null };
    case 7:
      return { [field]: { $exists: rand() < 0.5 } };
    case 8:
      return { $or: [{ [field]: arg() }, { b: int(6) }] };
    default:
      return { [field]: { $lt: arg() } };
  }
}

function query(): { filter: Document; sort?: Document; skip: number; limit: number; collation?: CollationOptions } {
  const parts = Array.from({ length: 1 + int(3) }, predicate);
  const filter = parts.length === 1 ? parts[0] : rand() < 0.5 ? { $and: parts } : Object.assign({}, ...parts);
  const sortFields = ["a", "b", "c", "d", "_id"].filter(() => rand() < 0.35);
  const sort = sortFields.length ? Object.fromEntries(sortFields.map((field) => [field, pick([1, -1])])) : rand() < 0.3 ? { _id: pick([1, -1]) } : undefined;
  return { filter, sort, skip: rand() < 0.2 ? int(5) : 0, limit: rand() < 0.5 ? 1 + int(15) : 0, collation: rand() < 0.1 ? { locale: "en", strength: 2 as const } : undefined };
}

async function run(coll: Collection, q: ReturnType<typeof query>, natural: boolean): Promise<Document[]> {
  let cursor = coll.find(q.filter, q.collation ? { collation: q.collation } : {});
  if (natural) cursor = cursor.hint({ $natural: 1 });
  if (q.sort) cursor = cursor.sort(q.sort);
  if (q.skip) cursor = cursor.skip(q.skip);
  if (q.limit) cursor = cursor.limit(q.limit);
  return cursor.toArray();
}

describe(`planned reads equal scanned reads (randomized, seed ${SEED})`, () => {
  it("returns the same documents, in the same order when sorted, as a collection scan for 600 random queries", async () => {
    const coll = db.client().db("random").collection("docs");
    await coll.insertMany(Array.from({ length: 400 }, (_, i) => document(i)));
    await coll.createIndex({ a: 1 });
    await coll.createIndex({ b: 1, c: -1 });
    await coll.createIndex({ c: 1, a: 1 });
    await coll.createIndex({ d: -1 }, { sparse: true });
    await coll.createIndex({ b: 1, d: -1, _id: 1 });
    await coll.createIndex({ "e.f": 1 });
    await coll.createIndex({ c: 1 }, { name: "c_partial", partialFilterExpression: { b: { $gt: 2 } } });
    // Changes after the indexes exist exercise index maintenance too.
    await coll.updateMany({ b: 1 }, { $set: { a: 3 } });
    await coll.deleteMany({ b: 5, c: "z" });
    await coll.insertMany(Array.from({ length: 50 }, (_, i) => document(1000 + i)));

    let usedIndex = 0;
    for (let i = 0; i < 600; i++) {
      const q = query();
      const planned = await run(coll, q, false);
      const scanned = await run(coll, q, true);
      const label = { i, ...q };
      if (q.sort || (!q.limit && !q.skip)) {
        // Sorted reads keep ties in natural order on both paths; unsorted ones may differ in order only.
        const order = (docs: Document[]) => (q.sort ? docs : [...docs].sort((x, y) => String(x._id).localeCompare(String(y._id))));
        expect({ ...label, docs: order(planned) }).toEqual({ ...label, docs: order(scanned) });
      } else {
        // An unsorted skip or limit may pick any matching documents, as on mongod: same count, all matching.
        expect({ ...label, n: planned.length }).toEqual({ ...label, n: scanned.length });
        const matching = new Set((await coll.find(q.filter, q.collation ? { collation: q.collation } : {}).hint({ $natural: 1 }).toArray()).map((doc) => String(doc._id)));
        expect({ ...label, outside: planned.filter((doc) => !matching.has(String(doc._id))) }).toEqual({ ...label, outside: [] });
      }
      const explain = await coll.find(q.filter, q.collation ? { collation: q.collation } : {}).sort(q.sort ?? {}).explain("queryPlanner");
      if (JSON.stringify(explain.queryPlanner.winningPlan).includes("IXSCAN")) usedIndex++;
    }
    // The check means something only if the planner took the index path often.
    expect(usedIndex).toBeGreaterThan(200);
  });
});
