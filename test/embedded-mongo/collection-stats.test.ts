import { BSON, type Document } from "mongodb";
import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();
const stats = () => db.client().db("sizes");

/** What the stored documents take as BSON, computed by the driver from what it reads back. */
async function storedBytes(name: string): Promise<number> {
  const docs = await stats().collection(name).find({}).toArray();
  return docs.reduce((total, doc) => total + BSON.calculateObjectSize(doc), 0);
}

describe("collStats and dbStats sizes", () => {
  it("counts the stored documents' BSON bytes and each index's entries", async () => {
    const coll = stats().collection("docs");
    await coll.insertMany(Array.from({ length: 40 }, (_, i) => ({ n: i, text: "x".repeat(i * 10), tags: i % 2 ? ["a", "b"] : [] })));
    await coll.createIndex({ n: 1 });
    const size = await storedBytes("docs");
    const reply = await stats().command({ collStats: "docs" });
    expect(reply).toMatchObject({ ns: "sizes.docs", count: 40, size, storageSize: size, avgObjSize: Math.floor(size / 40), nindexes: 2, ok: 1 });
    expect(Object.keys(reply.indexSizes).sort()).toEqual(["_id_", "n_1"]);
    expect(reply.indexSizes._id_).toBeGreaterThan(0);
    expect(reply.indexSizes.n_1).toBeGreaterThan(0);
    expect(reply.totalIndexSize).toBe(reply.indexSizes._id_ + reply.indexSizes.n_1);
    expect(reply.totalSize).toBe(size + reply.totalIndexSize);

    const scaled = await stats().command({ collStats: "docs", scale: 1024 });
    expect(scaled).toMatchObject({ size: Math.floor(size / 1024), avgObjSize: Math.floor(size / 40), scaleFactor: 1024 });
    await expect(stats().command({ collStats: "docs", scale: 0 })).rejects.toMatchObject({ code: 51024 });
  });

  it("follows inserts, updates and deletes, and index entries grow with the documents they index", async () => {
    const coll = stats().collection("moving");
    await coll.insertMany(Array.from({ length: 5 }, (_, i) => ({ i })));
    const five = await stats().command({ collStats: "moving" });
    await coll.insertMany(Array.from({ length: 5 }, (_, i) => ({ i: i + 5 })));
    const ten = await stats().command({ collStats: "moving" });
    // ObjectId keys all take the same bytes: twice the entries, twice the index.
    expect(ten.indexSizes._id_).toBe(2 * five.indexSizes._id_);

    await coll.createIndex({ extra: 1 }, { sparse: true });
    expect((await stats().command({ collStats: "moving" })).indexSizes.extra_1).toBe(0);
    await coll.updateOne({ i: 3 }, { $set: { extra: "a long string value" } });
    const updated = await stats().command({ collStats: "moving" });
    expect(updated.indexSizes.extra_1).toBeGreaterThan(0);
    expect(updated.size).toBe(await storedBytes("moving"));
    expect(updated.size).toBeGreaterThan(ten.size);

    await coll.deleteMany({});
    expect(await stats().command({ collStats: "moving" })).toMatchObject({ count: 0, size: 0, avgObjSize: 0, indexSizes: { _id_: 0, extra_1: 0 }, totalIndexSize: 0 });
  });

  it("answers zeros for a collection that does not exist and refuses a view", async () => {
    expect(await stats().command({ collStats: "nothing" })).toMatchObject({ ns: "sizes.nothing", count: 0, size: 0, nindexes: 0, ok: 1 });
    await stats().createCollection("docs_view", { viewOn: "docs", pipeline: [] });
    await expect(stats().command({ collStats: "docs_view" })).rejects.toMatchObject({ code: 166 });
  });

  it("dbStats adds up its collections, and counts views apart", async () => {
    const reply = await stats().stats();
    const names = (await stats().listCollections({ type: "collection" }).toArray()).map((c) => c.name);
    let dataSize = 0;
    let indexSize = 0;
    let objects = 0;
    let indexes = 0;
    for (const name of names) {
      const coll = await stats().command({ collStats: name });
      dataSize += coll.size;
      indexSize += coll.totalIndexSize;
      objects += coll.count;
      indexes += coll.nindexes;
    }
    expect(reply).toMatchObject({ db: "sizes", collections: names.length, views: 1, objects, dataSize, storageSize: dataSize, indexes, indexSize, totalSize: dataSize + indexSize, ok: 1 });
    expect(reply.avgObjSize).toBeCloseTo(dataSize / objects);
    expect((await stats().command({ dbStats: 1, scale: 1024 })).dataSize).toBe(Math.floor(dataSize / 1024));
  });
});

describe("$collStats and $indexStats", () => {
  const coll = () => stats().collection("staged");

  beforeAll(async () => {
    await coll().insertMany(Array.from({ length: 30 }, (_, i) => ({ a: i, b: i % 3 })));
    await coll().createIndex({ a: 1 });
  });

  it("$collStats gives storageStats and count as the first stage, as mongosh's stats() reads them", async () => {
    const [doc] = await coll().aggregate([{ $collStats: { storageStats: {}, count: {} } }]).toArray();
    const command = await stats().command({ collStats: "staged" });
    const { ok: _ok, ...expected } = command;
    expect(doc).toMatchObject({ ns: "sizes.staged", count: 30, storageStats: expected });
    expect(doc.localTime).toBeInstanceOf(Date);
    // db.coll.totalIndexSize() in mongosh: a $group over $collStats.
    const [{ value }] = await coll().aggregate([{ $collStats: { storageStats: {} } }, { $group: { _id: null, value: { $sum: "$storageStats.totalIndexSize" } } }]).toArray();
    expect(value).toBe(command.totalIndexSize);
    const [scaled] = await coll().aggregate([{ $collStats: { storageStats: { scale: 1024 } } }]).toArray();
    expect(scaled.storageStats.size).toBe(Math.floor(command.size / 1024));
    const [missing] = await stats().collection("absent").aggregate([{ $collStats: { count: {} } }]).toArray();
    expect(missing).toMatchObject({ ns: "sizes.absent", count: 0 });
  });

  it("refuses $collStats and $indexStats anywhere but first, and unknown options", async () => {
    await expect(coll().aggregate([{ $match: {} }, { $collStats: { count: {} } }]).toArray()).rejects.toMatchObject({ code: 40602 });
    await expect(coll().aggregate([{ $match: {} }, { $indexStats: {} }]).toArray()).rejects.toMatchObject({ code: 40602 });
    await expect(coll().aggregate([{ $collStats: { bogus: {} } }]).toArray()).rejects.toMatchObject({ code: 40415 });
  });

  it("$indexStats counts the reads the planner served from each index", async () => {
    const ops = async () => Object.fromEntries((await coll().aggregate([{ $indexStats: {} }]).toArray()).map((entry: Document) => [entry.name, entry]));
    const before = await ops();
    expect(Object.keys(before).sort()).toEqual(["_id_", "a_1"]);
    expect(before.a_1).toMatchObject({ key: { a: 1 }, spec: { key: { a: 1 }, name: "a_1" } });
    expect(before.a_1.accesses.since).toBeInstanceOf(Date);
    const scansBefore = (await coll().aggregate([{ $collStats: { queryExecStats: {} } }]).toArray())[0].queryExecStats.collectionScans.total;

    await coll().find({ a: { $gte: 10, $lt: 15 } }).toArray();
    await coll().find({ a: 3 }).toArray();
    const [some] = await coll().find({}).limit(1).toArray();
    await coll().findOne({ _id: some._id });
    await coll().find({ b: 1 }).toArray();

    const after = await ops();
    expect(Number(after.a_1.accesses.ops) - Number(before.a_1.accesses.ops)).toBe(2);
    expect(Number(after._id_.accesses.ops) - Number(before._id_.accesses.ops)).toBe(1);
    const scansAfter = (await coll().aggregate([{ $collStats: { queryExecStats: {} } }]).toArray())[0].queryExecStats.collectionScans.total;
    expect(Number(scansAfter) - Number(scansBefore)).toBe(2);
  });
});
