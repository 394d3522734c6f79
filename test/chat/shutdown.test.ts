import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { registerUser } from "../accounts/support";
import { graphqlClient } from "../helpers/graphql";
import { startTestServer } from "../helpers/server";
import { wsClient } from "../helpers/ws";
import { ask, createSession, follow, storedMessage } from "./support";

let engine: EmbeddedMongo;

beforeAll(async () => {
  engine = await startEmbeddedMongo({ host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  await engine.stop();
});

test("a graceful shutdown stores the answers being written as FAILED, keeping their text so far", async () => {
  // A database that outlives the server, as MongoDB does in production.
  const env = {
    MONGODB_URL: engine.uri,
    DATABASE_NAME: `chat_shutdown_${randomUUID().slice(0, 8)}`,
    JWT_SECRET_KEY: randomBytes(32).toString("hex"),
    AI_OFFLINE_STREAM_DELAY_MS: "40",
  };
  const first = await startTestServer(env);
  const gql = graphqlClient(first.graphqlUrl);
  const user = await eventually(() => registerUser(gql));
  const sessionId = await createSession(gql, user.accessToken);
  const turn = await ask(gql, user.accessToken, sessionId, "What is a cell?");
  const client = wsClient(first.wsUrl, { authorization: `Bearer ${user.accessToken}` });
  const stream = follow(client, turn.assistantMessage.id);
  const received = (await stream.next()).delta + (await stream.next()).delta;
  await first.stop();
  await client.dispose();

  const second = await startTestServer(env);
  try {
    const stored = await eventually(() => storedMessage(graphqlClient(second.graphqlUrl), user.accessToken, sessionId, turn.assistantMessage.id));
    expect(stored).toMatchObject({ status: "FAILED", error: "The server shut down while the answer was being written; ask again." });
    expect(stored.content.startsWith(received)).toBe(true);
  } finally {
    await second.stop();
  }
});

/** With MONGODB_URL the server connects in the background: retries until the database answers. */
async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}
