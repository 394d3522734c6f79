import { MongoClient } from "mongodb";
import { startEmbeddedMongo } from "../src/embedded-mongo";

const DIMENSIONS = 768;
const LIMIT = 10;
const QUERIES = 50;

/** Deterministic pseudo-random unit vectors (xorshift), so runs compare. */
function vectors(count: number, seed: number): Float32Array[] {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 0xffffffff) * 2 - 1;
  };
  return Array.from({ length: count }, () => {
    const v = new Float32Array(DIMENSIONS);
    let norm = 0;
    for (let i = 0; i < DIMENSIONS; i++) norm += (v[i] = next()) ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < DIMENSIONS; i++) v[i] /= norm;
    return v;
  });
}

function percentiles(latencies: number[]): { p50: number; p95: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => Number(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(2));
  return { p50: at(0.5), p95: at(0.95) };
}

/** The floor: one loop of Float32Array dot products over the same vectors, keeping the best. */
function dotProductLoop(stored: Float32Array[], query: Float32Array): number {
  let best = -Infinity;
  let bestIndex = -1;
  for (let d = 0; d < stored.length; d++) {
    const v = stored[d];
    let dot = 0;
    for (let i = 0; i < DIMENSIONS; i++) dot += v[i] * query[i];
    if (dot > best) {
      best = dot;
      bestIndex = d;
    }
  }
  return bestIndex;
}

async function timed(run: () => Promise<unknown> | unknown): Promise<number[]> {
  const latencies: number[] = [];
  for (let q = 0; q < QUERIES; q++) {
    const t0 = process.hrtime.bigint();
    await run();
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return latencies;
}

async function benchSize(count: number): Promise<string> {
  const engine = await startEmbeddedMongo();
  const client = await MongoClient.connect(engine.uri);
  try {
    const passages = client.db("bench").collection("passages");
    const stored = vectors(count, count);
    for (let start = 0; start < count; start += 2_000) {
      await passages.insertMany(stored.slice(start, start + 2_000).map((v, k) => ({ n: start + k, owner: (start + k) % 10, embedding: Array.from(v) })));
    }
    await passages.createSearchIndex({
      name: "vector_index",
      type: "vectorSearch",
      definition: { fields: [{ type: "vector", path: "embedding", numDimensions: DIMENSIONS, similarity: "cosine" }, { type: "filter", path: "owner" }] },
    });
    const queries = vectors(QUERIES, 7);
    let q = 0;
    const search = () =>
      passages
        .aggregate([
          { $vectorSearch: { index: "vector_index", path: "embedding", queryVector: Array.from(queries[q++ % QUERIES]), numCandidates: LIMIT * 10, limit: LIMIT } },
          { $project: { n: 1, score: { $meta: "vectorSearchScore" } } },
        ])
        .toArray();
    await search(); // builds the Float32Array cache
    const engineMs = percentiles(await timed(search));
    let f = 0;
    const floorMs = percentiles(await timed(() => dotProductLoop(stored, queries[f++ % QUERIES])));
    const ratio = (engineMs.p50 / floorMs.p50).toFixed(1);
    return `  ${String(count).padStart(6)} chunks x ${DIMENSIONS}d  $vectorSearch p50 ${engineMs.p50} ms, p95 ${engineMs.p95} ms | dot-product loop p50 ${floorMs.p50} ms, p95 ${floorMs.p95} ms | ratio ${ratio}x`;
  } finally {
    await client.close();
    await engine.stop();
  }
}

/** `$vectorSearch` latency in the embedded engine beside the plain loop it cannot beat. */
export async function benchVectorSearch(sizes = [10_000, 100_000]): Promise<string[]> {
  const lines = [`vector search (embedded engine, one driver client, limit ${LIMIT}, numCandidates ${LIMIT * 10})`];
  for (const size of sizes) lines.push(await benchSize(size));
  return lines;
}
