import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { MongoClient } from "mongodb";

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), "db-cli-"));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** `npm run db` with DATA_DIR in a temporary directory; resolves with its first stdout line. */
async function startDb(...args: string[]): Promise<{ child: ChildProcess; uri: string; stderr: () => string }> {
  const child = spawn(process.execPath, ["-r", "@swc-node/register", "src/embedded-mongo/cli.ts", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DATA_DIR: dataDir },
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [uri] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
  return { child, uri, stderr: () => stderr };
}

async function stop(child: ChildProcess): Promise<number> {
  child.kill("SIGTERM");
  const [code] = await once(child, "exit");
  return code as number;
}

describe("npm run db", () => {
  it("prints its URI on a line of its own and stops cleanly on SIGTERM", async () => {
    const { child, uri: line } = await startDb();
    expect(line).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    const client = await MongoClient.connect(line);
    expect(await client.db("admin").command({ ping: 1 })).toEqual({ ok: 1 });
    await client.close();
    const code = await stop(child);
    expect(code).toBe(0);
  });

  it("keeps its data on disk by default, in $DATA_DIR/db, across a restart", async () => {
    const first = await startDb();
    let client = await MongoClient.connect(first.uri);
    await client.db("app").collection("notes").insertOne({ text: "kept" });
    await client.close();
    expect(first.stderr()).toContain(`data kept in ${join(dataDir, "db")}`);
    expect(await stop(first.child)).toBe(0);

    const second = await startDb();
    client = await MongoClient.connect(second.uri);
    expect(await client.db("app").collection("notes").findOne({}, { projection: { _id: 0 } })).toEqual({ text: "kept" });
    await client.close();
    expect(await stop(second.child)).toBe(0);
  });

  it("keeps nothing with --in-memory, and says so", async () => {
    const { child, uri, stderr } = await startDb("--in-memory");
    const client = await MongoClient.connect(uri);
    await client.db("app").collection("notes").insertOne({ text: "gone" });
    await client.close();
    expect(stderr()).toContain("in memory only");
    expect(await stop(child)).toBe(0);
    expect(existsSync(join(dataDir, "db")) ? readdirSync(join(dataDir, "db")) : []).toEqual([]);
  });

  it("refuses --dbpath with --in-memory", async () => {
    const child = spawn(process.execPath, ["-r", "@swc-node/register", "src/embedded-mongo/cli.ts", "--in-memory", "--dbpath", dataDir], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, "exit");
    expect(code).toBe(1);
    expect(stderr).toContain("--dbpath and --in-memory exclude each other");
  });
});
