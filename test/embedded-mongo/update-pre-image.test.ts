import { BSON, Int32, type Document } from "mongodb";
import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();
const preImage = () => db.client().db("pre_image");
/** Read as stored: numbers keep their BSON types, so sizes can be measured client-side. */
const RAW = { promoteValues: false } as const;
type NumberedDoc = { _id: number; [field: string]: unknown };

/**
 * An update is applied to a copy that shares the paths it does not change with the stored
 * document (copy on write). As on mongod, the document before the update must stay what it was:
 * findAndModify's pre-image, every index's entries and the collection's size all still show it.
 */
describe("updates leave the document before them unchanged", () => {
  const nested = () => ({
    _id: 1,
    a: { b: 1, keep: { deep: [1, 2] } },
    tags: [
      { k: "x", n: 1 },
      { k: "y", n: 2 },
    ],
    m: { n: { o: 5, p: [3, 1, 2] } },
    when: new Date(Date.UTC(2030, 0, 1)),
    list: [[1, 2], [3]],
  });

  /** A collection of its own per case, so one case's damage cannot show up in another. */
  let cases = 0;
  async function fresh(docs: NumberedDoc[]) {
    const coll = preImage().collection<NumberedDoc>(`docs${cases++}`);
    await coll.createIndexes([{ key: { "a.b": 1 } }, { key: { "tags.k": 1 } }, { key: { "m.n.o": 1, "tags.n": 1 } }, { key: { list: 1 } }, { key: { when: 1 } }]);
    await coll.insertMany(docs);
    return coll;
  }

  const updates: Array<[string, Document | Document[], Document?]> = [
    ["$set a nested field", { $set: { "a.b": 2 } }],
    ["$set inside an array element", { $set: { "tags.1.k": "z" } }],
    ["$inc a deep field", { $inc: { "m.n.o": 1 } }],
    ["$push an element", { $push: { tags: { k: "w", n: 3 } } }],
    ["$push with $sort", { $push: { "m.n.p": { $each: [0], $sort: 1 } } }],
    ["$pull", { $pull: { tags: { k: "x" } } }],
    ["$pop", { $pop: { "m.n.p": 1 } }],
    ["$addToSet", { $addToSet: { "a.keep.deep": 9 } }],
    ["$set through all elements ($[])", { $set: { "tags.$[].k": "all" } }],
    ["$set through filtered elements ($[e])", { $set: { "tags.$[e].n": 7 } }, { arrayFilters: [{ "e.n": { $gt: 1 } }] }],
    ["$set through the positional $", { $set: { "tags.$.n": 8 } }, { filter: { _id: 1, "tags.k": "y" } }],
    ["$set inside an array of arrays", { $set: { "list.0.1": 20 } }],
    ["$rename out of an object", { $rename: { "a.b": "moved" } }],
    ["$unset a subdocument", { $unset: { "m.n": "" } }],
    ["$mul, $min and $max", { $mul: { "m.n.o": 3 }, $min: { "a.b": 0 }, $max: { "tags.0.n": 10 } }],
    ["$currentDate", { $currentDate: { when: true } }],
    ["$bit", { $bit: { "m.n.o": { or: new Int32(8) } } }],
    ["a pipeline update", [{ $set: { "a.b": { $add: ["$a.b", 1] }, "m.n.o": "$a.b" } }]],
  ];

  it.each(updates)("%s", async (_name, update, options = {}) => {
    const coll = await fresh([nested()]);
    const before = await coll.findOne({ _id: 1 }, RAW);
    const pre = await coll.findOneAndUpdate(options.filter ?? { _id: 1 }, update, { returnDocument: "before", arrayFilters: options.arrayFilters, ...RAW });
    expect(pre).toEqual(before);
    const after = await coll.findOne({ _id: 1 }, RAW);
    expect(after).not.toEqual(before);

    const validation = await coll.db.command({ validate: coll.collectionName, full: true });
    expect(validation).toMatchObject({ valid: true, errors: [], extraIndexEntries: [], missingIndexEntries: [] });
    const stats = await coll.db.command({ collStats: coll.collectionName });
    expect(stats.size).toBe(BSON.calculateObjectSize(after as Document));
  });

  it("moves the index entries of each document a multi-document update changes", async () => {
    const coll = await fresh([nested(), { ...nested(), _id: 2 }]);
    const bump: Document = { $inc: { "m.n.o": 1 }, $push: { "a.keep.deep": 3 } };
    await coll.updateMany({}, bump);
    const after = await coll.find({}, RAW).sort({ _id: 1 }).toArray();
    expect(after.map((doc: Document) => doc.a.keep.deep.length)).toEqual([3, 3]);
    expect(await coll.countDocuments({ "m.n.o": 6 }, { hint: { "m.n.o": 1, "tags.n": 1 } })).toBe(2);
    expect(await coll.countDocuments({ "m.n.o": 5 }, { hint: { "m.n.o": 1, "tags.n": 1 } })).toBe(0);
    expect((await coll.db.command({ validate: coll.collectionName, full: true })).valid).toBe(true);
  });
});
