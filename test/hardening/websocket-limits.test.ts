import WebSocket from "ws";
import { registerUser } from "../accounts/support";
import { SendPingDocument } from "../generated/graphql";
import { ADMIN_ENV, adminToken } from "../helpers/admin";
import { graphqlClient } from "../helpers/graphql";
import { startTestServer, type TestServer } from "../helpers/server";

const PROTOCOL = "graphql-transport-ws";
const PING = "subscription($channel: String!) { ping(channel: $channel) { message } }";

let server: TestServer;
let tokens: string[];
// The ping subscription these tests run is admin diagnostics.
let admin: string;

beforeAll(async () => {
  server = await startTestServer({
    WS_CONNECTION_INIT_TIMEOUT_MS: "300",
    WS_MAX_CONNECTIONS_PER_USER: "2",
    WS_MAX_SUBSCRIPTIONS: "2",
    WS_MAX_MESSAGE_BYTES: "4096",
    ...ADMIN_ENV,
  });
  admin = await adminToken(server);
  const gql = graphqlClient(server.graphqlUrl);
  tokens = await Promise.all([registerUser(gql), registerUser(gql)]).then((sessions) => sessions.map((s) => s.accessToken));
});
afterAll(async () => {
  await server?.stop();
});

/** A raw graphql-transport-ws socket, to see exactly what the server sends and how it closes. */
class Socket {
  readonly ws: WebSocket;
  readonly messages: { id?: string; type: string; payload?: unknown }[] = [];
  readonly closed: Promise<number>;
  private waiters: (() => void)[] = [];

  constructor() {
    this.ws = new WebSocket(server.wsUrl, PROTOCOL);
    this.ws.on("message", (data: Buffer) => {
      this.messages.push(JSON.parse(data.toString()));
      this.waiters.splice(0).forEach((wake) => wake());
    });
    this.closed = new Promise((resolve) => this.ws.on("close", (code: number) => resolve(code)));
  }

  static async open(token?: string): Promise<Socket> {
    const socket = new Socket();
    await new Promise((resolve) => socket.ws.once("open", resolve));
    socket.send({ type: "connection_init", payload: token ? { authorization: `Bearer ${token}` } : {} });
    return socket;
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  /** The first message matching, waiting up to 3 s; or the close code if the socket closes first. */
  async next(match: (m: Socket["messages"][number]) => boolean): Promise<Socket["messages"][number] | { closed: number }> {
    const deadline = Date.now() + 3_000;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (this.ws.readyState === WebSocket.CLOSED) return { closed: await this.closed };
      if (Date.now() > deadline) throw new Error(`no matching message; got ${JSON.stringify(this.messages)}`);
      await Promise.race([new Promise<void>((wake) => this.waiters.push(wake)), this.closed, sleep(50)]);
    }
  }

  subscribe(id: string, channel: string): void {
    this.send({ id, type: "subscribe", payload: { query: PING, variables: { channel } } });
  }

  close(): Promise<number> {
    this.ws.close();
    return this.closed;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const acked = (socket: Socket) => socket.next((m) => m.type === "connection_ack");

async function publish(channel: string, message: string): Promise<void> {
  const response = await graphqlClient(server.graphqlUrl)(SendPingDocument, { channel, message }, { token: admin });
  expect(response.errors).toBeUndefined();
}

it("closes a socket that never sends connection_init (4408)", async () => {
  const socket = new Socket();
  const started = Date.now();
  expect(await socket.closed).toBe(4408);
  expect(Date.now() - started).toBeLessThan(2_000);
});

it("refuses a user's connection past the limit (4403) and serves the others", async () => {
  const [mine, others] = tokens;
  const first = await Socket.open(mine);
  const second = await Socket.open(mine);
  expect(await acked(first)).toMatchObject({ type: "connection_ack" });
  expect(await acked(second)).toMatchObject({ type: "connection_ack" });

  const third = await Socket.open(mine);
  expect(await acked(third)).toEqual({ closed: 4403 });

  const someoneElse = await Socket.open(others);
  expect(await acked(someoneElse)).toMatchObject({ type: "connection_ack" });

  await first.close();
  // The server counts the socket closed once it has seen the close too; give it a moment.
  let again = await Socket.open(mine);
  for (let attempt = 0; attempt < 20 && "closed" in (await acked(again)); attempt++) {
    await sleep(50);
    again = await Socket.open(mine);
  }
  expect(await acked(again)).toMatchObject({ type: "connection_ack" });
  await Promise.all([second.close(), someoneElse.close(), again.close()]);
});

it("refuses operations past the per-connection limit, keeping the running ones", async () => {
  const socket = await Socket.open(admin);
  await acked(socket);
  socket.subscribe("1", "limits");
  socket.subscribe("2", "limits");
  socket.subscribe("3", "limits");
  const refused = await socket.next((m) => m.id === "3");
  expect(refused).toMatchObject({ type: "error", payload: [{ extensions: { code: "RATE_LIMITED" } }] });

  await sleep(100);
  await publish("limits", "still here");
  for (const id of ["1", "2"]) {
    expect(await socket.next((m) => m.id === id && m.type === "next")).toMatchObject({
      payload: { data: { ping: { message: "still here" } } },
    });
  }
  await socket.close();
});

it("closes a socket that sends an oversized message (1009) and keeps serving others", async () => {
  const bystander = await Socket.open(tokens[1]);
  await acked(bystander);
  const offender = await Socket.open(tokens[1]);
  await acked(offender);
  offender.send({ id: "big", type: "subscribe", payload: { query: `{ __typename } # ${"x".repeat(10_000)}` } });
  expect(await offender.closed).toBe(1009);

  bystander.send({ id: "q", type: "subscribe", payload: { query: "{ __typename }" } });
  expect(await bystander.next((m) => m.id === "q" && m.type === "next")).toMatchObject({ payload: { data: { __typename: "Query" } } });
  await bystander.close();
});
