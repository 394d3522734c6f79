import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { startCourseWorld, type CourseWorld } from "../courses/support";
import { post } from "../hardening/support";

const LIMIT = 3;

let world: CourseWorld;
const clients: Client[] = [];

beforeAll(async () => {
  // The test client connects over loopback: with TRUST_PROXY=loopback it is a proxy whose X-Forwarded-For is believed.
  world = await startCourseWorld({ RATE_LIMIT_REQUESTS: String(LIMIT), RATE_LIMIT_WINDOW: "60", TRUST_PROXY: "loopback" });
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await world?.server.stop();
});

/** An anonymous graphql-ws client whose upgrade request says it forwards for `ip`. */
function forwardedFor(ip: string): Client {
  class ForwardingSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { "x-forwarded-for": ip } });
    }
  }
  const client = createClient({ url: world.server.wsUrl, webSocketImpl: ForwardingSocket, retryAttempts: 0, lazy: true });
  clients.push(client);
  return client;
}

async function run(client: Client): Promise<string> {
  try {
    const result = await client.iterate({ query: "{ __typename }" }).next();
    return JSON.stringify(result.value);
  } catch (error) {
    return JSON.stringify(error);
  }
}

test("anonymous websocket operations are counted per client address as TRUST_PROXY sees it, with HTTP's", async () => {
  const first = forwardedFor("203.0.113.7");
  for (let i = 0; i < LIMIT; i++) expect(await run(first)).toContain('"__typename":"Query"');
  expect(await run(first)).toContain("RATE_LIMITED");

  // Another client behind the same proxy has its own budget.
  expect(await run(forwardedFor("203.0.113.8"))).toContain('"__typename":"Query"');

  // The first client's address is spent over HTTP too, and the second's is not.
  const overHttp = (ip: string) => post(world.server.graphqlUrl, { query: "{ __typename }" }, { "x-forwarded-for": ip });
  expect((await overHttp("203.0.113.7")).status).toBe(429);
  expect((await overHttp("203.0.113.8")).status).toBe(200);
});
