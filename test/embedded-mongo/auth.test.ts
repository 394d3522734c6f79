import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";

const hostPort = (server: EmbeddedMongo) => `127.0.0.1:${server.port}`;
const connect = (server: EmbeddedMongo, user?: string, password?: string, db = "admin") =>
  MongoClient.connect(user ? `mongodb://${encodeURIComponent(user)}:${encodeURIComponent(password!)}@${hostPort(server)}/?authSource=${db}` : `mongodb://${hostPort(server)}/`, { serverSelectionTimeoutMS: 2000 });

describe("SCRAM-SHA-256 authentication (--auth)", () => {
  let dir: string;
  let server: EmbeddedMongo;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "auth-"));
    server = await startEmbeddedMongo({ dataDir: dir, auth: true });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses commands before authentication but allows the handshake and the first user", async () => {
    const anonymous = await connect(server);
    try {
      expect(await anonymous.db("admin").command({ ping: 1 })).toMatchObject({ ok: 1 });
      await expect(anonymous.db("app").collection("c").findOne({})).rejects.toMatchObject({ code: 13 });
      await anonymous.db("admin").command({ createUser: "admin", pwd: "s3cret", roles: ["root"] });
      await expect(anonymous.db("admin").command({ createUser: "other", pwd: "x", roles: ["root"] })).rejects.toMatchObject({ code: 13 });
    } finally {
      await anonymous.close();
    }
  });

  it("authenticates with SCRAM-SHA-256 and refuses a wrong password", async () => {
    const admin = await connect(server, "admin", "s3cret");
    try {
      expect(await admin.db("app").collection("c").insertOne({ a: 1 })).toMatchObject({ acknowledged: true });
      const status = await admin.db("admin").command({ connectionStatus: 1 });
      expect(status.authInfo.authenticatedUsers).toEqual([{ user: "admin", db: "admin" }]);
    } finally {
      await admin.close();
    }
    await expect(connect(server, "admin", "wrong")).rejects.toMatchObject({ code: 18 });
    await expect(connect(server, "nobody", "x")).rejects.toMatchObject({ code: 18 });
  });

  it("built-in roles limit what a user may run", async () => {
    const admin = await connect(server, "admin", "s3cret");
    try {
      await admin.db("app").command({ createUser: "reader", pwd: "r", roles: ["read"] });
      await admin.db("app").command({ createUser: "writer", pwd: "w", roles: [{ role: "readWrite", db: "app" }] });
      await admin.db("app").command({ createUser: "dba", pwd: "d", roles: ["dbAdmin"] });
      await expect(admin.db("app").command({ createUser: "bad", pwd: "b", roles: ["superuser"] })).rejects.toMatchObject({ code: 31 });
      await expect(admin.db("app").command({ createUser: "reader", pwd: "r", roles: [] })).rejects.toMatchObject({ code: 51003 });
      const info = await admin.db("app").command({ usersInfo: 1 });
      expect(info.users.map((u: { user: string }) => u.user).sort()).toEqual(["dba", "reader", "writer"]);
      expect(info.users[0]).not.toHaveProperty("credentials");
    } finally {
      await admin.close();
    }
    const reader = await connect(server, "reader", "r", "app");
    const writer = await connect(server, "writer", "w", "app");
    const dba = await connect(server, "dba", "d", "app");
    try {
      expect(await reader.db("app").collection("c").countDocuments()).toBe(1);
      await expect(reader.db("app").collection("c").insertOne({ a: 2 })).rejects.toMatchObject({ code: 13 });
      await expect(reader.db("other").collection("c").findOne({})).rejects.toMatchObject({ code: 13 });
      await writer.db("app").collection("c").insertOne({ a: 2 });
      await expect(writer.db("app").command({ collMod: "c", validator: {} })).rejects.toMatchObject({ code: 13 });
      await dba.db("app").command({ collMod: "c", validator: {} });
      await expect(dba.db("app").collection("c").findOne({})).rejects.toMatchObject({ code: 13 });
      await expect(writer.db("app").command({ createUser: "x", pwd: "x", roles: [] })).rejects.toMatchObject({ code: 13 });
    } finally {
      await Promise.all([reader.close(), writer.close(), dba.close()]);
    }
  });

  it("updateUser and dropUser change who can sign in, and users survive a restart", async () => {
    const admin = await connect(server, "admin", "s3cret");
    try {
      await admin.db("app").command({ updateUser: "writer", pwd: "w2" });
      await admin.db("app").command({ dropUser: "dba" });
      await expect(admin.db("app").command({ dropUser: "dba" })).rejects.toMatchObject({ code: 11 });
    } finally {
      await admin.close();
    }
    await expect(connect(server, "writer", "w", "app")).rejects.toMatchObject({ code: 18 });
    await server.stop();
    server = await startEmbeddedMongo({ dataDir: dir, auth: true });
    const writer = await connect(server, "writer", "w2", "app");
    try {
      expect(await writer.db("app").collection("c").countDocuments()).toBe(2);
    } finally {
      await writer.close();
    }
    await expect(connect(server, "dba", "d", "app")).rejects.toMatchObject({ code: 18 });
  });

  it("renameCollection needs the right on both databases it names; currentOp needs root", async () => {
    const admin = await connect(server, "admin", "s3cret");
    try {
      await admin.db("app").command({ createUser: "mover", pwd: "m", roles: [{ role: "readWrite", db: "app" }] });
      await admin.db("app").collection("movable").insertOne({ a: 1 });
    } finally {
      await admin.close();
    }
    const mover = await connect(server, "mover", "m", "app");
    try {
      await expect(mover.db("admin").command({ renameCollection: "app.movable", to: "other.movable" })).rejects.toMatchObject({ code: 13 });
      expect(await mover.db("admin").command({ renameCollection: "app.movable", to: "app.moved" })).toMatchObject({ ok: 1 });
      expect(await mover.db("app").collection("moved").countDocuments()).toBe(1);
      await expect(mover.db("admin").command({ currentOp: 1 })).rejects.toMatchObject({ code: 13 });
      await expect(mover.db("admin").aggregate([{ $currentOp: {} }]).toArray()).rejects.toMatchObject({ code: 13 });
    } finally {
      await mover.close();
    }
  });

  it("bulkWrite runs on admin but needs the write right on every database its namespaces name", async () => {
    const admin = await connect(server, "admin", "s3cret");
    try {
      await admin.db("app").command({ createUser: "bulk", pwd: "b", roles: [{ role: "readWrite", db: "app" }] });
    } finally {
      await admin.close();
    }
    const bulk = await connect(server, "bulk", "b", "app");
    try {
      const result = await bulk.bulkWrite([{ name: "insertOne", namespace: "app.bulk", document: { a: 1 } }]);
      expect(result.insertedCount).toBe(1);
      const elsewhere = bulk.bulkWrite([
        { name: "insertOne", namespace: "app.bulk", document: { a: 2 } },
        { name: "insertOne", namespace: "other.bulk", document: { a: 3 } },
      ]);
      await expect(elsewhere).rejects.toMatchObject({ cause: { code: 13 } });
      expect(await bulk.db("app").collection("bulk").countDocuments()).toBe(1);
    } finally {
      await bulk.close();
    }
  });

  it("auth: { user, password } creates that root user and puts it in the URI", async () => {
    const own = await startEmbeddedMongo({ auth: { user: "app", password: "p@ss:word" } });
    try {
      const client = await MongoClient.connect(own.uri);
      expect(await client.db("x").collection("y").countDocuments()).toBe(0);
      await client.close();
      await expect(connect(own).then((c) => c.db("x").collection("y").findOne({}).finally(() => c.close()))).rejects.toMatchObject({ code: 13 });
    } finally {
      await own.stop();
    }
  });
});
