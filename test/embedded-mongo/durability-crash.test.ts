import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient, MongoServerError, type Collection, type Db } from "mongodb";
import { startEmbeddedMongo } from "../../src/embedded-mongo";
import { SNAPSHOT_TEMP_FILE } from "../../src/embedded-mongo/persistence/files";
import { killHard, scanDataDir, spawnDurableServer } from "./fixtures/durable-process";

const ROUNDS = 24;
const WRITERS = 4;
const BATCH = 5;
const MIN_ACKS_PER_ROUND = 11;
// Compaction whenever the journal passes a fifth of the snapshot: the server is compacting most
// of the time, so kills land in every phase of it.
const COMPACTION = { factor: 0.2, minJournalBytes: 16 * 1024 };

interface Ledger {
  /** Set just before the kill so writers stop starting commands that could only time out. */
  stopping: boolean;
  nextBatch: number;
  issued: Set<number>;
  acked: Set<number>;
  incsIssued: number;
  incsAcked: number;
  churns: number;
}

interface CrashDoc {
  _id: string;
  batch: number;
  k: number;
  seq: number;
  u: string;
}

/**
 * One writer: insertMany of BATCH documents (one command, so all or nothing), then an upserted
 * counter increment, until the server dies under it. Only replies received count as acknowledged.
 */
async function write(docs: Collection<CrashDoc>, counter: Collection<{ _id: string; v: number }>, ledger: Ledger): Promise<void> {
  while (!ledger.stopping) {
    const batch = ledger.nextBatch++;
    ledger.issued.add(batch);
    const pad = "x".repeat(200);
    await docs.insertMany(Array.from({ length: BATCH }, (_, k) => ({ _id: `${batch}-${k}`, batch, k, seq: batch * BATCH + k, u: `u${batch}.${k}`, pad })));
    ledger.acked.add(batch);
    ledger.incsIssued++;
    await counter.updateOne({ _id: "counter" }, { $inc: { v: 1 } }, { upsert: true });
    ledger.incsAcked++;
  }
}

/** Catalog churn alongside the writers, so kills also land among index builds and drops; only loading it back is checked. */
async function churn(db: Db, ledger: Ledger): Promise<void> {
  for (let i = 0; !ledger.stopping; i++) {
    // Dropped first: a kill in an earlier round may have left it in any state.
    const scratch = db.collection(`scratch${i % 3}`);
    await scratch.drop();
    await scratch.insertMany([{ x: i }, { x: i + 1 }]);
    await scratch.createIndex({ x: 1 }, { unique: true });
    await scratch.dropIndex("x_1");
    ledger.churns++;
  }
}

/**
 * Resolves once `count` more batches are acknowledged than `from`, or after `timeoutMs`: every round
 * kills a server that has taken writes, however slow the machine is.
 */
async function acknowledged(ledger: Ledger, from: number, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (ledger.acked.size < from + count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
}

/** Resolves once a compaction is visibly under way (a temporary snapshot or a second journal), or after `timeoutMs`. */
async function compactionSeen(dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const names = await readdir(dir);
    if (names.includes(SNAPSHOT_TEMP_FILE) || names.filter((name) => name.startsWith("journal.")).length > 1) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

async function verify(dir: string, ledger: Ledger): Promise<void> {
  const server = await startEmbeddedMongo({ dataDir: dir });
  const client = await MongoClient.connect(server.uri);
  try {
    const db = client.db("crash");
    const docs = await db.collection<CrashDoc>("docs").find({}, { projection: { pad: 0 } }).toArray();
    const byBatch = new Map<number, number>();
    for (const doc of docs) byBatch.set(doc.batch, (byBatch.get(doc.batch) ?? 0) + 1);

    const missing = [...ledger.acked].filter((batch) => byBatch.get(batch) !== BATCH);
    expect(missing).toEqual([]);
    const halfApplied = [...byBatch].filter(([, count]) => count !== BATCH);
    expect(halfApplied).toEqual([]);
    const neverIssued = [...byBatch.keys()].filter((batch) => !ledger.issued.has(batch));
    expect(neverIssued).toEqual([]);
    expect(new Set(docs.map((doc) => doc.seq)).size).toBe(docs.length);
    expect(new Set(docs.map((doc) => doc.u)).size).toBe(docs.length);

    const counter = await db.collection<{ _id: string; v: number }>("counter").findOne({ _id: "counter" });
    const v = counter?.v ?? 0;
    expect(v).toBeGreaterThanOrEqual(ledger.incsAcked);
    expect(v).toBeLessThanOrEqual(ledger.incsIssued);

    const indexes = await db.collection<CrashDoc>("docs").indexes();
    expect(indexes.find((index) => index.name === "u_1")).toMatchObject({ key: { u: 1 }, unique: true });
    if (docs.length > 0) {
      const duplicate = db.collection<CrashDoc>("docs").insertOne({ _id: "dup", batch: -1, k: 0, seq: -1, u: docs[0].u });
      await expect(duplicate).rejects.toBeInstanceOf(MongoServerError);
      await expect(duplicate).rejects.toMatchObject({ code: 11000 });
    }
  } finally {
    await client.close();
    await server.stop();
  }
  const scans = await scanDataDir(dir);
  for (const [name, scan] of Object.entries(scans)) expect({ name, problem: scan.problem, intact: scan.validBytes === scan.fileBytes }).toEqual({ name, problem: undefined, intact: true });
}

describe("durability under SIGKILL", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "embedded-mongo-crash-"));
    const server = await startEmbeddedMongo({ dataDir: dir });
    const client = await MongoClient.connect(server.uri);
    await client.db("crash").collection("docs").createIndex({ u: 1 }, { unique: true });
    await client.close();
    await server.stop();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it(`keeps every acknowledged write, exactly once and whole, across ${ROUNDS} kills`, async () => {
    const ledger: Ledger = { stopping: false, nextBatch: 0, issued: new Set(), acked: new Set(), incsIssued: 0, incsAcked: 0, churns: 0 };
    let killedMidCompaction = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const { child, uri } = await spawnDurableServer(dir, COMPACTION);
      const client = new MongoClient(uri, { retryWrites: false, maxPoolSize: WRITERS + 1, serverSelectionTimeoutMS: 2_000 });
      const db = client.db("crash");
      const writers = [
        ...Array.from({ length: WRITERS }, () => write(db.collection("docs"), db.collection("counter"), ledger).catch(() => undefined)),
        churn(db, ledger).catch(() => undefined),
      ];
      await acknowledged(ledger, ledger.acked.size, MIN_ACKS_PER_ROUND, 10_000);
      // Odd rounds aim at a compaction in progress; even ones kill at a random moment.
      if (round % 2 === 1) await compactionSeen(dir, 1_500);
      await new Promise((resolve) => setTimeout(resolve, round % 2 === 1 ? Math.random() * 5 : 20 + Math.random() * 250));
      ledger.stopping = true;
      await killHard(child);
      const names = await readdir(dir);
      if (existsSync(join(dir, SNAPSHOT_TEMP_FILE)) || names.filter((name) => name.startsWith("journal.")).length > 1) killedMidCompaction++;
      await Promise.all(writers);
      await client.close();
      ledger.stopping = false;
      await verify(dir, ledger);
    }
    expect(ledger.acked.size).toBeGreaterThan(ROUNDS * 10);
    expect(killedMidCompaction).toBeGreaterThanOrEqual(3);
    expect(ledger.churns).toBeGreaterThan(0);
    process.stdout.write(`crash test: ${ROUNDS} kills, ${killedMidCompaction} mid-compaction, ${ledger.acked.size} of ${ledger.issued.size} batches acknowledged, ${ledger.churns} create/index/drop cycles\n`);
  }, 180_000);
});
