import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import mongoose from "mongoose";
import { startTestServer } from "../helpers/server";

let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), "ai-learning-embedded-auth-"));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const startOnDisk = () => startTestServer({ DATA_DIR: dataDir, DATABASE_IN_MEMORY: "false" });
const engineAddress = () => `${mongoose.connection.host}:${mongoose.connection.port}`;

it("npm start's embedded engine answers only with the password kept in DATA_DIR", async () => {
  const first = await startOnDisk();
  let address: string;
  try {
    await mongoose.connection.collection("auth_probes").insertOne({ secret: "data" });
    address = engineAddress();
    const stranger = await MongoClient.connect(`mongodb://${address}/`);
    try {
      await expect(stranger.db(first.config.database.name).collection("auth_probes").findOne({})).rejects.toMatchObject({ code: 13 });
    } finally {
      await stranger.close();
    }
  } finally {
    await first.stop();
  }
  const passwordFile = join(dataDir, "embedded-db-password");
  expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
  const password = readFileSync(passwordFile, "utf8").trim();
  expect(password.length).toBeGreaterThanOrEqual(32);

  const second = await startOnDisk();
  try {
    const owner = await MongoClient.connect(`mongodb://app:${encodeURIComponent(password)}@${engineAddress()}/?authSource=admin`);
    try {
      expect(await owner.db(second.config.database.name).collection("auth_probes").findOne({}, { projection: { _id: 0 } })).toEqual({ secret: "data" });
    } finally {
      await owner.close();
    }
  } finally {
    await second.stop();
  }
});
