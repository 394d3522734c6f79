import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

const ROOT = resolve(__dirname, "../..");
const START_TIMEOUT_MS = 60_000;

export interface Instance {
  pid: number;
  url: string;
  graphqlUrl: string;
  wsUrl: string;
  /** Its data directory: pass it as `dataDir` to start the next instance on the same data. */
  dataDir: string;
  /** Every line it wrote so far (JSON log lines on stdout, anything on stderr). */
  logs: string[];
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<number | NodeJS.Signals>;
  /** SIGTERM, then waits for the process to end, and deletes the data directory. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would; the data directory stays. */
  kill(): Promise<void>;
}

export interface InstanceOptions {
  /** Node's own arguments (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
  /** A data directory to start on (an earlier instance's); by default a new one. */
  dataDir?: string;
  /** Another checkout of the project to run instead of this one (a bench's baseline). */
  root?: string;
}

/** The real server (`src/main.ts`) in its own process, as a deployment runs it. */
export async function startInstance(env: Record<string, string>, options: InstanceOptions = {}): Promise<Instance> {
  const { nodeArgs = [], dataDir = mkdtempSync(join(tmpdir(), "instance-")), root = ROOT } = options;
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, "-r", "@swc-node/register", "src/main.ts"], {
    cwd: root,
    env: { PATH: process.env.PATH, NODE_ENV: "test", HOST: "127.0.0.1", PORT: "0", DATA_DIR: dataDir, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | NodeJS.Signals>((resolveExit) => child.once("exit", (code, signal) => resolveExit(code ?? signal ?? 0)));
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
    url,
    graphqlUrl: `${url}/graphql`,
    wsUrl: `${url.replace(/^http/, "ws")}/graphql`,
    dataDir,
    logs,
    exited,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}
