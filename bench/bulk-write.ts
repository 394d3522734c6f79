import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient, ObjectId } from "mongodb";
import { startEmbeddedMongo, type EmbeddedMongoOptions } from "../src/embedded-mongo";

const REVIEWS = { memory: 2_000, durable: 300 };
const CARDS = 1_000;

interface Latencies {
  p50: number;
  p95: number;
}

function summary(latencies: number[]): Latencies {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => Number(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(3));
  return { p50: at(0.5), p95: at(0.95) };
}

/**
 * A review's writes, the shape issue 26 sends: a log inserted, the card's state and the learner's
 * profile updated, the deck marked studied (an upsert), awaited one by one and then as one
 * MongoClient.bulkWrite (the 8.0 bulkWrite command), alternating so both see the same machine.
 */
async function reviewWrites(options: EmbeddedMongoOptions, reviews: number): Promise<{ separate: Latencies; together: Latencies }> {
  const server = await startEmbeddedMongo(options);
  const client = await MongoClient.connect(server.uri);
  try {
    const db = client.db("bench");
    const user = new ObjectId();
    const cards = Array.from({ length: CARDS }, () => new ObjectId());
    await db.collection("review_states").insertMany(cards.map((_id) => ({ _id, user, due: new Date(), reps: 0 })));
    await db.collection("study_profiles").insertOne({ _id: user, reviews: 0 });
    const separate: number[] = [];
    const together: number[] = [];
    for (let i = 0; i < reviews * 2; i++) {
      const card = cards[i % CARDS];
      const now = new Date();
      const started = performance.now();
      if (i % 2 === 0) {
        await db.collection("review_logs").insertOne({ user, card, rating: 3, at: now });
        await db.collection("review_states").updateOne({ _id: card }, { $set: { due: now }, $inc: { reps: 1 } });
        await db.collection("study_profiles").updateOne({ _id: user }, { $inc: { reviews: 1 } });
        await db.collection("studied_decks").updateOne({ user, deck: i % 10 }, { $set: { at: now } }, { upsert: true });
        separate.push(performance.now() - started);
      } else {
        await client.bulkWrite([
          { name: "insertOne", namespace: "bench.review_logs", document: { user, card, rating: 3, at: now } },
          { name: "updateOne", namespace: "bench.review_states", filter: { _id: card }, update: { $set: { due: now }, $inc: { reps: 1 } } },
          { name: "updateOne", namespace: "bench.study_profiles", filter: { _id: user }, update: { $inc: { reviews: 1 } } },
          { name: "updateOne", namespace: "bench.studied_decks", filter: { user, deck: i % 10 }, update: { $set: { at: now } }, upsert: true },
        ]);
        together.push(performance.now() - started);
      }
    }
    return { separate: summary(separate), together: summary(together) };
  } finally {
    await client.close();
    await server.stop();
  }
}

/** A review's four writes as four commands and as one bulkWrite, in memory and durable. */
export async function benchBulkWrite(): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), "embedded-mongo-bulk-bench-"));
  try {
    const memory = await reviewWrites({}, REVIEWS.memory);
    const durable = await reviewWrites({ dataDir: join(dir, "durable") }, REVIEWS.durable);
    const line = (label: string, { separate, together }: { separate: Latencies; together: Latencies }) =>
      `  ${label.padEnd(10)} 4 commands p50 ${separate.p50} ms, p95 ${separate.p95} ms; one bulkWrite p50 ${together.p50} ms, p95 ${together.p95} ms (p50 ratio ${(together.p50 / separate.p50).toFixed(2)})`;
    return [
      `embedded-mongo bulkWrite (a review's insert + 2 updates + upsert on 4 collections, one client, awaited)`,
      line(`in memory`, memory),
      line(`durable`, durable),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
