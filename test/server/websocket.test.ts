import { randomUUID } from "node:crypto";
import type { Client } from "graphql-ws";
import { ADMIN_ENV, adminToken } from "../helpers/admin";
import { graphqlClient } from "../helpers/graphql";
import { startTestServer, type TestServer } from "../helpers/server";
import { nextResult, subscribe, wsClient } from "../helpers/ws";
import { MeDocument, OnPingDocument, SendPingDocument, TypenameDocument } from "../generated/graphql";

let server: TestServer;
let client: Client;
// Pings are admin diagnostics.
let token: string;

beforeAll(async () => {
  server = await startTestServer(ADMIN_ENV);
  token = await adminToken(server);
  client = wsClient(server.wsUrl, { authorization: `Bearer ${token}` });
});
afterAll(async () => {
  await client.dispose();
  await server.stop();
});

/**
 * A subscription is live only once the server has processed it, which the protocol does not
 * acknowledge: publish until the first event arrives.
 */
async function firstEventWhilePinging<T>(events: AsyncIterator<T>, ping: () => Promise<unknown>): Promise<T> {
  const pending = nextResult(events, 5_000);
  let received = false;
  void pending.finally(() => (received = true)).catch(() => undefined);
  while (!received) {
    await ping();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return pending;
}

it("runs queries over graphql-ws on the same port and path", async () => {
  const result = await nextResult(subscribe(client, TypenameDocument, {}));
  expect(result).toEqual({ data: { __typename: "Query" } });
});

it("delivers pings published over HTTP to the channel's subscribers only", async () => {
  const channel = randomUUID();
  const gql = graphqlClient(server.graphqlUrl, { token });
  const mine = subscribe(client, OnPingDocument, { channel });
  const others = subscribe(client, OnPingDocument, { channel: randomUUID() });
  const event = await firstEventWhilePinging(mine, () => gql(SendPingDocument, { channel, message: "hello" }));
  expect(event.data?.ping).toEqual({ channel, message: "hello", sentAt: expect.any(String) });
  await expect(nextResult(others, 300)).rejects.toThrow(/no subscription result/);
  await mine.return?.();
  await others.return?.();
});

it("reports invalid subscription arguments as BAD_USER_INPUT", async () => {
  const result = await nextResult(subscribe(client, OnPingDocument, { channel: "" }));
  expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
});

it("tells an anonymous websocket client to send its token in the connection parameters", async () => {
  const anonymous = wsClient(server.wsUrl);
  try {
    const result = await nextResult(subscribe(anonymous, MeDocument, {}));
    expect(result.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(result.errors?.[0]?.message).toContain("`authorization` in the connection parameters");
  } finally {
    await anonymous.dispose();
  }
});
