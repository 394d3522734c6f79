import { Long } from "mongodb";
import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();
const admin = () => db.client().db("admin");
const adb = () => db.client().db("adm");

describe("server and catalog commands through the driver", () => {
  it("answers hello, ping, buildInfo, serverStatus and endSessions", async () => {
    const hello = await admin().command({ hello: 1 });
    expect(hello).toMatchObject({ isWritablePrimary: true, helloOk: true, maxBsonObjectSize: 16777216, maxMessageSizeBytes: 48000000, maxWriteBatchSize: 100000, maxWireVersion: 25 });
    expect(hello.localTime).toBeInstanceOf(Date);
    expect(typeof hello.connectionId).toBe("number");
    expect(await admin().command({ isMaster: 1 })).toMatchObject({ ismaster: true, maxWireVersion: 25 });
    expect(await admin().command({ ping: 1 })).toEqual({ ok: 1 });
    expect(await admin().command({ buildInfo: 1 })).toMatchObject({ version: "8.0.0", versionArray: [8, 0, 0, 0] });
    expect(await admin().command({ serverStatus: 1 })).toMatchObject({ ok: 1, version: "8.0.0" });
    const session = db.client().startSession();
    await adb().collection("s").insertOne({ a: 1 }, { session });
    await session.endSession();
    expect(await admin().command({ endSessions: [session.id] })).toEqual({ ok: 1 });
  });

  it("creates, lists and drops collections and databases", async () => {
    await adb().createCollection("one");
    await adb().createCollection("two", { validator: { a: { $exists: true } } });
    await expect(adb().createCollection("one")).rejects.toMatchObject({ code: 48, codeName: "NamespaceExists" });
    await expect(adb().createCollection("ring", { capped: true, size: 4096 })).rejects.toMatchObject({ codeName: "NotImplemented" });
    const names = (await adb().listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(["one", "two"]));
    const two = await adb().listCollections({ name: "two" }).toArray();
    expect(two).toEqual([expect.objectContaining({ name: "two", type: "collection", options: { validator: { a: { $exists: true } } } })]);
    expect(await adb().collection("one").drop()).toBe(true);
    await expect(adb().command({ drop: "one" })).rejects.toMatchObject({ codeName: "NamespaceNotFound" });
    const dbs = await admin().admin().listDatabases();
    expect(dbs.databases.map((d) => d.name)).toContain("adm");
    expect(await adb().dropDatabase()).toBe(true);
    expect((await admin().admin().listDatabases()).databases.map((d) => d.name)).not.toContain("adm");
  });

  it("reports dbStats and collStats", async () => {
    await adb().collection("st").insertMany([{ a: 1 }, { a: 2 }]);
    expect(await adb().stats()).toMatchObject({ db: "adm", collections: 1, objects: 2, ok: 1 });
    expect(await adb().command({ collStats: "st" })).toMatchObject({ ns: "adm.st", count: 2, nindexes: 1 });
  });

  it("answers unknown commands, transactions and invalid namespaces with mongod's codes", async () => {
    await expect(adb().command({ frobnicate: 1 })).rejects.toMatchObject({ code: 59, codeName: "CommandNotFound" });
    await expect(adb().command({ find: "x", txnNumber: Long.fromNumber(1), startTransaction: true, autocommit: false })).rejects.toMatchObject({
      code: 20,
      codeName: "IllegalOperation",
      message: "Transaction numbers are only allowed on a replica set member or mongos",
    });
    const session = db.client().startSession();
    const inTransaction = session.withTransaction(() => adb().collection("txn").insertOne({ a: 1 }, { session }));
    await expect(inTransaction).rejects.toThrow(/does not support retryable writes|Transaction numbers/);
    await session.endSession();
    expect(await adb().collection("txn").countDocuments()).toBe(0);
    await expect(adb().collection("bad$name").insertOne({ a: 1 })).rejects.toMatchObject({ code: 73, codeName: "InvalidNamespace" });
    await expect(adb().command({ insert: "", documents: [{}] })).rejects.toMatchObject({ code: 73 });
    await expect(db.client().db("bad\0db").command({ insert: "x", documents: [{}] })).rejects.toMatchObject({ code: 73 });
    await expect(adb().collection("a\0b").findOne({})).rejects.toMatchObject({ code: 73 });
  });

  it("validates documents like mongod 7: $-fields stored, $ inside _id, array _ids and > 16 MiB rejected", async () => {
    const coll = adb().collection("valid");
    const dollar = await coll.insertOne({ $fine: 1 });
    expect(await coll.findOne({ _id: dollar.insertedId })).toMatchObject({ $fine: 1 });
    await expect(coll.insertOne({ _id: { $bad: 1 } } as never)).rejects.toMatchObject({ code: 52 });
    await expect(coll.insertOne({ _id: [1, 2] } as never)).rejects.toMatchObject({ code: 2 });
    await expect(coll.insertOne({ big: "x".repeat(16 * 1024 * 1024 + 512) })).rejects.toMatchObject({ code: 10334 });
    await coll.insertOne({ _id: "grow" } as never);
    await expect(coll.updateOne({ _id: "grow" } as never, { $set: { big: "x".repeat(16 * 1024 * 1024) } })).rejects.toMatchObject({ code: 17419 });
    expect(await coll.countDocuments()).toBe(2);
  });
});
