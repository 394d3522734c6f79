import { createServer as createNetServer } from "node:net";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { registerUser, type Session } from "../accounts/support";
import { CoursesDocument, MeDocument } from "../generated/graphql";
import { errorCode, graphqlClient } from "../helpers/graphql";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * With the database unreachable, requests that need it fail soon with SERVICE_UNAVAILABLE (503 on
 * REST), instead of waiting for mongoose's 10 s buffer and ending INTERNAL_SERVER_ERROR.
 */

// Generous: the server gives up after about 2 s; before the fix it took 10 s.
const SOON_MS = 7_000;

let mongo: EmbeddedMongo | undefined;
let server: TestServer | undefined;

afterEach(async () => {
  await server?.stop();
  await mongo?.stop();
  server = undefined;
  mongo = undefined;
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

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await work();
  return { result, ms: Date.now() - started };
}

async function waitForHealth(url: string, status: 200 | 503): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await fetch(`${url}/health/detailed`)).status !== status) {
    if (Date.now() > deadline) throw new Error(`/health/detailed never answered ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function login(url: string) {
  return fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "someone@example.com", password: "whatever password" }),
  });
}

it("a database that stops under a running server: SERVICE_UNAVAILABLE soon, 503 on REST, and service again once it is back", async () => {
  const port = await freePort();
  mongo = await startEmbeddedMongo({ port });
  server = await startTestServer({ MONGODB_URL: `mongodb://127.0.0.1:${port}` });
  await waitForHealth(server.url, 200);
  const gql = graphqlClient(server.graphqlUrl);
  const session: Session = await registerUser(gql);

  await mongo.stop();
  mongo = undefined;
  // Operations already handed to the driver at the instant the server vanishes can wait on their
  // dead sockets (a driver race, see the issue note); the promise here is for requests after that.
  await waitForHealth(server.url, 503);

  const me = await timed(() => gql(MeDocument, {}, { token: session.accessToken }));
  expect(errorCode(me.result)).toBe("SERVICE_UNAVAILABLE");
  expect(me.result.errors?.[0]?.message).toMatch(/database/i);
  expect(me.ms).toBeLessThan(SOON_MS);

  const courses = await timed(() => gql(CoursesDocument, { filter: { owner: "PUBLIC" } }));
  expect(errorCode(courses.result)).toBe("SERVICE_UNAVAILABLE");
  expect(courses.ms).toBeLessThan(SOON_MS);

  const rest = await timed(() => login(server!.url));
  expect(rest.result.status).toBe(503);
  expect(await rest.result.json()).toEqual({ detail: expect.stringMatching(/database/i) });
  expect(rest.ms).toBeLessThan(SOON_MS);

  mongo = await startEmbeddedMongo({ port });
  await waitForHealth(server.url, 200);
  const again = await gql(CoursesDocument, { filter: { owner: "PUBLIC" } });
  expect(again.errors).toBeUndefined();
});

it("a database that is down from the start: SERVICE_UNAVAILABLE soon, not INTERNAL_SERVER_ERROR", async () => {
  server = await startTestServer({ MONGODB_URL: `mongodb://127.0.0.1:${await freePort()}` });
  const gql = graphqlClient(server.graphqlUrl);
  const courses = await timed(() => gql(CoursesDocument, { filter: { owner: "PUBLIC" } }));
  expect(errorCode(courses.result)).toBe("SERVICE_UNAVAILABLE");
  expect(courses.ms).toBeLessThan(SOON_MS);
  expect((await login(server.url)).status).toBe(503);
  // What needs no database still answers.
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
});
