import { MongoClient, type Document } from "mongodb";
import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();
const DOCS = 20_000;
/** Each document costs the filter a few microseconds and none matches: a scan long enough to watch. */
const SLOW_FILTER = { $expr: { $gt: [{ $size: { $range: [0, 10_000] } }, 50_000] } };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The operation whose command carries `comment`, as another client sees it through currentOp. */
async function waitForOp(admin: ReturnType<MongoClient["db"]>, comment: string): Promise<Document> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const { inprog } = await admin.command({ currentOp: 1, "command.comment": comment });
    if (inprog.length > 0) return inprog[0];
    await sleep(5);
  }
  throw new Error(`no operation with comment ${comment} appeared`);
}

describe("currentOp and killOp", () => {
  let watcher: MongoClient;
  const coll = () => db.client().db("ops").collection("big");
  const admin = () => watcher.db("admin");

  beforeAll(async () => {
    // A second client: its commands reach the server while the first one's scan runs.
    watcher = await MongoClient.connect(db.server().uri);
    for (let start = 0; start < DOCS; start += 5000) {
      await coll().insertMany(Array.from({ length: 5000 }, (_, i) => ({ n: start + i })));
    }
  });
  afterAll(() => watcher?.close());

  it("shows a running find and interrupts it with killOp, while other clients carry on", async () => {
    const scan = coll().find(SLOW_FILTER, { comment: "slow-find" }).toArray().then(
      () => undefined,
      (error: unknown) => error,
    );
    const op = await waitForOp(admin(), "slow-find");
    expect(op).toMatchObject({ type: "op", active: true, op: "query", ns: "ops.big", command: expect.objectContaining({ find: "big", comment: "slow-find" }), killPending: false });
    expect(Number.isInteger(op.opid)).toBe(true);
    expect(Number(op.secs_running)).toBeGreaterThanOrEqual(0);
    expect(Number(op.microsecs_running)).toBeGreaterThan(0);
    // The scan pauses: another client's write goes through while it runs.
    await watcher.db("ops").collection("other").insertOne({ during: true });

    expect(await admin().command({ killOp: 1, op: op.opid })).toMatchObject({ info: "attempting to kill op", ok: 1 });
    expect(await scan).toMatchObject({ code: 11601, codeName: "Interrupted" });
    const { inprog } = await admin().command({ currentOp: 1, "command.comment": "slow-find" });
    expect(inprog).toEqual([]);
    // Nothing was lost and the server still answers.
    expect(await coll().countDocuments()).toBe(DOCS);
  });

  it("lists operations through $currentOp as mongosh's db.currentOp() asks, and kills an aggregate", async () => {
    const run = coll().aggregate([{ $match: SLOW_FILTER }, { $count: "n" }], { comment: "slow-agg" }).toArray().then(
      () => undefined,
      (error: unknown) => error,
    );
    let op: Document | undefined;
    for (let attempt = 0; attempt < 500 && !op; attempt++) {
      [op] = await admin().aggregate([{ $currentOp: { allUsers: true, idleConnections: false, truncateOps: false } }, { $match: { "command.comment": "slow-agg" } }]).toArray();
      if (!op) await sleep(5);
    }
    expect(op).toMatchObject({ op: "command", ns: "ops.big", command: expect.objectContaining({ aggregate: "big" }) });
    // The one asking is running too.
    const all = await admin().aggregate([{ $currentOp: {} }]).toArray();
    expect(all.some((entry) => entry.command?.aggregate === 1 && entry.opid !== op?.opid)).toBe(true);
    await admin().command({ killOp: 1, op: op?.opid });
    expect(await run).toMatchObject({ code: 11601 });
  });

  it("stops a scan whose collection is dropped under it", async () => {
    const scratch = db.client().db("ops").collection("scratch");
    await scratch.insertMany(Array.from({ length: DOCS }, (_, n) => ({ n })));
    const scan = scratch.find(SLOW_FILTER, { comment: "dropped-under" }).toArray().then(
      () => undefined,
      (error: unknown) => error,
    );
    await waitForOp(admin(), "dropped-under");
    await watcher.db("ops").collection("scratch").drop();
    expect(await scan).toMatchObject({ code: 175, codeName: "QueryPlanKilled" });
  });

  it("stops a read that runs past its maxTimeMS", async () => {
    await expect(coll().find(SLOW_FILTER).maxTimeMS(50).toArray()).rejects.toMatchObject({ code: 50, codeName: "MaxTimeMSExpired" });
    await expect(coll().countDocuments(SLOW_FILTER, { maxTimeMS: 50 })).rejects.toMatchObject({ code: 50 });
    // A read within its time is untouched.
    expect(await coll().countDocuments({ n: { $lt: 10 } }, { maxTimeMS: 10_000 })).toBe(10);
  });

  it("answers killOp and currentOp only on admin, and refuses $currentOp elsewhere", async () => {
    await expect(db.client().db("ops").command({ killOp: 1, op: 1 })).rejects.toMatchObject({ code: 13 });
    await expect(db.client().db("ops").command({ currentOp: 1 })).rejects.toMatchObject({ code: 13 });
    await expect(admin().command({ killOp: 1 })).rejects.toMatchObject({ code: 40414 });
    await expect(db.client().db("ops").aggregate([{ $currentOp: {} }]).toArray()).rejects.toMatchObject({ code: 73 });
    // An operation that no longer runs: mongod answers the same.
    expect(await admin().command({ killOp: 1, op: 999_999 })).toMatchObject({ ok: 1 });
  });
});
