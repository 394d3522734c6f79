import { MongoClient } from "mongodb";
import { startEmbeddedMongo } from "../src/embedded-mongo";
import { LEXICAL_INDEX_DEFINITION, LEXICAL_INDEX_NAME, lexicalSearchStage } from "../src/modules/search/lexical-index";
import { VECTOR_INDEX_NAME, vectorSearchStage } from "../src/modules/search/vector-index";

const DIMENSIONS = 768;
const LIMIT = 10;
/** What the app asks each side for: twice the hits, at least 20. */
const CANDIDATES = 20;
const QUERIES = 30;
const WORDS_PER_PASSAGE = 120;

/** Deterministic pseudo-random numbers (xorshift), so runs compare. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0xffffffff;
  };
}

function unitVector(next: () => number): number[] {
  const v = Array.from({ length: DIMENSIONS }, () => next() * 2 - 1);
  const norm = Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
  return v.map((x) => x / norm);
}

/** A vocabulary with a Zipf-like use: a few common words, many rare ones (and some option names). */
const VOCABULARY = Array.from({ length: 5_000 }, (_, i) => (i % 97 === 0 ? `-${String.fromCharCode(97 + (i % 26))}${i}` : `word${i}`));

function passageText(next: () => number): string {
  const words: string[] = [];
  for (let i = 0; i < WORDS_PER_PASSAGE; i++) words.push(VOCABULARY[Math.floor(VOCABULARY.length * next() ** 3)]);
  return words.join(" ") + ".";
}

function percentiles(latencies: number[]): { p50: number; p95: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => Number(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(1));
  return { p50: at(0.5), p95: at(0.95) };
}

async function timed(run: (q: number) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const latencies: number[] = [];
  for (let q = 0; q < QUERIES; q++) {
    const t0 = process.hrtime.bigint();
    await run(q);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return percentiles(latencies);
}

async function benchSize(count: number): Promise<string> {
  const engine = await startEmbeddedMongo();
  const client = await MongoClient.connect(engine.uri);
  try {
    const passages = client.db("bench").collection("embeddings");
    const next = random(count);
    for (let start = 0; start < count; start += 2_000) {
      const batch = Array.from({ length: Math.min(2_000, count - start) }, () => ({
        source_type: "upload",
        owner_id: 1,
        embedding_model_id: "bench",
        text: passageText(next),
        heading: "",
        embedding: unitVector(next),
      }));
      await passages.insertMany(batch);
    }
    await passages.createSearchIndex({
      name: VECTOR_INDEX_NAME,
      type: "vectorSearch",
      definition: {
        fields: [
          { type: "vector", path: "embedding", numDimensions: DIMENSIONS, similarity: "cosine" },
          ...["source_type", "owner_id", "embedding_model_id"].map((path) => ({ type: "filter", path })),
        ],
      },
    });
    await passages.createSearchIndex({ name: LEXICAL_INDEX_NAME, type: "search", definition: LEXICAL_INDEX_DEFINITION });
    const filter = { embedding_model_id: "bench", source_type: "upload", owner_id: 1 };
    const queryNext = random(7);
    const queries = Array.from({ length: QUERIES }, () => ({ vector: unitVector(queryNext), text: passageText(queryNext).split(" ").slice(0, 6).join(" ") }));
    const vectorOnly = (q: number) =>
      passages.aggregate([vectorSearchStage(queries[q].vector, filter, LIMIT), { $project: { embedding: 0 } }]).toArray();
    const hybrid = (q: number) =>
      passages
        .aggregate([
          {
            $rankFusion: {
              input: {
                pipelines: {
                  vector: [vectorSearchStage(queries[q].vector, filter, CANDIDATES)],
                  lexical: [lexicalSearchStage(queries[q].text, filter), { $limit: CANDIDATES }],
                },
              },
              scoreDetails: true,
            },
          },
          { $limit: LIMIT },
          { $project: { embedding: 0 } },
        ])
        .toArray();
    // First queries build the per-document caches (vectors, analysed terms).
    await vectorOnly(0);
    await hybrid(0);
    const vector = await timed(vectorOnly);
    const fused = await timed(hybrid);
    return `  ${String(count).padStart(6)} passages  vector-only p50 ${vector.p50} ms, p95 ${vector.p95} ms | hybrid ($rankFusion of $vectorSearch + $search) p50 ${fused.p50} ms, p95 ${fused.p95} ms | ratio ${(fused.p50 / vector.p50).toFixed(1)}x`;
  } finally {
    await client.close();
    await engine.stop();
  }
}

/** Search latency in the embedded engine: the app's hybrid query beside its vector-only one. */
export async function benchHybridSearch(sizes = [10_000, 100_000]): Promise<string[]> {
  const lines = [`hybrid search (embedded engine, ${DIMENSIONS}d, ${WORDS_PER_PASSAGE} words a passage, limit ${LIMIT}, ${CANDIDATES} candidates a side)`];
  for (const size of sizes) lines.push(await benchSize(size));
  return lines;
}
