import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { MongoClient } from "mongodb";

describe("npm run db", () => {
  it("prints its URI on a line of its own and stops cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, ["-r", "@swc-node/register", "src/embedded-mongo/cli.ts", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    const [line] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
    expect(line).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    const client = await MongoClient.connect(line);
    expect(await client.db("admin").command({ ping: 1 })).toEqual({ ok: 1 });
    await client.close();
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });
});
