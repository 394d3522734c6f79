import { Long, ObjectId, type Document } from "mongodb";
import { seededRandom } from "../../src/lib/seeded-random";
import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();

const SEED = 27;
const rand = seededRandom(SEED);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)];
const principals = Array.from({ length: 6 }, () => new ObjectId());

/** Shares as the app stores them (an array of subdocuments, indexed on one of their fields), and scalars, arrays and nulls beside. */
function document(i: number): Document {
  const doc: Document = { _id: i, public: rand() < 0.2, owner: int(8) };
  if (rand() < 0.6) doc.grants = Array.from({ length: int(3) }, () => ({ principal: pick(principals), role: pick(["viewer", "editor"]) }));
  const tags = rand();
  if (tags < 0.3) doc.tags = [int(5), int(5)];
  else if (tags < 0.5) doc.tags = int(5);
  else if (tags < 0.6) doc.tags = null;
  else if (tags < 0.7) doc.tags = [];
  else if (tags < 0.8) doc.tags = new Long(int(5));
  return doc;
}

function branch(): Document {
  switch (int(6)) {
    case 0:
      return { public: true };
    case 1:
      return { owner: { $in: [int(8), int(8)] } };
    case 2:
      return { "grants.principal": { $in: [pick(principals), pick(principals)] } };
    case 3:
      return { "grants.principal": pick(principals) };
    case 4:
      return { tags: pick([int(5), [int(5), int(5)], null]) };
    default:
      return { tags: { $in: [int(5), int(5)] } };
  }
}

describe(`counting a whole $or through its branches' indexes (randomized, seed ${SEED})`, () => {
  it("counts what a collection scan counts, for 300 random $or filters, with and without a wrapping $and", async () => {
    const coll = db.client().db("or_count").collection("courses");
    await coll.insertMany(Array.from({ length: 600 }, (_, i) => document(i)));
    await coll.createIndex({ public: 1 });
    await coll.createIndex({ owner: 1 });
    await coll.createIndex({ "grants.principal": 1 });
    await coll.createIndex({ tags: 1 });
    // Changes after the indexes exist exercise index maintenance too.
    await coll.updateMany({ owner: 3 }, { $push: { grants: { principal: principals[0], role: "viewer" } } } as Document);
    await coll.deleteMany({ owner: 5, public: true });

    let counted = 0;
    for (let i = 0; i < 300; i++) {
      const or = Array.from({ length: 1 + int(3) }, branch);
      const filter = rand() < 0.5 ? { $or: or } : { $and: [{ $or: or }] };
      const planned = await coll.countDocuments(filter);
      const scanned = await coll.countDocuments(filter, { hint: { $natural: 1 } });
      expect({ i, filter, n: planned }).toEqual({ i, filter, n: scanned });
      const found = await coll.find(filter).toArray();
      expect({ i, filter, n: found.length }).toEqual({ i, filter, n: scanned });
      const explain = await coll.aggregate([{ $match: filter }, { $group: { _id: 1, n: { $sum: 1 } } }]).explain("executionStats");
      const stats = (explain.stages?.[0]?.$cursor ?? explain).executionStats as { totalDocsExamined: number; totalKeysExamined: number };
      if (scanned > 0 && stats.totalDocsExamined === 0 && stats.totalKeysExamined >= scanned) counted++;
    }
    // The check means something only if counts often went through the branches without reading documents.
    expect(counted).toBeGreaterThan(50);
  });
});
