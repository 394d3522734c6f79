import { appendFile, mkdtemp, open, readdir, readFile, rm, stat, writeFile, type FileHandle } from "node:fs/promises";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Binary, BSON, Decimal128, Long, MongoClient, ObjectId, type Document } from "mongodb";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { journalFile, LOCK_FILE, SNAPSHOT_FILE, SNAPSHOT_TEMP_FILE } from "../../src/embedded-mongo/persistence/files";
import { JournalWriter } from "../../src/embedded-mongo/persistence/journal";
import { DurableStore } from "../../src/embedded-mongo/persistence/durable-store";
import { encodeRecord, RECORD_HEADER_SIZE, scanRecords } from "../../src/embedded-mongo/persistence/records";
import { captureCatalog, writeSnapshot } from "../../src/embedded-mongo/persistence/snapshot";
import { scanDataDir, spawnDurableServer } from "./fixtures/durable-process";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "embedded-mongo-durability-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Starts a durable engine on `dir`, runs `body` with a connected client, then stops both. */
async function session<T>(body: (client: MongoClient, server: EmbeddedMongo) => Promise<T>, compaction?: { factor: number; minJournalBytes: number }): Promise<T> {
  const server = await startEmbeddedMongo({ dataDir: dir, compaction });
  const client = await MongoClient.connect(server.uri);
  try {
    return await body(client, server);
  } finally {
    await client.close();
    await server.stop();
  }
}

/** Any _id type, as the tests store numbers and strings too. */
type AnyDoc = { _id?: string | number | ObjectId; [field: string]: unknown };
const docs = (client: MongoClient) => client.db("app").collection<AnyDoc>("docs");

async function journalPath(): Promise<string> {
  const journals = (await readdir(dir)).filter((name) => name.startsWith("journal."));
  expect(journals).toHaveLength(1);
  return join(dir, journals[0]);
}

async function dirBytes(): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size;
  return total;
}

describe("durable data directory", () => {
  it("keeps documents of every BSON type, collections and options across restarts", async () => {
    const doc = {
      _id: new ObjectId(),
      long: Long.fromString("9007199254740993"),
      decimal: Decimal128.fromString("1.10"),
      binary: new Binary(Buffer.from([0, 1, 2, 255]), 4),
      date: new Date("2024-02-29T12:00:00Z"),
      nested: { list: [1, "two", { three: 3.5 }], empty: {} },
      nothing: null,
    };
    await session(async (client) => {
      await client.db("app").createCollection("capped", { validator: { n: { $type: "int" } } });
      await docs(client).insertOne(doc);
      await docs(client).updateOne({ _id: doc._id }, { $set: { "nested.added": true } });
    });
    await session(async (client) => {
      expect(await docs(client).findOne({ _id: doc._id })).toEqual({ ...doc, nested: { ...doc.nested, added: true } });
      const collections = await client.db("app").listCollections({}, { nameOnly: false }).toArray();
      expect(collections.map((c) => c.name).sort()).toEqual(["capped", "docs"]);
      expect(collections.find((c) => c.name === "capped")?.options).toEqual({ validator: { n: { $type: "int" } } });
    });
  });

  it("keeps index definitions (unique, compound, sparse, partial, TTL) and enforces them after a restart", async () => {
    await session(async (client) => {
      await docs(client).createIndex({ email: 1 }, { unique: true });
      await docs(client).createIndex({ a: 1, b: -1 }, { name: "a_b" });
      await docs(client).createIndex({ nick: 1 }, { unique: true, sparse: true });
      await docs(client).createIndex({ code: 1 }, { unique: true, partialFilterExpression: { active: true } });
      await docs(client).createIndex({ seenAt: 1 }, { expireAfterSeconds: 1 });
      await docs(client).insertOne({ email: "a@x.org", seenAt: new Date() });
    });
    const indexes = await session(async (client) => {
      await expect(docs(client).insertOne({ email: "a@x.org" })).rejects.toMatchObject({ code: 11000, keyValue: { email: "a@x.org" } });
      return docs(client).indexes();
    });
    expect(indexes).toEqual([
      { v: 2, key: { _id: 1 }, name: "_id_" },
      { v: 2, key: { email: 1 }, name: "email_1", unique: true },
      { v: 2, key: { a: 1, b: -1 }, name: "a_b" },
      { v: 2, key: { nick: 1 }, name: "nick_1", unique: true, sparse: true },
      { v: 2, key: { code: 1 }, name: "code_1", unique: true, partialFilterExpression: { active: true } },
      { v: 2, key: { seenAt: 1 }, name: "seenAt_1", expireAfterSeconds: 1 },
    ]);
    // The TTL monitor of the restarted engine expires the document, and that delete is journaled too.
    await session(async (client) => {
      const deadline = Date.now() + 5_000;
      while ((await docs(client).countDocuments()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await docs(client).countDocuments()).toBe(0);
    });
    await session(async (client) => expect(await docs(client).countDocuments()).toBe(0));
  });

  it("keeps search index definitions through the journal and a snapshot, and drops them with their collection", async () => {
    const definition = { fields: [{ type: "vector", path: "embedding", numDimensions: 3, similarity: "cosine" }] };
    const searchIndexes = async (client: MongoClient) =>
      (await docs(client).listSearchIndexes().toArray()).map((index: Document) => ({ name: index.name, type: index.type, latestDefinition: index.latestDefinition }));
    await session(async (client) => {
      await docs(client).createSearchIndex({ name: "vector_index", type: "vectorSearch", definition });
      await docs(client).insertMany([{ _id: 1, embedding: [1, 0, 0] }, { _id: 2, embedding: [0, 1, 0] }]);
    });
    const nearest = (client: MongoClient) =>
      docs(client).aggregate([{ $vectorSearch: { index: "vector_index", path: "embedding", queryVector: [0, 1, 0], exact: true, limit: 1 } }, { $project: { _id: 1 } }]).toArray();
    // Replayed from the journal, then from a snapshot written by compaction.
    await session(async (client) => {
      expect(await searchIndexes(client)).toEqual([{ name: "vector_index", type: "vectorSearch", latestDefinition: definition }]);
      expect(await nearest(client)).toEqual([{ _id: 2 }]);
      await docs(client).insertMany(Array.from({ length: 200 }, (_, i) => ({ _id: `pad${i}`, pad: "x".repeat(500) })));
    }, { factor: 0.01, minJournalBytes: 1 });
    expect(await readdir(dir)).toContain(SNAPSHOT_FILE);
    await session(async (client) => {
      expect(await searchIndexes(client)).toHaveLength(1);
      expect(await nearest(client)).toEqual([{ _id: 2 }]);
      await docs(client).drop();
      await docs(client).insertOne({ _id: 3 });
    });
    await session(async (client) => expect(await searchIndexes(client)).toEqual([]));
  });

  it("shares one fsync among writes that arrive together (group commit)", async () => {
    const probe = await open(join(tmpdir(), "."), "r");
    const fileHandlePrototype = Object.getPrototypeOf(probe) as { datasync(): Promise<void> };
    await probe.close();
    await session(async (client) => {
      await docs(client).insertOne({ warmUp: true });
      const datasync = jest.spyOn(fileHandlePrototype, "datasync");
      try {
        await Promise.all(Array.from({ length: 200 }, (_, i) => docs(client).insertOne({ i })));
        expect(datasync.mock.calls.length).toBeGreaterThan(0);
        expect(datasync.mock.calls.length).toBeLessThan(50);
      } finally {
        datasync.mockRestore();
      }
    });
    await session(async (client) => expect(await docs(client).countDocuments()).toBe(201));
  });

  it("serves a directory standalone with npm run db -- --dbpath, and keeps it across a SIGTERM restart", async () => {
    const serve = async (body: (client: MongoClient) => Promise<void>) => {
      const child = spawn(process.execPath, ["-r", "@swc-node/register", "src/embedded-mongo/cli.ts", "--port", "0", "--dbpath", dir], { stdio: ["ignore", "pipe", "inherit"] });
      const [uri] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
      const client = await MongoClient.connect(uri);
      await body(client);
      await client.close();
      child.kill("SIGTERM");
      expect(await once(child, "exit")).toEqual([0, null]);
    };
    await serve((client) => docs(client).insertOne({ _id: "standalone" }).then(() => undefined));
    expect(await readdir(dir)).not.toContain(LOCK_FILE);
    await serve(async (client) => expect(await docs(client).findOne({ _id: "standalone" })).toEqual({ _id: "standalone" }));
  });

  it("refuses every write after a journal write fails, rather than acknowledging what the disk lacks", async () => {
    const writer = await JournalWriter.open(dir, 1, 0);
    await writer.append(encodeRecord([{ n: 1 }]));
    await writer.close();
    await expect(writer.append(encodeRecord([{ n: 2 }]))).rejects.toThrow("is closed");

    const failing = await JournalWriter.open(dir, 1, 0);
    const internals = failing as unknown as { handle: FileHandle };
    await internals.handle.close();
    // Pointing the writer at a read-only handle makes its next write fail as a full or broken disk would.
    const handle = await open(join(dir, journalFile(1)), "r");
    internals.handle = handle;
    await expect(failing.append(encodeRecord([{ n: 3 }]))).rejects.toThrow("journal write failed");
    await expect(failing.append(encodeRecord([{ n: 4 }]))).rejects.toThrow("journal write failed");
    await handle.close();
  });

  describe("a torn or corrupt journal tail", () => {
    let warn: jest.SpyInstance;
    beforeEach(() => {
      warn = jest.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    });
    afterEach(() => warn.mockRestore());
    const insertAndStop = (count: number) => session((client) => docs(client).insertMany(Array.from({ length: count }, (_, i) => ({ _id: i }))).then(() => undefined));

    it("is cut off when a record was only partly written", async () => {
      await insertAndStop(3);
      const path = await journalPath();
      const intact = (await stat(path)).size;
      const record = encodeRecord([{ op: "insert", db: "app", coll: "docs", doc: { _id: 99 } }]);
      await appendFile(path, record.subarray(0, record.length - 3));

      await session(async (client) => {
        expect(await docs(client).find().toArray()).toEqual([{ _id: 0 }, { _id: 1 }, { _id: 2 }]);
        expect((await stat(path)).size).toBe(intact);
        expect(warn).toHaveBeenCalledWith(expect.stringContaining(`cut ${record.length - 3} bytes of unacknowledged tail from ${path}`));
        await docs(client).insertOne({ _id: 3 });
      });
      await session(async (client) => expect(await docs(client).countDocuments()).toBe(4));
      for (const { problem, validBytes, fileBytes } of Object.values(await scanDataDir(dir))) expect({ problem, validBytes }).toEqual({ problem: undefined, validBytes: fileBytes });
    });

    it("loads any prefix of a journal (what a crash can leave) to exactly the records it holds whole", async () => {
      await session(async (client) => {
        for (let i = 0; i < 30; i++) await docs(client).insertOne({ _id: i, text: "y".repeat(i * 10) });
      });
      const journal = await readFile(await journalPath());
      const ends: number[] = [];
      const handle = await open(await journalPath(), "r");
      await scanRecords(handle, (ops, offset) => ends.push(ops.reduce((end, op) => end + BSON.calculateObjectSize(op), offset + RECORD_HEADER_SIZE)));
      await handle.close();
      // One record per command: the first creates the collection and inserts, the others insert.
      const cuts = [...ends.flatMap((end) => [end - 1, end, end + 1]), ...Array.from({ length: 30 }, () => Math.floor(Math.random() * journal.length))];
      for (const cut of cuts.filter((at) => at >= 0 && at <= journal.length)) {
        const copy = await mkdtemp(join(tmpdir(), "embedded-mongo-prefix-"));
        try {
          await writeFile(join(copy, journalFile(1)), journal.subarray(0, cut));
          const store = await DurableStore.open(copy);
          const whole = ends.filter((end) => end <= cut).length;
          expect({ cut, docs: store.engine.collection("app", "docs")?.docs.size ?? 0 }).toEqual({ cut, docs: whole });
          await store.close();
        } finally {
          await rm(copy, { recursive: true, force: true });
        }
      }
    });

    it("drops a last record whose checksum does not match, keeping the ones before it", async () => {
      await session(async (client) => {
        await docs(client).insertOne({ _id: "first" });
        await docs(client).insertOne({ _id: "second" });
      });
      const path = await journalPath();
      const bytes = await readFile(path);
      bytes[bytes.length - 2] ^= 0xff;
      await writeFile(path, bytes);
      await session(async (client) => expect(await docs(client).find().toArray()).toEqual([{ _id: "first" }]));
    });

    it("is cut off when the file ends in zeros (space allocated, data never written)", async () => {
      await insertAndStop(2);
      await appendFile(await journalPath(), Buffer.alloc(4096));
      await session(async (client) => expect(await docs(client).countDocuments()).toBe(2));
    });

    it("is fatal, with the file named, when a journal that a newer one follows is damaged", async () => {
      await insertAndStop(2);
      const older = await journalPath();
      await appendFile(older, Buffer.from("garbage!"));
      await writeFile(join(dir, journalFile(2)), encodeRecord([{ op: "insert", db: "app", coll: "docs", doc: { _id: 7 } }]));
      await expect(startEmbeddedMongo({ dataDir: dir })).rejects.toThrow(`${older} is damaged`);
      expect((await readdir(dir)).includes(LOCK_FILE)).toBe(false);
    });
  });

  describe("compaction", () => {
    const compaction = { factor: 1, minJournalBytes: 64 * 1024 };

    it("frees the space of dropped collections and databases", async () => {
      const big = "x".repeat(1_000);
      await session(async (client) => {
        await client.db("app").collection("big").insertMany(Array.from({ length: 2_000 }, (_, i) => ({ i, big })));
        await client.db("other").collection("more").insertMany(Array.from({ length: 500 }, (_, i) => ({ i, big })));
        await docs(client).insertOne({ _id: "kept" });
        await client.db("app").collection("big").drop();
        await client.db("other").dropDatabase();
      });
      expect(await dirBytes()).toBeGreaterThan(2_500_000);

      // The first write past the threshold compacts; stop waits for the compaction to finish.
      await session((client) => docs(client).insertOne({ _id: "trigger" }).then(() => undefined), { factor: 1, minJournalBytes: 64 * 1024 });
      expect(await dirBytes()).toBeLessThan(10_000);
      expect((await readdir(dir)).sort()).toEqual([journalFile(2), SNAPSHOT_FILE]);

      await session(async (client) => {
        expect((await client.db().admin().listDatabases()).databases.map((db) => db.name)).not.toContain("other");
        expect(await client.db("app").listCollections({}, { nameOnly: true }).toArray()).toEqual([{ name: "docs", type: "collection" }]);
        expect(await docs(client).find().toArray()).toEqual([{ _id: "kept" }, { _id: "trigger" }]);
      });
    });
  });

  describe("a compaction interrupted at each of its steps", () => {
    const insert = (_id: string) => ({ op: "insert", db: "app", coll: "docs", doc: { _id } });

    /** Journal 1 holds a and b; the compaction cut it there and journal 2 already holds c. */
    async function rotated(): Promise<void> {
      await writeFile(join(dir, journalFile(1)), Buffer.concat([encodeRecord([{ op: "createCollection", db: "app", coll: "docs", options: {} }, insert("a")]), encodeRecord([insert("b")])]));
      await writeFile(join(dir, journalFile(2)), encodeRecord([insert("c")]));
    }

    async function snapshotThrough(generation: number): Promise<void> {
      const source = await mkdtemp(join(tmpdir(), "embedded-mongo-source-"));
      try {
        await writeFile(join(source, journalFile(1)), await readFile(join(dir, journalFile(1))));
        const store = await DurableStore.open(source);
        await writeSnapshot(dir, captureCatalog(store.engine), generation);
        await store.close();
      } finally {
        await rm(source, { recursive: true, force: true });
      }
    }

    const loaded = async () => {
      const store = await DurableStore.open(dir);
      const ids = [...(store.engine.collection("app", "docs")?.docs.values() ?? [])].map((doc) => doc._id);
      await store.close();
      return ids;
    };

    it("after the journal cut, before any snapshot", async () => {
      await rotated();
      expect(await loaded()).toEqual(["a", "b", "c"]);
    });

    it("with the new snapshot half written", async () => {
      await rotated();
      await snapshotThrough(2);
      const snapshot = await readFile(join(dir, SNAPSHOT_FILE));
      await rm(join(dir, SNAPSHOT_FILE));
      await writeFile(join(dir, SNAPSHOT_TEMP_FILE), snapshot.subarray(0, snapshot.length - 5));
      expect(await loaded()).toEqual(["a", "b", "c"]);
      expect(await readdir(dir)).not.toContain(SNAPSHOT_TEMP_FILE);
    });

    it("after the rename, before the old journal is deleted", async () => {
      await rotated();
      await snapshotThrough(2);
      expect(await loaded()).toEqual(["a", "b", "c"]);
      expect((await readdir(dir)).sort()).toEqual([journalFile(2), SNAPSHOT_FILE]);
    });

    it("after the rename, before the new journal was created", async () => {
      await rotated();
      await snapshotThrough(2);
      await rm(join(dir, journalFile(2)));
      await rm(join(dir, journalFile(1)));
      expect(await loaded()).toEqual(["a", "b"]);
    });
  });

  describe("the lock file", () => {
    it("refuses a second engine in this process, naming the directory and the holder's pid", async () => {
      await session(async () => {
        await expect(startEmbeddedMongo({ dataDir: dir })).rejects.toThrow(`data directory ${dir} is in use by process ${process.pid}`);
      });
    });

    it("refuses a second process, naming the directory and the holder's pid", async () => {
      await session(async () => {
        await expect(spawnDurableServer(dir)).rejects.toThrow(`data directory ${dir} is in use by process ${process.pid}`);
      });
    });

    it("is taken over when it holds this process's pid but this process does not hold it (a restarted container)", async () => {
      await writeFile(join(dir, LOCK_FILE), `${process.pid}\n`);
      await session(async () => {
        await expect(startEmbeddedMongo({ dataDir: dir })).rejects.toThrow(`in use by process ${process.pid}`);
      });
      expect(await readdir(dir)).not.toContain(LOCK_FILE);
    });

    it("is taken over when its holder is dead, and removed on stop", async () => {
      const dead = spawnSync(process.execPath, ["-e", ""]).pid;
      await writeFile(join(dir, LOCK_FILE), `${dead}\n`);
      await session(async () => {
        expect(await readFile(join(dir, LOCK_FILE), "utf8")).toBe(`${process.pid}\n`);
      });
      expect(await readdir(dir)).not.toContain(LOCK_FILE);
    });
  });
});
