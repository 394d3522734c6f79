import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();

describe("diagnostics monitoring tools read", () => {
  const admin = () => db.client().db("admin");

  it("serverStatus reports connections, opcounters, mem and uptime", async () => {
    const before = await admin().command({ serverStatus: 1 });
    const coll = db.client().db("diag").collection("c");
    await coll.insertMany([{ a: 1 }, { a: 2 }]);
    await coll.find({}).toArray();
    await coll.updateOne({ a: 1 }, { $set: { b: 1 } });
    await coll.deleteOne({ a: 2 });
    const after = await admin().command({ serverStatus: 1 });
    expect(after.connections.current).toBeGreaterThanOrEqual(1);
    expect(after.connections.totalCreated).toBeGreaterThanOrEqual(after.connections.current);
    expect(Number(after.opcounters.insert) - Number(before.opcounters.insert)).toBe(2);
    expect(Number(after.opcounters.query) - Number(before.opcounters.query)).toBe(1);
    expect(Number(after.opcounters.update) - Number(before.opcounters.update)).toBe(1);
    expect(Number(after.opcounters.delete) - Number(before.opcounters.delete)).toBe(1);
    expect(after.mem).toMatchObject({ bits: 64, supported: true });
    expect(after.mem.resident).toBeGreaterThan(0);
    expect(after.uptime).toBeGreaterThanOrEqual(0);
  });

  it("replSetGetStatus fails as on a standalone mongod (code 76)", async () => {
    await expect(admin().command({ replSetGetStatus: 1 })).rejects.toMatchObject({ code: 76, codeName: "NoReplicationEnabled" });
  });

  it("listCommands lists the commands the engine answers", async () => {
    const { commands } = await admin().command({ listCommands: 1 });
    expect(Object.keys(commands)).toEqual(expect.arrayContaining(["find", "insert", "saslstart", "createuser", "listcommands"]));
  });
});
