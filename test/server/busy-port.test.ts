import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");
let holder: Server;
let dataDir: string;

beforeAll(async () => {
  holder = createServer();
  await new Promise<void>((done) => holder.listen(0, "127.0.0.1", done));
  dataDir = mkdtempSync(join(tmpdir(), "busy-port-"));
});
afterAll(() => {
  holder.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it("npm start on a busy port says so in one line, with nothing else going wrong", async () => {
  const { port } = holder.address() as { port: number };
  const child = spawn(process.execPath, ["-r", "@swc-node/register", "src/main.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, DATA_DIR: dataDir, DATABASE_IN_MEMORY: "true", PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const [code] = await once(child, "exit");
  expect(code).toBe(1);
  const lines = output.trim().split("\n").map((line) => JSON.parse(line) as { level: number; msg: string });
  const errors = lines.filter((line) => line.level >= 50);
  expect(errors.map((line) => line.msg)).toEqual([`start-up failed: PORT ${port} is already in use on 127.0.0.1 (set PORT to a free port)`]);
  expect(output).not.toMatch(/Internal error|MongoClientClosedError|stack/);
});
