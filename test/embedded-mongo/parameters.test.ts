import { MongoClient } from "mongodb";
import { EmbeddedMongoServer } from "../../src/embedded-mongo/server";

describe("getParameter and setParameter", () => {
  const server = new EmbeddedMongoServer();
  let client: MongoClient;
  const admin = () => client.db("admin");

  beforeAll(async () => {
    const port = await server.listen("127.0.0.1", 0);
    client = await MongoClient.connect(`mongodb://127.0.0.1:${port}/`);
  });
  afterAll(async () => {
    await client?.close();
    await server.stop();
  });

  it("reports named parameters and all of them with '*'", async () => {
    expect(await admin().command({ getParameter: 1, featureCompatibilityVersion: 1 })).toEqual({ featureCompatibilityVersion: { version: "8.0" }, ok: 1 });
    const all = await admin().command({ getParameter: "*" });
    expect(all).toMatchObject({ ttlMonitorSleepSecs: 1, ttlMonitorEnabled: true, authenticationMechanisms: ["SCRAM-SHA-256"], ok: 1 });
  });

  it("sets a parameter and answers its previous value", async () => {
    expect(await admin().command({ setParameter: 1, ttlMonitorSleepSecs: 5 })).toEqual({ was: 1, ok: 1 });
    expect(await admin().command({ getParameter: 1, ttlMonitorSleepSecs: 1 })).toEqual({ ttlMonitorSleepSecs: 5, ok: 1 });
    expect(await admin().command({ setParameter: 1, ttlMonitorSleepSecs: 1 })).toEqual({ was: 5, ok: 1 });
  });

  it("refuses unknown names, bad values, read-only parameters and other databases, changing nothing", async () => {
    await expect(admin().command({ setParameter: 1, noSuchParameter: 1 })).rejects.toMatchObject({ code: 72, message: expect.stringContaining("unrecognized parameter [noSuchParameter]") });
    await expect(admin().command({ getParameter: 1, noSuchParameter: 1 })).rejects.toMatchObject({ code: 72 });
    await expect(admin().command({ setParameter: 1, ttlMonitorSleepSecs: 0 })).rejects.toMatchObject({ code: 2 });
    await expect(admin().command({ setParameter: 1, ttlMonitorSleepSecs: "10" })).rejects.toMatchObject({ code: 2 });
    await expect(admin().command({ setParameter: 1, ttlMonitorEnabled: "no" })).rejects.toMatchObject({ code: 2 });
    await expect(admin().command({ setParameter: 1, featureCompatibilityVersion: "8.0" })).rejects.toMatchObject({ code: 20 });
    await expect(admin().command({ setParameter: 1, ttlMonitorSleepSecs: 2, ttlMonitorEnabled: false })).rejects.toMatchObject({ code: 72 });
    await expect(client.db("app").command({ setParameter: 1, ttlMonitorSleepSecs: 2 })).rejects.toMatchObject({ code: 13 });
    expect(await admin().command({ getParameter: 1, ttlMonitorSleepSecs: 1, ttlMonitorEnabled: 1, featureCompatibilityVersion: 1 })).toEqual({
      ttlMonitorSleepSecs: 1,
      ttlMonitorEnabled: true,
      featureCompatibilityVersion: { version: "8.0" },
      ok: 1,
    });
  });

  it("pauses and resumes the TTL monitor with ttlMonitorEnabled", async () => {
    const sessions = client.db("app").collection("sessions");
    await sessions.createIndex({ at: 1 }, { expireAfterSeconds: 0 });
    await admin().command({ setParameter: 1, ttlMonitorEnabled: false });
    await sessions.insertMany([{ at: new Date(0) }, { at: new Date(Date.now() + 60_000) }]);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await sessions.countDocuments()).toBe(2);

    await admin().command({ setParameter: 1, ttlMonitorEnabled: true });
    const deadline = Date.now() + 5000;
    while ((await sessions.countDocuments()) !== 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await sessions.countDocuments()).toBe(1);
  });
});
