import type { Client } from "graphql-ws";
import { StopChatGenerationDocument } from "../generated/graphql";
import { ok, startCourseWorld, type CourseWorld, type Session } from "../courses/support";
import { wsClient } from "../helpers/ws";
import { makePdf } from "../uploads/fixtures";
import { settled, uploaded } from "../uploads/support";
import { ask, createSession, finished, follow, storedMessage, textOf } from "./support";

const QUESTION = "What do mitochondria produce in the cell?";

let world: CourseWorld;
let owner: Session;
let uploadId: string;
/** The offline tutor's whole answer to QUESTION (it is deterministic). */
let fullAnswer: string;
const clients: Client[] = [];

function client(token: string): Client {
  const created = wsClient(world.server.wsUrl, { authorization: `Bearer ${token}` });
  clients.push(created);
  return created;
}

beforeAll(async () => {
  // Slow enough to join, stop and leave mid-answer; coalescing still gathers words into events.
  world = await startCourseWorld({ AI_OFFLINE_STREAM_DELAY_MS: "30", CHAT_STREAM_FLUSH_MS: "70" });
  owner = await world.user();
  const upload = await uploaded(world, owner.accessToken, "biology.pdf", await makePdf());
  uploadId = (await settled(world, owner.accessToken, upload.id)).id;
  const sessionId = await createSession(world.gql, owner.accessToken, { uploadIds: [uploadId] });
  const turn = await ask(world.gql, owner.accessToken, sessionId, QUESTION);
  fullAnswer = (await finished(world.gql, owner.accessToken, sessionId, turn.assistantMessage.id)).content;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

afterAll(async () => {
  await world.server.stop();
});

test("a full answer streams through the offline provider: every token once, in order, then stored COMPLETE with citations", async () => {
  const sessionId = await createSession(world.gql, owner.accessToken, { mode: "STRICT", uploadIds: [uploadId] });
  const turn = await ask(world.gql, owner.accessToken, sessionId, QUESTION);
  expect(turn.userMessage).toMatchObject({ role: "USER", status: "COMPLETE", content: QUESTION });
  expect(turn.assistantMessage).toMatchObject({ role: "ASSISTANT", status: "STREAMING", content: "" });

  const events = await follow(client(owner.accessToken), turn.assistantMessage.id).rest();
  const stored = await storedMessage(world.gql, owner.accessToken, sessionId, turn.assistantMessage.id);
  expect(textOf(events)).toBe(stored.content);
  expect(stored).toMatchObject({ status: "COMPLETE", provider: "offline", model: "offline-extractive-v1" });
  expect(stored.content).toMatch(/Mitochondria are the powerhouse of the cell/);
  expect(events.at(-1)).toMatchObject({ done: true, status: "COMPLETE", citations: stored.citations });
  expect(stored.citations.length).toBeGreaterThan(0);
  expect(stored.citations[0]).toMatchObject({ sourceType: "UPLOAD", sourceId: uploadId, title: "biology", pageStart: 2, pageEnd: 2 });
  // Coalesced: fewer events than words.
  expect(events.length).toBeLessThan(stored.content.split(/\s+/).length);
});

test("a late subscriber first gets the text so far as one event, then the live deltas: nothing lost or repeated", async () => {
  const sessionId = await createSession(world.gql, owner.accessToken, { uploadIds: [uploadId] });
  const turn = await ask(world.gql, owner.accessToken, sessionId, QUESTION);
  const early = follow(client(owner.accessToken), turn.assistantMessage.id);
  await early.next();
  await early.next();
  await early.next();
  const late = follow(client(owner.accessToken), turn.assistantMessage.id);
  const first = await late.next();
  const [earlyEvents, lateEvents] = await Promise.all([early.rest(), late.rest()]);
  const stored = await storedMessage(world.gql, owner.accessToken, sessionId, turn.assistantMessage.id);

  // The late subscriber joined mid-answer: its first event holds several early events' text at once.
  expect(first.done).toBe(false);
  expect(first.delta.length).toBeGreaterThan(earlyEvents[0].delta.length);
  expect(first.seq).toBeGreaterThanOrEqual(3);
  expect(stored.content.startsWith(first.delta)).toBe(true);
  expect(textOf(lateEvents)).toBe(stored.content);
  expect(textOf(earlyEvents)).toBe(stored.content);
  expect(lateEvents.length).toBeLessThan(earlyEvents.length);
  expect(lateEvents.at(-1)?.seq).toBe(earlyEvents.at(-1)?.seq);
});

test("subscribing to a finished answer gives one final event with the whole text and the citations", async () => {
  const sessionId = await createSession(world.gql, owner.accessToken, { uploadIds: [uploadId] });
  const turn = await ask(world.gql, owner.accessToken, sessionId, QUESTION);
  const stored = await finished(world.gql, owner.accessToken, sessionId, turn.assistantMessage.id);
  const events = await follow(client(owner.accessToken), turn.assistantMessage.id).rest();
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ done: true, status: "COMPLETE", delta: stored.content, citations: stored.citations });
});

test("stopChatGeneration mid-stream ends the answer STOPPED, keeping exactly the text streamed so far", async () => {
  const sessionId = await createSession(world.gql, owner.accessToken, { uploadIds: [uploadId] });
  const turn = await ask(world.gql, owner.accessToken, sessionId, QUESTION);
  const stream = follow(client(owner.accessToken), turn.assistantMessage.id);
  await stream.next();
  await stream.next();
  const stopped = ok(await world.gql(StopChatGenerationDocument, { messageId: turn.assistantMessage.id }, { token: owner.accessToken }))
    .stopChatGeneration;
  const events = await stream.rest();

  expect(stopped.status).toBe("STOPPED");
  expect(stopped.content.length).toBeGreaterThan(0);
  expect(stopped.content.length).toBeLessThan(fullAnswer.length);
  expect(fullAnswer.startsWith(stopped.content)).toBe(true);
  expect(events.at(-1)).toMatchObject({ done: true, status: "STOPPED" });
  expect(textOf(events)).toBe(stopped.content);
  // Stopping a finished answer changes nothing.
  const again = ok(await world.gql(StopChatGenerationDocument, { messageId: turn.assistantMessage.id }, { token: owner.accessToken }));
  expect(again.stopChatGeneration).toMatchObject({ status: "STOPPED", content: stopped.content });
});

test("a client that disconnects mid-stream changes nothing: the answer completes and is stored", async () => {
  const sessionId = await createSession(world.gql, owner.accessToken, { uploadIds: [uploadId] });
  const turn = await ask(world.gql, owner.accessToken, sessionId, QUESTION);
  const leaving = client(owner.accessToken);
  const stream = follow(leaving, turn.assistantMessage.id);
  const first = await stream.next();
  await leaving.dispose();

  const stored = await finished(world.gql, owner.accessToken, sessionId, turn.assistantMessage.id);
  expect(stored.status).toBe("COMPLETE");
  expect(stored.content.startsWith(first.delta)).toBe(true);
  expect(stored.content).toMatch(/\(Offline tutor: .*\)$/);
  expect(stored.citations.length).toBeGreaterThan(0);
});

test("nobody needs to listen: an answer nobody subscribed to is written and stored all the same", async () => {
  const sessionId = await createSession(world.gql, owner.accessToken, { uploadIds: [uploadId] });
  const turn = await ask(world.gql, owner.accessToken, sessionId, QUESTION);
  const stored = await finished(world.gql, owner.accessToken, sessionId, turn.assistantMessage.id);
  expect(stored).toMatchObject({ status: "COMPLETE", provider: "offline" });
  expect(stored.content).toMatch(/Mitochondria/);
});
