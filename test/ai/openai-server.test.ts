import type { Client } from "graphql-ws";
import { ask, createSession, follow, storedMessage, textOf } from "../chat/support";
import { errorCode, ok, startCourseWorld, type CourseWorld, type Session } from "../courses/support";
import { GenerateCourseDocument, GenerateQuizDocument, SearchDocument } from "../generated/graphql";
import { startFakeOpenAi, type FakeOpenAi } from "../helpers/fake-openai";
import { wsClient } from "../helpers/ws";
import { makePdf, PDF_PAGES } from "../uploads/fixtures";
import { settled, uploaded } from "../uploads/support";

/**
 * The whole API on a self-hosted model: the server started with AI_PROVIDER=openai against the
 * fake OpenAI-compatible server, used over HTTP and websockets as a client would.
 */

let fake: FakeOpenAi;
let world: CourseWorld;
let student: Session;
let uploadId: string;
/** What ingesting the upload sent to /embeddings. */
let ingestion: FakeOpenAi["requests"];
const clients: Client[] = [];

beforeAll(async () => {
  // Not the 768 of EMBEDDING_DIMENSIONS: the vector index must follow the model's own size.
  fake = await startFakeOpenAi({ dimensions: 384 });
  world = await startCourseWorld({ ...fake.env(), CHAT_STREAM_FLUSH_MS: "5" });
  student = await world.user();
  fake.reset();
  const upload = await uploaded(world, student.accessToken, "biology.pdf", await makePdf());
  uploadId = (await settled(world, student.accessToken, upload.id)).id;
  ingestion = fake.requests.filter((request) => request.task === "embeddings");
});

beforeEach(() => fake.reset());

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});

afterAll(async () => {
  await world.server.stop();
  await fake.stop();
});

const requestsFor = (task: string) => fake.requests.filter((request) => request.task === task);

/** A STRICT question on the upload, the model streaming `chunks`: the turn's events over a websocket, and the stored answer. */
async function streamedTurn(chunks: string[], delayMs: number) {
  fake.enqueue("stream", { chunks, delayMs });
  // The claim check that follows the answer.
  fake.enqueue("chat", { json: { verdicts: [{ claim: 1, supported: true }] } });
  const sessionId = await createSession(world.gql, student.accessToken, { mode: "STRICT", uploadIds: [uploadId] });
  const turn = await ask(world.gql, student.accessToken, sessionId, "When did the French Revolution begin?");
  const client = wsClient(world.server.wsUrl, { authorization: `Bearer ${student.accessToken}` });
  clients.push(client);
  const events = await follow(client, turn.assistantMessage.id).rest();
  const stored = await storedMessage(world.gql, student.accessToken, sessionId, turn.assistantMessage.id);
  return { events, stored };
}

test("a course is generated from a topic by the model, asked for JSON held to the outline's schema", async () => {
  const outline = {
    title: "Photosynthesis",
    description: "How plants turn light into sugar.",
    chapters: [1, 2, 3].map((n) => ({ title: `Stage ${n}`, content: `## Stage ${n}\n\nWhat happens in stage ${n}.`, durationMinutes: 10 })),
  };
  fake.enqueue("chat", { json: outline });
  const input = { topic: "Photosynthesis in plants", level: "BEGINNER" as const, numChapters: 3 };
  const course = ok(await world.gql(GenerateCourseDocument, { input }, { token: student.accessToken })).generateCourse;

  expect(course).toMatchObject({ title: "Photosynthesis", source: "AI_GENERATED" });
  expect(course.chapters.map((chapter) => chapter.title)).toEqual(["Stage 1", "Stage 2", "Stage 3"]);
  const [request] = requestsFor("chat");
  expect(request.body).toMatchObject({ model: "llama3.2", response_format: { type: "json_schema" } });
  expect(JSON.stringify(request.body.messages)).toContain("Photosynthesis in plants");
});

test("AI_UNAVAILABLE when the model server keeps failing, after retrying", async () => {
  fake.setDefault("chat", { error: 503 });
  const input = { topic: "Plate tectonics", level: "BEGINNER" as const, numChapters: 3 };
  expect(errorCode(await world.gql(GenerateCourseDocument, { input }, { token: student.accessToken }))).toBe("AI_UNAVAILABLE");
  expect(requestsFor("chat")).toHaveLength(4);
});

test("an upload's passages are embedded by the model in batches, and search finds them by meaning", async () => {
  const embedded = ingestion.flatMap((request) => request.body.input as string[]);
  expect(ingestion.every((request) => request.body.model === "nomic-embed-text" && request.body.encoding_format === "float")).toBe(true);
  expect(embedded.length).toBeGreaterThanOrEqual(PDF_PAGES.length);
  expect(embedded.some((text) => text.includes("The storming of the Bastille"))).toBe(true);

  const response = await world.gql(SearchDocument, { query: "What do mitochondria produce?", uploadId, limit: 3 }, { token: student.accessToken });
  const [best] = ok(response).search;

  expect(best).toMatchObject({ source: { type: "UPLOAD", id: uploadId }, pageStart: 2 });
  expect(best.text).toContain("Mitochondria are the powerhouse of the cell");
  expect(requestsFor("embeddings")).toEqual([expect.objectContaining({ body: expect.objectContaining({ model: "nomic-embed-text", input: ["What do mitochondria produce?"] }) })]);
});

test("a quiz is generated from an upload, its question citing the passage the model named", async () => {
  const question = {
    type: "SINGLE_CHOICE",
    prompt: "What do mitochondria produce?",
    options: ["ATP", "Glucose", "Chlorophyll", "Magma"],
    correct: [0],
    explanation: "Mitochondria produce ATP through cellular respiration using oxygen.",
    passage: 2,
  };
  fake.enqueue("chat", { json: { questions: [question] } });
  const quiz = ok(await world.gql(GenerateQuizDocument, { input: { uploadId, numQuestions: 1 } }, { token: student.accessToken })).generateQuiz;

  expect(quiz.questions.map((q) => [q.prompt, q.options, q.correctOptions])).toEqual([[question.prompt, question.options, [0]]]);
  expect(quiz.generationReport).toMatchObject({ requested: 1, regenerated: 0, provider: "openai", rejected: [] });
  expect(PDF_PAGES.join(" ")).toContain(quiz.questions[0].citation!.excerpt.replace(/…$/, ""));
  const prompt = JSON.stringify(requestsFor("chat")[0].body.messages);
  expect(prompt).toContain("Mitochondria are the powerhouse of the cell");
});

test("a STRICT chat answer streams token by token over websockets and is stored with its citations, model and usage", async () => {
  const chunks = ["The French ", "Revolution ", "began ", "in ", "1789 ", "[1]."];
  const { events, stored } = await streamedTurn(chunks, 30);

  expect(textOf(events)).toBe(chunks.join(""));
  expect(events.filter((event) => event.delta).length).toBeGreaterThanOrEqual(3);
  expect(stored).toMatchObject({ status: "COMPLETE", content: chunks.join(""), provider: "openai", model: "llama3.2", outputTokens: 7 });
  expect(stored.inputTokens).toBeGreaterThan(0);
  expect(stored.citations).toEqual([
    expect.objectContaining({ index: 1, sourceType: "UPLOAD", sourceId: uploadId, pageStart: 4, quote: expect.stringContaining("The French Revolution began in 1789") }),
  ]);
  expect(events.at(-1)).toMatchObject({ done: true, status: "COMPLETE", citations: stored.citations });
  const [request] = requestsFor("stream");
  expect(JSON.stringify(request.body.messages)).toContain("Answer only from the numbered passages");
});

test("a reasoning model's thinking never reaches the learner: not streamed, not stored", async () => {
  const chunks = ["<think>The passages ", "mention 1789.</th", "ink>\n\n", "The French ", "Revolution ", "began ", "in ", "1789 ", "[1]."];
  const { events, stored } = await streamedTurn(chunks, 10);

  const answer = "The French Revolution began in 1789 [1].";
  expect(textOf(events)).toBe(answer);
  expect(stored).toMatchObject({ status: "COMPLETE", content: answer });
  expect(stored.citations).toEqual([expect.objectContaining({ index: 1, sourceId: uploadId })]);
});

test("/health/detailed reports the self-hosted model from its model list, asking once per cache period and spending no tokens", async () => {
  for (let i = 0; i < 2; i++) {
    const body = (await (await fetch(`${world.server.url}/health/detailed`)).json()) as {
      checks: { ai_service: unknown };
      details: { ai_service: unknown };
    };
    // The seed's shape: a status string per check, what is behind it under `details`.
    expect(body.checks.ai_service).toBe("healthy");
    expect(body.details.ai_service).toEqual({ provider: "openai", model: "llama3.2", latencyMs: expect.any(Number) });
  }
  expect(fake.requests.map((request) => [request.method, request.path])).toEqual([["GET", "/v1/models"]]);
});
