import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import { startEmbeddedMongo, type EmbeddedMongoOptions } from "../src/embedded-mongo";

const INSERTS = 10_000;
const CONCURRENCY = 16;
const SEQUENTIAL_INSERTS = 500;
const STARTUP_DOCUMENTS = 100_000;

/** Single-document inserts per second: `concurrency` loops of awaited insertOne sharing one client. */
async function insertsPerSecond(options: EmbeddedMongoOptions, total: number, concurrency: number): Promise<number> {
  const server = await startEmbeddedMongo(options);
  const client = await MongoClient.connect(server.uri, { maxPoolSize: concurrency });
  try {
    const coll = client.db("bench").collection("singles");
    // Opens every pooled connection first, so the timing is of inserts, not of handshakes.
    await Promise.all(Array.from({ length: concurrency }, () => coll.insertOne({ warmUp: true })));
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < total; i = next++) await coll.insertOne({ i, name: `doc ${i}` });
      }),
    );
    return Math.round(total / ((performance.now() - started) / 1000));
  } finally {
    await client.close();
    await server.stop();
  }
}

async function startupMs(dataDir: string): Promise<number> {
  const started = performance.now();
  const server = await startEmbeddedMongo({ dataDir });
  const elapsed = performance.now() - started;
  await server.stop();
  return Math.round(elapsed);
}

async function fill(dataDir: string): Promise<void> {
  const server = await startEmbeddedMongo({ dataDir });
  const client = await MongoClient.connect(server.uri);
  try {
    const users = client.db("bench").collection("users");
    await users.createIndex({ email: 1 }, { unique: true });
    for (let start = 0; start < STARTUP_DOCUMENTS; start += 10_000) {
      await users.insertMany(Array.from({ length: 10_000 }, (_, k) => ({ email: `user${start + k}@example.com`, n: start + k, createdAt: new Date() })));
    }
  } finally {
    await client.close();
    await server.stop();
  }
}

/** One write past a zero threshold folds the whole journal into a snapshot; stop waits for it. */
async function compact(dataDir: string): Promise<void> {
  const server = await startEmbeddedMongo({ dataDir, compaction: { factor: 0, minJournalBytes: 0 } });
  const client = await MongoClient.connect(server.uri);
  await client.db("bench").collection("marker").insertOne({ compacted: true });
  await client.close();
  await server.stop();
}

/** Durable vs in-memory insert throughput, and how long a 100k-document data directory takes to open. */
export async function benchDurability(): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), "embedded-mongo-bench-"));
  try {
    const memory = await insertsPerSecond({}, INSERTS, CONCURRENCY);
    const durable = await insertsPerSecond({ dataDir: join(dir, "inserts") }, INSERTS, CONCURRENCY);
    const durableSequential = await insertsPerSecond({ dataDir: join(dir, "sequential") }, SEQUENTIAL_INSERTS, 1);
    const startup = join(dir, "startup");
    await fill(startup);
    const fromJournal = await startupMs(startup);
    await compact(startup);
    const fromSnapshot = await startupMs(startup);
    return [
      `embedded-mongo durability (dataDir on ${tmpdir()}, journal fsync'd before each acknowledgement)`,
      `  single inserts/s, ${CONCURRENCY} in flight, in memory      ${memory}`,
      `  single inserts/s, ${CONCURRENCY} in flight, durable        ${durable}   (ratio ${(durable / memory).toFixed(2)}, group commit)`,
      `  single inserts/s, 1 in flight, durable          ${durableSequential}   (one fsync per insert)`,
      `  start-up at ${STARTUP_DOCUMENTS} docs, journal replay     ${fromJournal} ms`,
      `  start-up at ${STARTUP_DOCUMENTS} docs, from snapshot      ${fromSnapshot} ms`,
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
