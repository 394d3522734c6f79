import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "graphql-ws";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { ChatSessionsDocument, OnChatSessionEventsDocument, RenameChatSessionDocument, StopChatGenerationDocument } from "../generated/graphql";
import { registerUser, type Session } from "../accounts/support";
import { ok } from "../courses/support";
import { graphqlClient } from "../helpers/graphql";
import { nextResult, subscribe, wsClient } from "../helpers/ws";
import { startInstance, type Instance } from "../helpers/instance";
import { REDIS_TEST_URL } from "./redis";
import { ask, createSession, follow, storedMessage, textOf } from "./support";

jest.setTimeout(60_000);

let engine: EmbeddedMongo;
let a: Instance;
let b: Instance;
let user: Session;
const clients: Client[] = [];

const gqlA = () => graphqlClient(a.graphqlUrl);
const gqlB = () => graphqlClient(b.graphqlUrl);

function clientOf(instance: Instance): Client {
  const created = wsClient(instance.wsUrl, { authorization: `Bearer ${user.accessToken}` });
  clients.push(created);
  return created;
}

beforeAll(async () => {
  engine = await startEmbeddedMongo({ host: "127.0.0.1", port: 0 });
  // One database, one Redis, one signing key: two instances of one deployment.
  const env = {
    MONGODB_URL: engine.uri,
    DATABASE_NAME: `chat_scale_out_${randomUUID().slice(0, 8)}`,
    REDIS_URL: REDIS_TEST_URL,
    JWT_SECRET_KEY: randomBytes(32).toString("hex"),
    BCRYPT_COST: "4",
    AI_OFFLINE_STREAM_DELAY_MS: "40",
  };
  // One after the other, so a failed start leaves no running process behind for afterAll to miss.
  a = await startInstance(env);
  b = await startInstance(env);
  user = await registerUser(gqlA());
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await engine?.stop();
});

test("a subscriber on instance B receives, token by token, an answer generated on instance A", async () => {
  const token = user.accessToken;
  const sessionId = await createSession(gqlA(), token);
  expect(ok(await gqlB()(ChatSessionsDocument, {}, { token })).chatSessions.items.map((s) => s.id)).toEqual([sessionId]);

  // Session events on B, subscribed before the question is sent to A: pure Redis fan-out.
  const sessionEvents = subscribe(clientOf(b), OnChatSessionEventsDocument, { sessionId });
  await untilFollowing(sessionEvents, sessionId);
  const turn = await ask(gqlA(), token, sessionId, "What is a cell?");
  const stream = follow(clientOf(b), turn.assistantMessage.id);
  for (let i = 0; i < 3; i++) await stream.next();
  // Joins mid-answer: the text so far comes from instance A through Redis, then the live deltas.
  const late = follow(clientOf(b), turn.assistantMessage.id);
  const [events, lateEvents] = await Promise.all([stream.rest(), late.rest()]);
  const stored = await storedMessage(gqlB(), token, sessionId, turn.assistantMessage.id);

  expect(stored.status).toBe("COMPLETE");
  expect(textOf(events)).toBe(stored.content);
  expect(textOf(lateEvents)).toBe(stored.content);
  expect(lateEvents[0].delta.length).toBeGreaterThan(events[0].delta.length);
  // Live deltas crossed instances, not just one final event read from the database.
  expect(events.filter((event) => !event.done).length).toBeGreaterThan(3);

  let sessionText = "";
  for (;;) {
    const event = (await nextResult(sessionEvents)).data!.chatSessionEvents;
    if (event.messageId !== turn.assistantMessage.id || !event.stream) continue;
    sessionText += event.stream.delta;
    if (event.kind === "MESSAGE_FINISHED") break;
  }
  expect(sessionText).toBe(stored.content);
});

test("stopChatGeneration on instance B stops an answer being written on instance A", async () => {
  const token = user.accessToken;
  const sessionId = await createSession(gqlA(), token);
  const turn = await ask(gqlA(), token, sessionId, "What is a cell?");
  const stream = follow(clientOf(b), turn.assistantMessage.id);
  await stream.next();
  const stopped = ok(await gqlB()(StopChatGenerationDocument, { messageId: turn.assistantMessage.id }, { token })).stopChatGeneration;
  const events = await stream.rest();

  expect(stopped.status).toBe("STOPPED");
  expect(events.at(-1)).toMatchObject({ done: true, status: "STOPPED" });
  expect(textOf(events)).toBe(stopped.content);
});

/** Session events are live only: renames the session on A until B's subscription reports one. */
async function untilFollowing(events: AsyncIterator<unknown>, sessionId: string): Promise<void> {
  let arrived = false;
  const first = nextResult(events).finally(() => (arrived = true));
  while (!arrived) {
    await gqlA()(RenameChatSessionDocument, { id: sessionId, title: "Followed" }, { token: user.accessToken });
    await sleep(20);
  }
  await first;
}
