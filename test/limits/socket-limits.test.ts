import { connect, type Socket } from "node:net";
import { startTestServer, type TestServer } from "../helpers/server";
import { wsClient } from "../helpers/ws";

const INIT_TIMEOUT_MS = 5_000;
const MAX_PENDING = 4;
const MAX_CONNECTIONS = 12;

let server: TestServer;
let port: number;
const opened: Socket[] = [];
/** Everything each raw connection received. */
const received = new WeakMap<Socket, Buffer[]>();

beforeAll(async () => {
  server = await startTestServer({
    WS_CONNECTION_INIT_TIMEOUT_MS: String(INIT_TIMEOUT_MS),
    WS_MAX_PENDING_PER_IP: String(MAX_PENDING),
    WS_MAX_INIT_BYTES: "4096",
    HTTP_HEADERS_TIMEOUT_MS: "1000",
    HTTP_MAX_CONNECTIONS_PER_IP: String(MAX_CONNECTIONS),
  });
  port = Number(new URL(server.url).port);
});
afterEach(() => {
  for (const socket of opened.splice(0)) socket.destroy();
});
afterAll(async () => {
  await server?.stop();
});

/** A raw TCP connection to the server, destroyed after the test. */
async function tcp(): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  opened.push(socket);
  socket.on("error", () => undefined);
  const chunks: Buffer[] = [];
  received.set(socket, chunks);
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  await new Promise((ready) => socket.once("connect", ready));
  return socket;
}

/** Everything the server sent, once it closes the connection; fails the test if it has not within `ms`. */
function closedWithin(socket: Socket, ms: number): Promise<Buffer> {
  const all = () => Buffer.concat(received.get(socket) ?? []);
  if (socket.destroyed) return Promise.resolve(all());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(all());
    });
  });
}

/** A websocket handshake by hand; resolves once the server has answered 101. */
async function upgraded(): Promise<Socket> {
  const socket = await tcp();
  socket.write(
    "GET /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n",
  );
  await new Promise<void>((resolve, reject) => {
    socket.once("data", (chunk) => (chunk.toString().startsWith("HTTP/1.1 101") ? resolve() : reject(new Error(chunk.toString()))));
  });
  return socket;
}

/** The header of a masked text frame announcing `length` bytes of payload, and its mask. */
function frameHeader(length: number): Buffer {
  const header = Buffer.alloc(14);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header; // mask 0,0,0,0
}

describe("websocket limits before connection_init", () => {
  it("cuts a socket that starts a 1 MiB frame without connection_init, as soon as it passes 4 KiB", async () => {
    const socket = await upgraded();
    const closed = closedWithin(socket, INIT_TIMEOUT_MS - 1_000);
    socket.write(Buffer.concat([frameHeader(1024 * 1024), Buffer.alloc(64 * 1024, 0x61)]));
    await closed;
  });

  it("cuts a silent socket shortly after the init timeout, whether or not it answers the close", async () => {
    const socket = await upgraded();
    await closedWithin(socket, INIT_TIMEOUT_MS + 3_000);
  }, 15_000);

  it(`allows ${MAX_PENDING} sockets waiting for connection_init per address, refuses the next, and serves a client that says hello`, async () => {
    const waiting = await Promise.all(Array.from({ length: MAX_PENDING }, () => upgraded()));
    const refused = await upgraded();
    const answer = await closedWithin(refused, 3_000);
    // After the 101 answer, a close frame (opcode 8) with 4429 as its code.
    const frame = answer.subarray(answer.indexOf("\r\n\r\n") + 4);
    expect(frame[0]).toBe(0x88);
    expect(frame.readUInt16BE(2)).toBe(4429);
    for (const socket of waiting) expect(socket.destroyed).toBe(false);
    for (const socket of waiting) socket.destroy();
    await new Promise((resume) => setTimeout(resume, 100));
    const client = wsClient(server.wsUrl);
    try {
      const result = await client.iterate({ query: "{ health { status } }" }).next();
      expect(result.value).toMatchObject({ data: { health: { status: expect.any(String) } } });
    } finally {
      await client.dispose();
    }
  });
});

describe("HTTP connections", () => {
  it("closes a connection whose headers trickle in past HTTP_HEADERS_TIMEOUT_MS", async () => {
    const socket = await tcp();
    socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    const drip = setInterval(() => socket.writable && socket.write("X-Slow: 1\r\n"), 300);
    try {
      const answer = await closedWithin(socket, 5_000);
      expect(answer.toString()).toMatch(/^HTTP\/1.1 408|^$/);
    } finally {
      clearInterval(drip);
    }
  });

  it(`holds at most ${MAX_CONNECTIONS} connections from one address, and serves it again once they close`, async () => {
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => tcp()));
    const extra = await tcp();
    await closedWithin(extra, 3_000);
    for (const socket of held) expect(socket.destroyed).toBe(false);
    for (const socket of held) socket.destroy();
    await new Promise((resume) => setTimeout(resume, 100));
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
  });
});
