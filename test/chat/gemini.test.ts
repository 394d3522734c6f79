import type { Client } from "graphql-ws";
import { startCourseWorld, type CourseWorld, type Session } from "../courses/support";
import { startFakeGemini, type FakeGemini } from "../helpers/fake-gemini";
import { wsClient } from "../helpers/ws";
import { makePdf, PDF_PAGES } from "../uploads/fixtures";
import { settled, uploaded } from "../uploads/support";
import { ask, createSession, follow, storedMessage, textOf } from "./support";

const STRICT_REFUSAL = "I don't have that information in the provided context.";

let gemini: FakeGemini;
let world: CourseWorld;
let owner: Session;
let uploadId: string;
const clients: Client[] = [];

function client(): Client {
  const created = wsClient(world.server.wsUrl, { authorization: `Bearer ${owner.accessToken}` });
  clients.push(created);
  return created;
}

const generations = () => gemini.requests.filter((request) => request.task === "streamGenerateContent");

beforeAll(async () => {
  gemini = await startFakeGemini();
  world = await startCourseWorld({ ...gemini.env(), CHAT_STREAM_FLUSH_MS: "5" });
  owner = await world.user();
  const upload = await uploaded(world, owner.accessToken, "biology.pdf", await makePdf());
  uploadId = (await settled(world, owner.accessToken, upload.id)).id;
});

beforeEach(() => gemini.reset());

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

afterAll(async () => {
  await world.server.stop();
  await gemini.stop();
});

test("Gemini's tokens stream to the client one by one as they come, and the answer is stored with the model and token usage", async () => {
  const chunks = ["Mitochondria ", "produce ", "ATP ", "through ", "cellular ", "respiration ", "[2]."];
  gemini.enqueue("streamGenerateContent", { chunks, delayMs: 40 });
  const sessionId = await createSession(world.gql, owner.accessToken, { mode: "HYBRID", uploadIds: [uploadId] });
  const turn = await ask(world.gql, owner.accessToken, sessionId, "What do mitochondria produce?");
  const stream = follow(client(), turn.assistantMessage.id);
  const events = await stream.rest();
  const stored = await storedMessage(world.gql, owner.accessToken, sessionId, turn.assistantMessage.id);

  expect(textOf(events)).toBe(chunks.join(""));
  expect(stored).toMatchObject({ status: "COMPLETE", content: chunks.join(""), provider: "gemini", model: "gemini-2.5-flash" });
  expect(stored.inputTokens).toBeGreaterThan(0);
  expect(stored.outputTokens).toBe(7);
  // 40 ms between tokens and 5 ms of coalescing: tokens travel as they come, not all at the end.
  expect(events.filter((event) => event.delta).length).toBeGreaterThanOrEqual(Math.ceil(chunks.length / 2));
  // The prompt carried the retrieved passage, numbered, and the question.
  const prompt = JSON.stringify(generations()[0].body);
  expect(prompt).toContain("Mitochondria are the powerhouse of the cell");
  expect(prompt).toContain('<passage n=\\"1\\"');
  expect(prompt).toContain("What do mitochondria produce?");
});

test("strict mode refuses an off-topic question without asking the model", async () => {
  const sessionId = await createSession(world.gql, owner.accessToken, { mode: "STRICT", uploadIds: [uploadId] });
  const turn = await ask(world.gql, owner.accessToken, sessionId, "Who won the football world cup in 1998?");
  const events = await follow(client(), turn.assistantMessage.id).rest();
  const stored = await storedMessage(world.gql, owner.accessToken, sessionId, turn.assistantMessage.id);

  expect(textOf(events)).toBe(STRICT_REFUSAL);
  expect(stored).toMatchObject({ status: "COMPLETE", content: STRICT_REFUSAL, citations: [], provider: null, model: null });
  expect(generations()).toHaveLength(0);
  expect(gemini.requests.some((request) => request.task.includes("mbed"))).toBe(true);
});

test("strict mode answers an on-topic question with citations to the right pages; citations to no passage are dropped", async () => {
  const answer = "The French Revolution began in 1789 [1]. The Bastille fell [1, 9]. See also [4].";
  gemini.enqueue("streamGenerateContent", { text: answer, delayMs: 5 });
  // The second, cheap call that checks the two cited claims against their passages.
  gemini.enqueue("generateContent", { json: { verdicts: [{ claim: 1, supported: true }, { claim: 2, supported: true }] } });
  const sessionId = await createSession(world.gql, owner.accessToken, { mode: "STRICT", uploadIds: [uploadId] });
  const turn = await ask(world.gql, owner.accessToken, sessionId, "When did the French Revolution begin?");
  const events = await follow(client(), turn.assistantMessage.id).rest();
  const stored = await storedMessage(world.gql, owner.accessToken, sessionId, turn.assistantMessage.id);

  expect(stored.content).toBe(answer);
  // Only the one relevant passage was retrieved: [9] and [4] point to nothing and are dropped.
  expect(stored.citations).toEqual([
    {
      index: 1,
      sourceType: "UPLOAD",
      sourceId: uploadId,
      title: "biology",
      pageStart: 4,
      pageEnd: 4,
      chunkIndex: 3,
      quote: expect.stringContaining("The French Revolution began in 1789"),
    },
  ]);
  expect(PDF_PAGES[3]).toContain(stored.citations[0].quote);
  expect(events.at(-1)).toMatchObject({ done: true, status: "COMPLETE", citations: stored.citations });
  const request = JSON.stringify(generations()[0].body);
  expect(request).toContain("Answer only from the numbered passages");
  expect(request).not.toContain("powerhouse");
});

test("an AI failure mid-stream ends the answer FAILED with an error event, keeping the text so far", async () => {
  gemini.enqueue("streamGenerateContent", { chunks: ["Mitochondria ", "are ", "the ", "powerhouse ", "of ", "the ", "cell."], delayMs: 20, dropAfter: 3 });
  const sessionId = await createSession(world.gql, owner.accessToken, { mode: "HYBRID", uploadIds: [uploadId] });
  const turn = await ask(world.gql, owner.accessToken, sessionId, "What are mitochondria?");
  const events = await follow(client(), turn.assistantMessage.id).rest();
  const stored = await storedMessage(world.gql, owner.accessToken, sessionId, turn.assistantMessage.id);

  const last = events.at(-1)!;
  expect(last).toMatchObject({ done: true, status: "FAILED", citations: [] });
  expect(last.error).toEqual(expect.any(String));
  expect(textOf(events)).toBe("Mitochondria are the ");
  expect(stored).toMatchObject({ status: "FAILED", content: "Mitochondria are the ", error: last.error, provider: "gemini" });
  // Mid-stream failures are not retried: the client already has part of the answer.
  expect(generations()).toHaveLength(1);
});

test("a follow-up question carries the conversation so far in the prompt", async () => {
  gemini.enqueue("streamGenerateContent", { text: "Mitochondria make ATP [1]." }, { text: "Through cellular respiration [1]." });
  const sessionId = await createSession(world.gql, owner.accessToken, { mode: "HYBRID", uploadIds: [uploadId] });
  const first = await ask(world.gql, owner.accessToken, sessionId, "What do mitochondria produce?");
  await follow(client(), first.assistantMessage.id).rest();
  const second = await ask(world.gql, owner.accessToken, sessionId, "And how do they do it?");
  await follow(client(), second.assistantMessage.id).rest();

  const [firstPrompt, secondPrompt] = generations().map((request) => JSON.stringify(request.body));
  expect(firstPrompt).not.toContain("Conversation so far");
  expect(secondPrompt).toContain("Conversation so far:\\nLearner: What do mitochondria produce?\\nTutor: Mitochondria make ATP [1].");
  expect(secondPrompt).toContain("And how do they do it?");
});
