import type { Collection, Document } from "mongodb";
import { useEmbeddedMongo } from "./harness";

/**
 * Conformance cases for the engine's `$search` (text with BM25, compound, equals, in, exists,
 * analyzers) and `$rankFusion`, through the driver as an application sends them. Expected orders
 * and scores follow Lucene's BM25 (k1 1.2, b 0.75, idf ln(1 + (N - n + 0.5) / (n + 0.5))) and
 * MongoDB's reciprocal rank fusion (weight / (60 + rank)), as Atlas documents them.
 */
const mongo = useEmbeddedMongo();
let fruits: Collection;

const DOCS = [
  { _id: 1, kind: "fruit", tag: "a", text: "Apples are red. Apples grow on trees." },
  { _id: 2, kind: "fruit", tag: "b", text: "Bananas are yellow and grow in bunches." },
  { _id: 3, kind: "veg", tag: "a", text: "Red peppers and red tomatoes." },
  { _id: 4, kind: "fruit", tag: "c", text: "The orange is an orange fruit; use -d for details." },
  { _id: 5, kind: "fruit", tag: "b" },
];

const idf = (n: number, N: number) => Math.log(1 + (N - n + 0.5) / (n + 0.5));
const bm25 = (freq: number, length: number, averageLength: number, termIdf: number) => (termIdf * freq) / (freq + 1.2 * (1 - 0.75 + (0.75 * length) / averageLength));

async function search(stage: Document, tail: Document[] = []): Promise<Document[]> {
  return fruits.aggregate([{ $search: stage }, { $project: { _id: 1, score: { $meta: "searchScore" } } }, ...tail]).toArray();
}

beforeAll(async () => {
  fruits = mongo.client().db("search").collection("fruits");
  await fruits.insertMany(DOCS as Document[]);
  await fruits.createSearchIndex({
    name: "default",
    definition: {
      mappings: {
        dynamic: false,
        fields: {
          text: { type: "string", analyzer: "lucene.standard", multi: { exact: { type: "string", analyzer: "exactTerms" } } },
          english: { type: "string", analyzer: "lucene.english" },
          kind: { type: "token" },
        },
      },
      analyzers: [{ name: "exactTerms", tokenizer: { type: "whitespace" }, tokenFilters: [{ type: "lowercase" }, { type: "regex", pattern: "[.,;:!?]+$", replacement: "", matches: "all" }] }],
    },
  });
  await fruits.createSearchIndex({ name: "english", definition: { mappings: { dynamic: false, fields: { text: { type: "string", analyzer: "lucene.english" } } } } });
});

describe("$search text", () => {
  it("scores with BM25 over the analyzed field, best first, ties in storage order", async () => {
    const results = await search({ text: { query: "red", path: "text" } });
    expect(results.map((doc) => doc._id)).toEqual([3, 1]);
    // Four documents have `text`: lengths 7, 7, 5, 10 (lucene.standard keeps every word; "-d" is "d"), average 7.25; "red" is in two.
    const termIdf = idf(2, 4);
    expect(results[0].score).toBeCloseTo(bm25(2, 5, 7.25, termIdf), 5);
    expect(results[1].score).toBeCloseTo(bm25(1, 7, 7.25, termIdf), 5);
  });

  it("matches any query term and sums their scores; matchCriteria all needs every term", async () => {
    expect((await search({ text: { query: "red bananas", path: "text" } })).map((doc) => doc._id)).toEqual([2, 3, 1]);
    expect(await search({ text: { query: "red bananas", path: "text", matchCriteria: "all" } })).toEqual([]);
    expect((await search({ text: { query: "red apples", path: "text", matchCriteria: "all" } })).map((doc) => doc._id)).toEqual([1]);
  });

  it("lucene.english drops stop words and stems; lucene.standard does neither", async () => {
    const english = await fruits.aggregate([{ $search: { index: "english", text: { query: "the apple", path: "text" } } }, { $project: { _id: 1 } }]).toArray();
    expect(english.map((doc) => doc._id)).toEqual([1]);
    const standard = await search({ text: { query: "the apple", path: "text" } });
    expect(standard.map((doc) => doc._id)).toEqual([4]);
  });

  it("finds one-letter and symbol terms through a whitespace analyzer (multi)", async () => {
    const exact = await search({ text: { query: "-d", path: { value: "text", multi: "exact" } } });
    expect(exact.map((doc) => doc._id)).toEqual([4]);
    // The standard analyzer sees only the letter.
    const standard = await search({ text: { query: "-d", path: "text" } });
    expect(standard.map((doc) => doc._id)).toEqual([4]);
  });

  it("applies boost and constant scores", async () => {
    const [plain] = await search({ text: { query: "bananas", path: "text" } });
    const [boosted] = await search({ text: { query: "bananas", path: "text", score: { boost: { value: 3 } } } });
    expect(boosted.score).toBeCloseTo(plain.score * 3, 6);
    const [constant] = await search({ text: { query: "bananas", path: "text", score: { constant: { value: 5 } } } });
    expect(constant.score).toBe(5);
  });

  it("matches nothing on a field the index does not map, or with an index that does not exist", async () => {
    expect(await search({ text: { query: "fruit", path: "kind" } })).toEqual([]);
    expect(await fruits.aggregate([{ $search: { index: "nope", text: { query: "red", path: "text" } } }]).toArray()).toEqual([]);
  });
});

describe("$search compound", () => {
  it("filter restricts without scoring; should adds; mustNot excludes", async () => {
    const filtered = await search({
      compound: { filter: [{ equals: { path: "kind", value: "fruit" } }], should: [{ text: { query: "red", path: "text" } }], minimumShouldMatch: 1 },
    });
    expect(filtered.map((doc) => doc._id)).toEqual([1]);
    const [alone] = await search({ text: { query: "red", path: "text" } }, [{ $match: { _id: 1 } }]);
    expect(filtered[0].score).toBeCloseTo(alone.score, 6);

    const noShould = await search({ compound: { filter: [{ in: { path: "tag", value: ["b", "c"] } }] } });
    expect(noShould.map((doc) => [doc._id, doc.score])).toEqual([
      [2, 0],
      [4, 0],
      [5, 0],
    ]);

    const must = await search({ compound: { must: [{ text: { query: "red", path: "text" } }], mustNot: [{ equals: { path: "kind", value: "veg" } }] } });
    expect(must.map((doc) => doc._id)).toEqual([1]);
  });

  it("nested compound: should with minimumShouldMatch works as an or of filters", async () => {
    const results = await search({
      compound: {
        filter: [
          {
            compound: {
              should: [{ compound: { filter: [{ equals: { path: "kind", value: "veg" } }] } }, { compound: { filter: [{ equals: { path: "tag", value: "c" } }] } }],
              minimumShouldMatch: 1,
            },
          },
        ],
      },
    });
    expect(results.map((doc) => doc._id)).toEqual([3, 4]);
  });

  it("exists matches documents with the field; equals and in score 1", async () => {
    expect((await search({ exists: { path: "text" } })).map((doc) => doc._id)).toEqual([1, 2, 3, 4]);
    expect((await search({ equals: { path: "tag", value: "a" } })).map((doc) => [doc._id, doc.score])).toEqual([
      [1, 1],
      [3, 1],
    ]);
  });

  it("refuses what it does not support, with a clear error", async () => {
    await expect(search({ regex: { query: "a.*", path: "text" } })).rejects.toThrow(/not supported by the embedded engine/);
    await expect(search({ text: { query: "a", path: "text", fuzzy: {} } })).rejects.toThrow(/fuzzy/);
    await expect(search({ text: { query: "a", path: "text" }, equals: { path: "kind", value: "fruit" } })).rejects.toThrow(/exactly one operator/);
    await expect(fruits.createSearchIndex({ name: "bad", definition: { mappings: { dynamic: true }, analyzers: [{ name: "x", tokenizer: { type: "nGram" } }] } })).rejects.toThrow(
      /unsupported tokenizer/,
    );
  });
});

describe("$rankFusion", () => {
  it("fuses ranked pipelines by reciprocal rank, weights included, with scoreDetails", async () => {
    const results = await fruits
      .aggregate([
        {
          $rankFusion: {
            input: {
              pipelines: {
                lexical: [{ $search: { text: { query: "red", path: "text" } } }],
                byId: [{ $match: { _id: { $gte: 2 } } }, { $sort: { _id: -1 } }],
              },
            },
            combination: { weights: { lexical: 2 } },
            scoreDetails: true,
          },
        },
        { $project: { _id: 1, score: { $meta: "score" }, details: { $meta: "scoreDetails" } } },
      ])
      .toArray();
    // lexical: 3 (rank 1), 1 (rank 2); byId: 5, 4, 3, 2 (ranks 1..4).
    const expected: Record<number, number> = { 3: 2 / 61 + 1 / 63, 1: 2 / 62, 5: 1 / 61, 4: 1 / 62, 2: 1 / 64 };
    expect(results.map((doc) => doc._id)).toEqual([3, 1, 5, 4, 2]);
    for (const doc of results) expect(doc.score).toBeCloseTo(expected[doc._id as number], 10);
    const three = results[0].details as Document;
    expect(three.value).toBeCloseTo(expected[3], 10);
    expect(three.details.map((detail: Document) => [detail.inputPipelineName, detail.rank, detail.weight])).toEqual([
      ["lexical", 1, 2],
      ["byId", 3, 1],
    ]);
    expect(three.details[0].value).toBeGreaterThan(0);
  });

  it("fuses $vectorSearch with $search", async () => {
    const vectors = mongo.client().db("search").collection<{ _id: number; text: string; v: number[] }>("vectors");
    await vectors.insertMany([
      { _id: 1, text: "alpha beta", v: [1, 0] },
      { _id: 2, text: "gamma", v: [0.8, 0.6] },
      { _id: 3, text: "beta beta", v: [0, 1] },
    ]);
    await vectors.createSearchIndex({ name: "vi", type: "vectorSearch", definition: { fields: [{ type: "vector", path: "v", numDimensions: 2, similarity: "cosine" }] } });
    await vectors.createSearchIndex({ name: "ti", definition: { mappings: { dynamic: true } } });
    const results = await vectors
      .aggregate([
        {
          $rankFusion: {
            input: {
              pipelines: {
                vector: [{ $vectorSearch: { index: "vi", path: "v", queryVector: [1, 0], numCandidates: 10, limit: 2 } }],
                text: [{ $search: { index: "ti", text: { query: "beta", path: "text" } } }, { $limit: 2 }],
              },
            },
          },
        },
        { $project: { _id: 1, score: { $meta: "score" } } },
      ])
      .toArray();
    // vector: 1, 2; text: 3 (beta twice, shorter), 1. So 1: 1/61 + 1/62, 3: 1/61, 2: 1/62.
    expect(results.map((doc) => doc._id)).toEqual([1, 3, 2]);
    expect(results[0].score).toBeCloseTo(1 / 61 + 1 / 62, 10);
  });

  it("refuses malformed specifications", async () => {
    await expect(fruits.aggregate([{ $rankFusion: { input: { pipelines: {} } } }]).toArray()).rejects.toThrow(/at least one/);
    await expect(fruits.aggregate([{ $rankFusion: { input: { pipelines: { a: [{ $project: { _id: 1 } }] } } } }]).toArray()).rejects.toThrow(/selection stage/);
    await expect(
      fruits.aggregate([{ $rankFusion: { input: { pipelines: { a: [{ $match: {} }] } }, combination: { weights: { b: 1 } } } }]).toArray(),
    ).rejects.toThrow(/unknown pipeline/);
  });
});
