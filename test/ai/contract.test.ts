import { GraphQLError } from "graphql";
import { paragraphs } from "../../src/infra/ai/offline/text";
import { courseOutlinePrompt, quizPrompt, shortAnswerGradePrompt, tutorAnswerPrompt } from "../../src/infra/ai/prompts";
import type { AiProvider, JsonPrompt } from "../../src/infra/ai/provider";
import {
  courseOutlineSchema,
  normalizeOption,
  quizSchema,
  shortAnswerGradeSchema,
  type CourseOutline,
  type GeneratedQuiz,
} from "../../src/infra/ai/schemas";
import { startFakeGemini, type FakeGemini } from "../helpers/fake-gemini";
import { startFakeOpenAi, type FakeOpenAi } from "../helpers/fake-openai";
import { PHOTOSYNTHESIS } from "./fixtures/photosynthesis";
import { geminiAgainst, offline, openAiAgainst, type MemoryRecorder } from "./providers";

/**
 * What every service may rely on, whichever provider is configured. Gemini and the
 * OpenAI-compatible provider run for real (their SDKs over HTTP) against fake servers, which are
 * scripted where a model would decide.
 */

interface Subject {
  provider: AiProvider;
  recorder: MemoryRecorder;
  /** Makes the next JSON answer this value where a model decides; the offline provider decides itself. */
  scriptJson(value: unknown): void;
  /** Makes the next stream slow enough to cancel mid-way. */
  scriptSlowStream(words: string[]): void;
}

const passages = paragraphs(PHOTOSYNTHESIS).map((text) => ({ text }));
const answerPrompt = tutorAnswerPrompt({ question: "Why do leaves look green?", passages, history: [], mode: "STRICT" });

const GEMINI_QUIZ: GeneratedQuiz = {
  questions: [
    {
      prompt: "Which pigment absorbs light?",
      options: ["Chlorophyll", "Rubisco", "Glucose", "Starch"],
      correctIndex: 0,
      explanation: "The green pigment chlorophyll sits in the thylakoid membranes.",
      passage: 5,
    },
  ],
};
const GEMINI_OUTLINE: CourseOutline = {
  title: "Photosynthesis",
  description: "How plants make sugar from light.",
  chapters: [
    { title: "Where it happens", content: "Chloroplasts.", durationMinutes: 10 },
    { title: "Light reactions", content: "ATP and NADPH.", durationMinutes: 10 },
    { title: "The Calvin cycle", content: "Rubisco fixes carbon.", durationMinutes: 10 },
  ],
};

let fake: FakeGemini;
let fakeOpenAi: FakeOpenAi;
beforeAll(async () => {
  fake = await startFakeGemini();
  fakeOpenAi = await startFakeOpenAi();
});
afterAll(() => Promise.all([fake.stop(), fakeOpenAi.stop()]));
beforeEach(() => {
  fake.reset();
  fakeOpenAi.reset();
});

const subjects: [string, () => Subject][] = [
  [
    "offline",
    () => ({ ...offline(), scriptJson: () => undefined, scriptSlowStream: () => undefined }),
  ],
  [
    "gemini",
    () => ({
      ...geminiAgainst(fake),
      scriptJson: (value) => fake.enqueue("generateContent", { json: value }),
      scriptSlowStream: (words) => fake.enqueue("streamGenerateContent", { chunks: words, delayMs: 50 }),
    }),
  ],
  [
    "openai",
    () => ({
      ...openAiAgainst(fakeOpenAi),
      scriptJson: (value) => fakeOpenAi.enqueue("chat", { json: value }),
      scriptSlowStream: (words) => fakeOpenAi.enqueue("stream", { chunks: words, delayMs: 50 }),
    }),
  ],
];

describe.each(subjects)("AI provider contract: %s", (name, make) => {
  let subject: Subject;
  beforeEach(() => {
    subject = make();
  });

  it("names itself, its model, its embedding space and the size of its vectors", async () => {
    expect(subject.provider.name).toBe(name);
    expect(subject.provider.model).toEqual(expect.any(String));
    expect(subject.provider.embeddingModelId).toMatch(new RegExp(`^${name}/.+`));
    await expect(subject.provider.embeddingDimensions()).resolves.toBe(768);
  });

  it("answers text and records the call", async () => {
    const answer = await subject.provider.generateText(answerPrompt, { userId: "user-1" });
    expect(answer.text.trim()).not.toBe("");
    expect(answer.provider).toBe(name);
    expect(subject.recorder.entries).toEqual([
      expect.objectContaining({ provider: name, purpose: "chat", outcome: "ok", userId: "user-1", latencyMs: expect.any(Number) }),
    ]);
  });

  it("streams the same text as it answers, in order", async () => {
    const whole = await subject.provider.generateText(answerPrompt);
    const stream = subject.provider.streamText(answerPrompt);
    const deltas: string[] = [];
    for await (const delta of stream) deltas.push(delta);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe(whole.text);
    expect(stream).toMatchObject({ provider: name, model: whole.model, usage: whole.usage });
    expect(subject.recorder.entries.map((e) => e.outcome)).toEqual(["ok", "ok"]);
  });

  it("stops a stream when its signal aborts, rejecting with the signal's reason", async () => {
    subject.scriptSlowStream(["one ", "two ", "three ", "four ", "five"]);
    const controller = new AbortController();
    const deltas: string[] = [];
    const reading = (async () => {
      for await (const delta of subject.provider.streamText(answerPrompt, { signal: controller.signal })) {
        deltas.push(delta);
        if (deltas.length === 1) controller.abort();
      }
    })();
    await expect(reading).rejects.toMatchObject({ name: "AbortError" });
    expect(deltas).toHaveLength(1);
    expect(subject.recorder.entries).toEqual([expect.objectContaining({ outcome: "cancelled" })]);
  });

  it("rejects every call at once when the signal is already aborted", async () => {
    const signal = AbortSignal.abort();
    await expect(subject.provider.generateText(answerPrompt, { signal })).rejects.toMatchObject({ name: "AbortError" });
    await expect(subject.provider.embed(["text"], "query", { signal })).rejects.toMatchObject({ name: "AbortError" });
    const stream = subject.provider.streamText(answerPrompt, { signal })[Symbol.asyncIterator]();
    await expect(stream.next()).rejects.toMatchObject({ name: "AbortError" });
  });

  it("writes quizzes that satisfy the quiz schema: four distinct options, a valid answer index", async () => {
    subject.scriptJson(GEMINI_QUIZ);
    const prompt = quizPrompt({ passages, numQuestions: 3, difficulty: "MEDIUM" });
    const { value } = await subject.provider.generateJson(prompt);
    expect(quizSchema.safeParse(value).success).toBe(true);
    for (const question of value.questions) {
      expect(new Set(question.options.map(normalizeOption)).size).toBe(4);
      expect(question.correctIndex).toBeGreaterThanOrEqual(0);
      expect(question.correctIndex).toBeLessThan(4);
      expect(question.passage).toBeLessThanOrEqual(passages.length);
    }
    expect(subject.recorder.entries).toEqual([expect.objectContaining({ purpose: "quiz", outcome: "ok" })]);
  });

  it("writes course outlines that satisfy the outline schema", async () => {
    subject.scriptJson(GEMINI_OUTLINE);
    const prompt: JsonPrompt<CourseOutline> = courseOutlinePrompt({ topic: "Photosynthesis", level: "BEGINNER", numChapters: 3 });
    const { value } = await subject.provider.generateJson(prompt);
    expect(courseOutlineSchema.safeParse(value).success).toBe(true);
    expect(value.chapters).toHaveLength(3);
    expect(subject.recorder.entries).toEqual([expect.objectContaining({ purpose: "outline", outcome: "ok" })]);
  });

  it("grades short answers in the grading schema", async () => {
    subject.scriptJson({ correct: true, score: 1, feedback: "Same meaning." });
    const prompt = shortAnswerGradePrompt({ question: "What does rubisco fix?", acceptedAnswers: ["carbon dioxide"], answer: "Carbon dioxide" });
    const { value } = await subject.provider.generateJson(prompt);
    expect(shortAnswerGradeSchema.safeParse(value).success).toBe(true);
    expect(value.correct).toBe(true);
  });

  it("embeds texts in order as unit vectors of the configured size, the same text the same way", async () => {
    const texts = ["Chlorophyll absorbs red and blue light.", "The Calvin cycle fixes carbon.", "Chlorophyll absorbs red and blue light."];
    const vectors = await subject.provider.embed(texts, "document");
    expect(vectors).toHaveLength(3);
    for (const vector of vectors) {
      expect(vector).toHaveLength(768);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 6);
    }
    expect(vectors[2]).toEqual(vectors[0]);
    expect(vectors[1]).not.toEqual(vectors[0]);
    expect(await subject.provider.embed([], "document")).toEqual([]);
    expect(subject.recorder.entries).toEqual([expect.objectContaining({ purpose: "embedding", outcome: "ok" })]);
  });

  it("reports itself healthy", async () => {
    await expect(subject.provider.check()).resolves.toMatchObject({ status: "healthy", provider: name });
  });

  it("fails with GraphQL errors carrying a code", async () => {
    subject.scriptJson({ questions: [] });
    const tooLittle = quizPrompt({ passages: [{ text: "Too short." }], numQuestions: 1, difficulty: "EASY" });
    const error = await subject.provider.generateJson(tooLittle).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLError);
    expect(["AI_UNAVAILABLE", "BAD_USER_INPUT"]).toContain((error as GraphQLError).extensions.code);
  });
});
