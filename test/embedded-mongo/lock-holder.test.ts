import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedMongo } from "../../src/embedded-mongo";
import { LOCK_FILE } from "../../src/embedded-mongo/persistence/files";

let dir: string;
let parent: ChildProcess | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "engine-lock-"));
});
afterEach(async () => {
  parent?.kill("SIGKILL");
  parent = undefined;
  await rm(dir, { recursive: true, force: true });
});

/**
 * A process that has exited but is not reaped: its parent (`sleep`, by exec) never waits for it,
 * as a container's init or a shell that was killed itself may not. What kill -9 of a server leaves
 * for a moment, and for good under such a parent.
 */
async function zombiePid(): Promise<number> {
  parent = spawn("sh", ["-c", "sleep 0.1 & echo $!; exec sleep 30"], { stdio: ["ignore", "pipe", "ignore"] });
  const [line] = (await once(parent.stdout!, "data")) as [Buffer];
  const pid = Number(line.toString().trim());
  for (let i = 0; i < 100; i++) {
    const state = await readFile(`/proc/${pid}/stat`, "utf8").then((stat) => stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3));
    if (state === "Z") return pid;
    await new Promise((resume) => setTimeout(resume, 50));
  }
  throw new Error(`process ${pid} never became a zombie`);
}

describe("the data-folder lock's holder", () => {
  it("is taken over when its holder is a zombie (exited, not reaped)", async () => {
    const zombie = await zombiePid();
    await writeFile(join(dir, LOCK_FILE), `${zombie}\n`);
    const engine = await startEmbeddedMongo({ dataDir: dir });
    try {
      expect(await readFile(join(dir, LOCK_FILE), "utf8")).toBe(`${process.pid}\n`);
    } finally {
      await engine.stop();
    }
    expect(await readdir(dir)).not.toContain(LOCK_FILE);
  });

  it("still refuses a live holder", async () => {
    parent = spawn("sleep", ["30"], { stdio: "ignore" });
    await writeFile(join(dir, LOCK_FILE), `${parent.pid}\n`);
    await expect(startEmbeddedMongo({ dataDir: dir })).rejects.toThrow(`in use by process ${parent.pid}`);
  });
});
