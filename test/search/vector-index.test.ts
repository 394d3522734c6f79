import mongoose, { Types } from "mongoose";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { createLogger } from "../../src/lib/logger";
import { EmbeddingModel, SourceType } from "../../src/modules/search/embedding.model";
import { VectorIndex } from "../../src/modules/search/vector-index";

const DIMS = 16;
const MODEL = "test/model/16";
let engine: EmbeddedMongo;
const owners = [new Types.ObjectId(), new Types.ObjectId()];

function unitVector(seed: number): number[] {
  const v = Array.from({ length: DIMS }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 43758.5453 % 1);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

beforeAll(async () => {
  engine = await startEmbeddedMongo({ port: 0 });
  await mongoose.connect(engine.uri, { dbName: "vector-index" });
  await EmbeddingModel.insertMany(
    Array.from({ length: 200 }, (_, i) => ({
      source_type: SourceType.UPLOAD,
      source_id: new Types.ObjectId(),
      source_title: `doc ${i}`,
      owner_id: owners[i % 2],
      chunk_index: 0,
      text: `passage ${i}`,
      heading: "",
      char_start: 0,
      char_end: 10,
      embedding: unitVector(i),
      // A few rows of another embedding space, which must never be compared.
      embedding_model_id: i % 10 === 0 ? "other/model/16" : MODEL,
    })),
  );
});

afterAll(async () => {
  await mongoose.disconnect();
  await engine.stop();
});

test("$vectorSearch and the exact in-app fallback rank the same passages with the same scores", async () => {
  const log = createLogger({ level: "silent" });
  const warn = jest.spyOn(log, "warn");
  const vectorSearch = new VectorIndex({ dimensions: async () => DIMS, log });
  await vectorSearch.ensure();
  expect(warn).not.toHaveBeenCalled();

  // A MongoDB without Atlas Search refuses the search index commands.
  const refuse = jest.spyOn(EmbeddingModel.collection, "listSearchIndexes").mockImplementation(() => {
    throw new Error("Search index commands are only supported with Atlas");
  });
  const exact = new VectorIndex({ dimensions: async () => DIMS, log });
  await exact.ensure();
  refuse.mockRestore();
  expect(warn).toHaveBeenCalledWith(expect.anything(), expect.stringMatching(/no vector search/));

  for (const seed of [3.5, 42.1, 77.7]) {
    const filter = { owner_id: owners[0], embedding_model_id: MODEL };
    const [a, b] = await Promise.all([vectorSearch.nearest(unitVector(seed), filter, 8), exact.nearest(unitVector(seed), filter, 8)]);
    expect(a).toHaveLength(8);
    expect(a.map((m) => m.passage.text)).toEqual(b.map((m) => m.passage.text));
    a.forEach((match, i) => expect(match.score).toBeCloseTo(b[i].score, 5));
    expect(a.every((m) => m.passage.owner_id!.equals(owners[0]) && m.passage.embedding_model_id === MODEL)).toBe(true);
    expect(a.every((m) => !("embedding" in m.passage))).toBe(true);
  }
});
