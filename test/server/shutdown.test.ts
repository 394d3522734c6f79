import { once } from "node:events";
import { request } from "node:http";
import { randomUUID } from "node:crypto";
import type { CloseEvent } from "ws";
import { ADMIN_ENV, adminToken } from "../helpers/admin";
import { startTestServer, type TestServer } from "../helpers/server";
import { subscribe, wsClient } from "../helpers/ws";
import { OnPingDocument } from "../generated/graphql";

let server: TestServer;

let token: string;

beforeAll(async () => {
  server = await startTestServer(ADMIN_ENV);
  // The ping subscription that keeps a socket open is admin diagnostics.
  token = await adminToken(server);
});

/** Sends the headers and half of the body, so the request stays in flight until `finish()`. */
function startSlowRequest(body: string) {
  const req = request(server.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
  });
  const half = Math.floor(body.length / 2);
  req.write(body.slice(0, half));
  return { response, finish: () => req.end(body.slice(half)) };
}

async function refusesConnections(url: string): Promise<boolean> {
  for (let attempt = 0; attempt < 40; attempt++) {
    try {
      await fetch(url);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

it("stops accepting, finishes the request in flight, closes websockets with 1001", async () => {
  const client = wsClient(server.wsUrl, { authorization: `Bearer ${token}` });
  const connected = new Promise((resolve) => client.on("connected", resolve));
  const closed = new Promise<number>((resolve) => client.on("closed", (event) => resolve((event as CloseEvent).code)));
  // The pending subscription rejects with the close event; `closed` is what this test checks.
  subscribe(client, OnPingDocument, { channel: randomUUID() }).next().catch(() => undefined);
  await connected;

  const received = once(server.server.httpServer, "request");
  const slow = startSlowRequest(JSON.stringify({ query: "{ health { status } }" }));
  await received;

  const stopped = server.stop();
  expect(await refusesConnections(`${server.url}/health`)).toBe(true);
  expect(await closed).toBe(1001);

  slow.finish();
  const response = await slow.response;
  expect(response.status).toBe(200);
  // The database closes only after in-flight requests are done: this one could still use it.
  expect(JSON.parse(response.body)).toEqual({ data: { health: { status: "HEALTHY" } } });
  await stopped;
});
