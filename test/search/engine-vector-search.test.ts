import { MongoClient, type Collection, type Document } from "mongodb";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";

let engine: EmbeddedMongo;
let client: MongoClient;
let passages: Collection<Document>;

const DIMS = 4;
const INDEX = {
  name: "vector_index",
  type: "vectorSearch",
  definition: {
    fields: [
      { type: "vector", path: "embedding", numDimensions: DIMS, similarity: "cosine" },
      { type: "filter", path: "owner" },
    ],
  },
};

beforeAll(async () => {
  engine = await startEmbeddedMongo({ port: 0 });
  client = await MongoClient.connect(engine.uri);
  passages = client.db("vectors").collection("passages");
  await passages.insertMany([
    { _id: 1 as never, owner: "a", embedding: [1, 0, 0, 0] },
    { _id: 2 as never, owner: "a", embedding: [0.9, 0.1, 0, 0] },
    { _id: 3 as never, owner: "b", embedding: [1, 0, 0, 0] },
    { _id: 4 as never, owner: "a", embedding: [0, 1, 0, 0] },
    { _id: 5 as never, owner: "a", embedding: [1, 2] },
  ]);
});

afterAll(async () => {
  await client.close();
  await engine.stop();
});

const search = (extra: Document = {}, after: Document[] = [{ $project: { _id: 1, score: { $meta: "vectorSearchScore" } } }]) =>
  passages
    .aggregate([{ $vectorSearch: { index: "vector_index", path: "embedding", queryVector: [1, 0, 0, 0], numCandidates: 30, limit: 3, ...extra } }, ...after])
    .toArray();

test("search indexes are created, listed, updated and dropped through the driver", async () => {
  await passages.createSearchIndex(INDEX);
  const listed = await passages.listSearchIndexes().toArray();
  expect(listed).toEqual([expect.objectContaining({ name: "vector_index", type: "vectorSearch", status: "READY", queryable: true })]);
  await expect(passages.createSearchIndex(INDEX)).rejects.toThrow(/Duplicate Index/);
  const changed = { fields: [{ ...INDEX.definition.fields[0], numDimensions: 8 }, INDEX.definition.fields[1]] };
  await passages.updateSearchIndex("vector_index", changed);
  const [updated] = (await passages.listSearchIndexes("vector_index").toArray()) as { latestDefinition?: unknown }[];
  expect(updated.latestDefinition).toEqual(changed);
  await passages.dropSearchIndex("vector_index");
  expect(await passages.listSearchIndexes().toArray()).toEqual([]);
  await passages.createSearchIndex(INDEX);
});

test("$vectorSearch ranks by cosine with Atlas's 0..1 scores, skips malformed vectors and hides the score unless asked", async () => {
  const hits = await search();
  expect(hits.map((hit) => hit._id)).toEqual([1, 3, 2]);
  expect(hits[0].score).toBeCloseTo(1);
  expect(hits[2].score).toBeCloseTo((1 + 0.9 / Math.hypot(0.9, 0.1)) / 2);
  const raw = await search({}, []);
  expect(Object.keys(raw[0]).sort()).toEqual(["_id", "embedding", "owner"]);
});

test("$vectorSearch pre-filters on indexed filter fields only", async () => {
  expect((await search({ filter: { owner: "a" } })).map((hit) => hit._id)).toEqual([1, 2, 4]);
  await expect(search({ filter: { other: 1 } })).rejects.toThrow(/needs to be indexed as filter/);
});

test("a written document is scored by its new vector", async () => {
  await passages.updateOne({ _id: 4 as never }, { $set: { embedding: [1, 0, 0, 0] } });
  expect((await search({ filter: { owner: "a" }, limit: 2 })).map((hit) => hit._id).sort()).toEqual([1, 4]);
  await passages.updateOne({ _id: 4 as never }, { $set: { embedding: [0, 1, 0, 0] } });
});

test("$vectorSearch checks its arguments; an unknown index finds nothing, as on Atlas", async () => {
  await expect(search({ numCandidates: 2 })).rejects.toThrow(/numCandidates/);
  await expect(search({ queryVector: [1, 0] })).rejects.toThrow(/queryVector must have 4 numbers/);
  expect(await search({ index: "missing" })).toEqual([]);
});
