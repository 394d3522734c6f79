import type { Client } from "graphql-ws";
import { startCourseWorld, type CourseWorld, type Session } from "../courses/support";
import { wsClient } from "../helpers/ws";
import { bearer, post } from "../hardening/support";

const LIMIT = 5;

let world: CourseWorld;

beforeAll(async () => {
  world = await startCourseWorld({ RATE_LIMIT_REQUESTS: String(LIMIT), RATE_LIMIT_WINDOW: "60" });
});
afterAll(async () => {
  await world?.server.stop();
});

/** One operation's first result over `client`, or what it failed with. */
async function run(client: Client): Promise<unknown> {
  try {
    return (await client.iterate({ query: "{ __typename }" }).next()).value;
  } catch (error) {
    return error;
  }
}

const overHttp = (session?: Session) => post(world.server.graphqlUrl, { query: "{ __typename }" }, bearer(session?.accessToken));
const limited = (outcome: unknown) => JSON.stringify(outcome).includes("RATE_LIMITED");

test("operations over a websocket count against the user's limit, and past it are RATE_LIMITED", async () => {
  const alice = await world.user();
  const client = wsClient(world.server.wsUrl, { authorization: `Bearer ${alice.accessToken}` });
  try {
    for (let i = 0; i < LIMIT; i++) expect(await run(client)).toEqual({ data: { __typename: "Query" } });
    const refused = await run(client);
    expect(refused).toEqual([expect.objectContaining({ extensions: { code: "RATE_LIMITED", retryAfterSeconds: expect.any(Number) } })]);
    // The same counter as HTTP's.
    expect((await overHttp(alice)).status).toBe(429);
  } finally {
    await client.dispose();
  }
});

test("once HTTP says 429, the websocket says RATE_LIMITED too", async () => {
  const bob = await world.user();
  for (let i = 0; i < LIMIT; i++) expect((await overHttp(bob)).status).toBe(200);
  expect((await overHttp(bob)).status).toBe(429);
  const client = wsClient(world.server.wsUrl, { authorization: `Bearer ${bob.accessToken}` });
  try {
    expect(limited(await run(client))).toBe(true);
  } finally {
    await client.dispose();
  }
});

test("anonymous websocket operations are counted per IP", async () => {
  const client = wsClient(world.server.wsUrl);
  try {
    const outcomes: unknown[] = [];
    for (let i = 0; i <= LIMIT; i++) outcomes.push(await run(client));
    expect(outcomes.some(limited)).toBe(true);
  } finally {
    await client.dispose();
  }
});
