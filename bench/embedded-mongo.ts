import { MongoClient, type Collection, type Document } from "mongodb";
import { startEmbeddedMongo } from "../src/embedded-mongo";

/** Figures the engine's issue asks for, measured from one driver client awaiting each call. */
export interface EmbeddedMongoBenchResult {
  insertsPerSecond: number;
  findsByIdPerSecond: number;
  uniqueFieldLatencyMs: { p50: number; p99: number };
  docsExaminedForIndexedEquality: number;
  documents: number;
  /** Index-served reads at `documents` documents: the three shapes. */
  planned: PlannedRead[];
}

export interface PlannedRead {
  name: string;
  returned: number;
  docsExamined: number;
  keysExamined: number;
  p50: number;
  p99: number;
}

async function timed(count: number, run: (i: number) => Promise<unknown>): Promise<{ perSecond: number; latencies: number[] }> {
  const latencies: number[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    await run(i);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { perSecond: Math.round(count / seconds), latencies };
}

function percentile(sorted: number[], p: number): number {
  return Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(3));
}

async function fill(coll: Collection<Document>, total: number): Promise<void> {
  const batch = 10_000;
  for (let start = 0; start < total; start += batch) {
    const docs = Array.from({ length: Math.min(batch, total - start) }, (_, k) => ({ email: `user${start + k}@example.com`, n: start + k }));
    await coll.insertMany(docs);
  }
}

export async function benchEmbeddedMongo(documents = 100_000, operations = 20_000): Promise<EmbeddedMongoBenchResult> {
  const server = await startEmbeddedMongo();
  const client = await MongoClient.connect(server.uri);
  try {
    const db = client.db("bench");
    const singles = db.collection("singles");
    const inserts = await timed(operations, (i) => singles.insertOne({ i, name: `doc ${i}` }));
    const ids = (await singles.find({}, { projection: { _id: 1 } }).toArray()).map((doc) => doc._id);
    const finds = await timed(operations, (i) => singles.findOne({ _id: ids[i % ids.length] }));

    const users = db.collection("users");
    await users.createIndex({ email: 1 }, { unique: true });
    await fill(users, documents);
    const lookups = await timed(5_000, (i) => users.findOne({ email: `user${(i * 7919) % documents}@example.com` }));
    const sorted = lookups.latencies.sort((a, b) => a - b);
    const explain = await users.find({ email: "user4242@example.com" }).explain("executionStats");
    const planned = await plannedReads(db.collection("events"), documents);
    return {
      insertsPerSecond: inserts.perSecond,
      findsByIdPerSecond: finds.perSecond,
      uniqueFieldLatencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99) },
      docsExaminedForIndexedEquality: explain.executionStats.totalDocsExamined,
      documents: await users.countDocuments(),
      planned,
    };
  } finally {
    await client.close();
    await server.stop();
  }
}

/** Events with an indexed date, an indexed number and a (kind, at) compound index, in random order. */
async function fillEvents(coll: Collection<Document>, total: number): Promise<void> {
  const batch = 10_000;
  const start = Date.UTC(2026, 0, 1);
  for (let from = 0; from < total; from += batch) {
    const docs = Array.from({ length: Math.min(batch, total - from) }, (_, k) => {
      const i = from + k;
      const shuffled = (i * 7919) % total;
      return { at: new Date(start + shuffled * 60_000), score: (i * 104_729) % 100_000, kind: `kind${i % 50}`, body: `event ${i}` };
    });
    await coll.insertMany(docs);
  }
  await coll.createIndex({ at: -1 });
  await coll.createIndex({ score: 1 });
  await coll.createIndex({ kind: 1, at: -1 });
}

async function plannedReads(coll: Collection<Document>, total: number): Promise<PlannedRead[]> {
  await fillEvents(coll, total);
  const shapes: Array<{ name: string; read: (i: number) => ReturnType<Collection<Document>["find"]> }> = [
    { name: "20 newest by indexed date", read: () => coll.find({}).sort({ at: -1 }).limit(20) },
    { name: "range on indexed number (50)", read: (i) => coll.find({ score: { $gte: (i * 37) % 99_000, $lt: ((i * 37) % 99_000) + 50 } }) },
    { name: "compound prefix equality + sort (20)", read: (i) => coll.find({ kind: `kind${i % 50}` }).sort({ at: -1 }).limit(20) },
  ];
  const out: PlannedRead[] = [];
  for (const shape of shapes) {
    const runs = await timed(1_000, (i) => shape.read(i).toArray());
    const sorted = runs.latencies.sort((a, b) => a - b);
    const explain = await shape.read(7).explain("executionStats");
    out.push({
      name: shape.name,
      returned: explain.executionStats.nReturned,
      docsExamined: explain.executionStats.totalDocsExamined,
      keysExamined: explain.executionStats.totalKeysExamined,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
    });
  }
  return out;
}
