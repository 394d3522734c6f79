import { createServer as createNetServer } from "node:net";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { startTestServer, type TestServer } from "../helpers/server";

let server: TestServer;
let mongo: EmbeddedMongo | undefined;

afterAll(async () => {
  await server?.stop();
  await mongo?.stop();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
}

async function detailedHealth(): Promise<{ status: number; database: { status: string; kind: string } }> {
  const response = await fetch(`${server.url}/health/detailed`);
  const body = (await response.json()) as { checks: { database: string }; details: { database: { kind: string } } };
  return { status: response.status, database: { status: body.checks.database, ...body.details.database } };
}

it("serves while MONGODB_URL is down, reports it unhealthy, and connects once it is up", async () => {
  const port = await freePort();
  server = await startTestServer({ MONGODB_URL: `mongodb://127.0.0.1:${port}` });

  const down = await detailedHealth();
  expect(down).toEqual({ status: 503, database: expect.objectContaining({ status: "unhealthy", kind: "mongodb" }) });
  expect((await fetch(`${server.url}/health`)).status).toBe(200);

  mongo = await startEmbeddedMongo({ port });
  const deadline = Date.now() + 20_000;
  let latest = down;
  while (latest.status !== 200 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    latest = await detailedHealth();
  }
  expect(latest).toEqual({ status: 200, database: expect.objectContaining({ status: "healthy", kind: "mongodb" }) });
});
