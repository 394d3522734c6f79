import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mongoose from "mongoose";
import { startTestServer } from "../helpers/server";

let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), "ai-learning-restart-"));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** What `npm start` does: the embedded database on disk under DATA_DIR. */
const startOnDisk = () => startTestServer({ DATA_DIR: dataDir, DATABASE_IN_MEMORY: "false" });

it("keeps the embedded database and the development JWT secret across restarts", async () => {
  const first = await startOnDisk();
  await mongoose.connection.collection("restart_probes").insertOne({ note: "still here" });
  const secret = first.config.jwt.secretKey;
  await first.stop();

  const second = await startOnDisk();
  try {
    const found = await mongoose.connection.collection("restart_probes").findOne({}, { projection: { _id: 0 } });
    expect(found).toEqual({ note: "still here" });
    expect(second.config.jwt.secretKey).toBe(secret);
  } finally {
    await second.stop();
  }
});
