import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

const ROOT = resolve(__dirname, "../..");
const START_TIMEOUT_MS = 60_000;

export interface Instance {
  pid: number;
  graphqlUrl: string;
  wsUrl: string;
  /** SIGTERM, then waits for the process to end. */
  stop(): Promise<void>;
}

/**
 * The real server (`src/main.ts`) in its own process, as a deployment runs it. `nodeArgs` go to
 * node itself (e.g. `--cpu-prof`, which NODE_OPTIONS refuses).
 */
export async function startInstance(env: Record<string, string>, nodeArgs: string[] = []): Promise<Instance> {
  const dataDir = mkdtempSync(join(tmpdir(), "chat-instance-"));
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, "-r", "@swc-node/register", "src/main.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_ENV: "test", HOST: "127.0.0.1", PORT: "0", DATA_DIR: dataDir, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolveExit) => child.once("exit", () => resolveExit()));
  const logs: string[] = [];
  child.stderr!.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`instance did not start:\n${logs.join("\n")}`));
    }, START_TIMEOUT_MS);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      logs.push(line);
      const ready = /"msg":"ready: (http:\/\/[^"]+)\/graphql"/.exec(line);
      if (ready) {
        clearTimeout(timer);
        resolveUrl(ready[1]);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`instance exited:\n${logs.join("\n")}`));
    });
  });
  return {
    pid: child.pid!,
    graphqlUrl: `${url}/graphql`,
    wsUrl: `${url.replace(/^http/, "ws")}/graphql`,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
