import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");
let holder: Server;
let port: number;
let dataDir: string;

beforeAll(async () => {
  // A busy port makes `npm start` log a line or two and exit at once.
  holder = createServer();
  await new Promise<void>((done) => holder.listen(0, "127.0.0.1", done));
  port = (holder.address() as { port: number }).port;
  dataDir = mkdtempSync(join(tmpdir(), "terminal-logs-"));
});
afterAll(() => {
  holder.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The server's output when its stdout is a terminal: util-linux's `script` gives it one. */
async function startInTerminal(env: Record<string, string>): Promise<string> {
  const child = spawn("script", ["-qec", `${process.execPath} -r @swc-node/register src/main.ts`, "/dev/null"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, DATA_DIR: dataDir, DATABASE_IN_MEMORY: "true", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await once(child, "exit");
  // Colours aside, as a person reads it.
  return output.replace(/\x1b\[[0-9;]*m/g, "").replace(/\r/g, "");
}

it("prints readable lines, not JSON, to a terminal in development", async () => {
  const output = await startInTerminal({ NODE_ENV: "development" });
  expect(output).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] FATAL: start-up failed: PORT \d+ is already in use/m);
  expect(output).not.toContain('{"level"');
});

it("keeps JSON in production, terminal or not", async () => {
  const output = await startInTerminal({ NODE_ENV: "production", MONGODB_URL: "mongodb://127.0.0.1:1/", JWT_SECRET_KEY: "production-secret-with-at-least-32-chars" });
  const lines = output.trim().split("\n").map((line) => JSON.parse(line) as { msg: string });
  expect(lines.at(-1)?.msg).toMatch(/^start-up failed: PORT \d+ is already in use/);
});
