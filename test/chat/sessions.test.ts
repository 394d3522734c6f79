import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "graphql-ws";
import {
  ChatSessionDocument,
  ChatSessionsDocument,
  CreateChatSessionDocument,
  DeleteChatSessionDocument,
  DeleteCourseDocument,
  OnChatSessionEventsDocument,
  RenameChatSessionDocument,
  SendChatMessageDocument,
  StopChatGenerationDocument,
} from "../generated/graphql";
import { addChapters, createCourse, errorCode, failedFields, ok, startCourseWorld, type CourseWorld, type Session } from "../courses/support";
import { nextResult, subscribe, wsClient } from "../helpers/ws";
import { ask, createSession, finished, follow } from "./support";

const MAX_CONCURRENT = 2;
const PER_MINUTE = 4;

let world: CourseWorld;
const clients: Client[] = [];

function client(token: string): Client {
  const created = wsClient(world.server.wsUrl, { authorization: `Bearer ${token}` });
  clients.push(created);
  return created;
}

beforeAll(async () => {
  world = await startCourseWorld({
    AI_OFFLINE_STREAM_DELAY_MS: "25",
    CHAT_MAX_CONCURRENT: String(MAX_CONCURRENT),
    CHAT_MESSAGES_PER_MINUTE: String(PER_MINUTE),
  });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

afterAll(async () => {
  await world.server.stop();
});

test("sessions are created, listed, renamed and deleted with their messages", async () => {
  const user = await world.user();
  const token = user.accessToken;
  const course = await createCourse(world.gql, token);
  const first = await createSession(world.gql, token, { title: "Biology", mode: "STRICT", courseId: course.id });
  const second = await createSession(world.gql, token);

  const listed = ok(await world.gql(ChatSessionsDocument, {}, { token })).chatSessions;
  expect(listed.total).toBe(2);
  expect(listed.items.map((s) => s.id)).toEqual([second, first]);
  expect(listed.items[1]).toMatchObject({ title: "Biology", mode: "STRICT", scope: { courseId: course.id, uploadIds: [] }, lastMessageAt: null });
  expect(listed.items[0]).toMatchObject({ title: "New chat", mode: "HYBRID", scope: { courseId: null, uploadIds: [] } });

  const renamed = ok(await world.gql(RenameChatSessionDocument, { id: first, title: "  Cells  " }, { token })).renameChatSession;
  expect(renamed.title).toBe("Cells");

  const turn = await ask(world.gql, token, second, "Hello there, what is a cell?");
  await finished(world.gql, token, second, turn.assistantMessage.id);
  expect(ok(await world.gql(DeleteChatSessionDocument, { id: second }, { token })).deleteChatSession).toBe(true);
  expect(ok(await world.gql(ChatSessionDocument, { id: second }, { token })).chatSession).toBeNull();
  expect(errorCode(await world.gql(StopChatGenerationDocument, { messageId: turn.assistantMessage.id }, { token }))).toBe("NOT_FOUND");
  expect(errorCode(await world.gql(DeleteChatSessionDocument, { id: second }, { token }))).toBe("NOT_FOUND");
});

test("messages page from the newest, newest last", async () => {
  const user = await world.user();
  const token = user.accessToken;
  const sessionId = await createSession(world.gql, token);
  const questions = ["First question here?", "Second question here?"];
  for (const question of questions) {
    const turn = await ask(world.gql, token, sessionId, question);
    await finished(world.gql, token, sessionId, turn.assistantMessage.id);
  }
  const all = ok(await world.gql(ChatSessionDocument, { id: sessionId }, { token })).chatSession!;
  expect(all.messages.total).toBe(4);
  expect(all.messages.items.map((m) => m.role)).toEqual(["USER", "ASSISTANT", "USER", "ASSISTANT"]);
  expect(all.messages.items[2].content).toBe(questions[1]);
  expect(all.lastMessageAt).not.toBeNull();
  const latest = ok(await world.gql(ChatSessionDocument, { id: sessionId, skip: 0, limit: 2 }, { token })).chatSession!;
  expect(latest.messages.items.map((m) => m.content)[0]).toBe(questions[1]);
  expect(latest.messages.hasMore).toBe(true);
  const older = ok(await world.gql(ChatSessionDocument, { id: sessionId, skip: 2, limit: 2 }, { token })).chatSession!;
  expect(older.messages.items[0].content).toBe(questions[0]);
  expect(older.messages.hasMore).toBe(false);
});

test("input is validated: content length, blank titles, STRICT without material, scopes you cannot read", async () => {
  const user = await world.user();
  const other = await world.user();
  const token = user.accessToken;
  const sessionId = await createSession(world.gql, token);
  const tooLong = await world.gql(SendChatMessageDocument, { sessionId, content: "x".repeat(4001) }, { token });
  expect(errorCode(tooLong)).toBe("BAD_USER_INPUT");
  expect(failedFields(tooLong)).toEqual(["content"]);
  expect(errorCode(await world.gql(SendChatMessageDocument, { sessionId, content: "" }, { token }))).toBe("BAD_USER_INPUT");
  expect(errorCode(await world.gql(RenameChatSessionDocument, { id: sessionId, title: "   " }, { token }))).toBe("BAD_USER_INPUT");
  const strict = await world.gql(CreateChatSessionDocument, { input: { mode: "STRICT" } }, { token });
  expect(errorCode(strict)).toBe("BAD_USER_INPUT");
  expect(failedFields(strict)).toEqual(["input.mode"]);
  const hidden = await createCourse(world.gql, other.accessToken);
  expect(errorCode(await world.gql(CreateChatSessionDocument, { input: { mode: "HYBRID", courseId: hidden.id } }, { token }))).toBe("NOT_FOUND");
  expect(errorCode(await world.gql(CreateChatSessionDocument, { input: { mode: "HYBRID", uploadIds: [hidden.id] } }, { token }))).toBe(
    "NOT_FOUND",
  );
  expect(errorCode(await world.gql(ChatSessionsDocument, {}))).toBe("UNAUTHENTICATED");
});

test("another user can neither read, send to, stop nor subscribe to your session and messages", async () => {
  const owner = await world.user();
  const intruder = await world.user();
  const sessionId = await createSession(world.gql, owner.accessToken);
  const turn = await ask(world.gql, owner.accessToken, sessionId, "What is a cell?");
  const token = intruder.accessToken;

  expect(ok(await world.gql(ChatSessionDocument, { id: sessionId }, { token })).chatSession).toBeNull();
  expect(ok(await world.gql(ChatSessionsDocument, {}, { token })).chatSessions.total).toBe(0);
  expect(errorCode(await world.gql(SendChatMessageDocument, { sessionId, content: "hi" }, { token }))).toBe("NOT_FOUND");
  expect(errorCode(await world.gql(StopChatGenerationDocument, { messageId: turn.assistantMessage.id }, { token }))).toBe("NOT_FOUND");
  expect(errorCode(await world.gql(RenameChatSessionDocument, { id: sessionId, title: "mine" }, { token }))).toBe("NOT_FOUND");
  expect(errorCode(await world.gql(DeleteChatSessionDocument, { id: sessionId }, { token }))).toBe("NOT_FOUND");

  const denied = await follow(client(token), turn.assistantMessage.id).first();
  expect(denied.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  const sessionEvents = await nextResult(subscribe(client(token), OnChatSessionEventsDocument, { sessionId }));
  expect(sessionEvents.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  const anonymous = await follow(wsClient(world.server.wsUrl), turn.assistantMessage.id).first();
  expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");

  // The owner still gets the whole answer.
  const events = await follow(client(owner.accessToken), turn.assistantMessage.id).rest();
  expect(events.at(-1)?.status).toBe("COMPLETE");
});

test("per-user limits: concurrent answers, then messages per minute, refused with RATE_LIMITED", async () => {
  const user = await world.user();
  const token = user.accessToken;
  const sessionId = await createSession(world.gql, token);
  const turns = [];
  for (let i = 0; i < MAX_CONCURRENT; i++) turns.push(await ask(world.gql, token, sessionId, `Question ${i}: what is a cell?`));
  const busy = await world.gql(SendChatMessageDocument, { sessionId, content: "One too many?" }, { token });
  expect(errorCode(busy)).toBe("RATE_LIMITED");
  expect(busy.errors?.[0]?.extensions?.limit).toBe(MAX_CONCURRENT);
  // Another user is not affected.
  const other = await world.user();
  await ask(world.gql, other.accessToken, await createSession(world.gql, other.accessToken), "Mine is fine?");

  for (const turn of turns) await finished(world.gql, token, sessionId, turn.assistantMessage.id);
  for (let i = MAX_CONCURRENT; i < PER_MINUTE; i++) {
    const turn = await ask(world.gql, token, sessionId, `Question ${i}?`);
    await finished(world.gql, token, sessionId, turn.assistantMessage.id);
  }
  const tooMany = await world.gql(SendChatMessageDocument, { sessionId, content: "And another?" }, { token });
  expect(errorCode(tooMany)).toBe("RATE_LIMITED");
  expect(tooMany.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
  expect(tooMany.errors?.[0]?.extensions?.retryAfterSeconds).toBeLessThanOrEqual(60);
});

test("a burst of concurrent sends never admits more answers at once than the limit", async () => {
  const user = await world.user();
  const token = user.accessToken;
  const sessionId = await createSession(world.gql, token);
  const responses = await Promise.all(
    Array.from({ length: 6 }, (_, i) => world.gql(SendChatMessageDocument, { sessionId, content: `Burst ${i}: what is a cell?` }, { token })),
  );
  const admitted = responses.filter((response) => response.data);
  expect(admitted.length).toBeLessThanOrEqual(MAX_CONCURRENT);
  expect(responses.filter((response) => !response.data).map(errorCode)).toEqual(Array(6 - admitted.length).fill("RATE_LIMITED"));
  // Refused sends leave nothing behind.
  const stored = ok(await world.gql(ChatSessionDocument, { id: sessionId }, { token })).chatSession!;
  expect(stored.messages.total).toBe(2 * admitted.length);
});

test("chatSessionEvents follows a whole session live: messages created, answers growing and finishing, deletion", async () => {
  const user = await world.user();
  const token = user.accessToken;
  const sessionId = await createSession(world.gql, token);
  const events = subscribe(client(token), OnChatSessionEventsDocument, { sessionId });
  // Events are live only: rename until the subscription, set up meanwhile, sees one.
  let arrived = false;
  const firstEvent = nextResult(events).finally(() => (arrived = true));
  while (!arrived) {
    await world.gql(RenameChatSessionDocument, { id: sessionId, title: "Followed" }, { token });
    await sleep(20);
  }
  expect((await firstEvent).data?.chatSessionEvents.kind).toBe("SESSION_UPDATED");

  const turn = await ask(world.gql, token, sessionId, "What is a cell?");
  const kinds: string[] = [];
  let text = "";
  for (;;) {
    const event = (await nextResult(events)).data!.chatSessionEvents;
    if (event.kind === "SESSION_UPDATED") continue;
    kinds.push(event.kind);
    if (event.kind === "MESSAGE_CREATED") continue;
    expect(event.messageId).toBe(turn.assistantMessage.id);
    text += event.stream!.delta;
    if (event.kind === "MESSAGE_FINISHED") break;
  }
  expect(kinds.slice(0, 2)).toEqual(["MESSAGE_CREATED", "MESSAGE_CREATED"]);
  expect(kinds.at(-1)).toBe("MESSAGE_FINISHED");
  const stored = await finished(world.gql, token, sessionId, turn.assistantMessage.id);
  expect(text).toBe(stored.content);

  ok(await world.gql(DeleteChatSessionDocument, { id: sessionId }, { token }));
  expect((await nextResult(events)).data?.chatSessionEvents.kind).toBe("SESSION_DELETED");
  expect((await events.next()).done).toBe(true);
});

test("deleting a course deletes the chat sessions over it", async () => {
  const user = await world.user();
  const token = user.accessToken;
  const course = await createCourse(world.gql, token);
  await addChapters(world.gql, token, course.id, 1);
  const sessionId = await createSession(world.gql, token, { courseId: course.id });
  const kept = await createSession(world.gql, token);
  ok(await world.gql(DeleteCourseDocument, { id: course.id }, { token }));
  expect(ok(await world.gql(ChatSessionDocument, { id: sessionId }, { token })).chatSession).toBeNull();
  expect(ok(await world.gql(ChatSessionDocument, { id: kept }, { token })).chatSession).not.toBeNull();
});
