import { createServer } from "node:net";
import { GraphQLError } from "graphql";
import pino from "pino";
import { GeminiProvider, type GeminiSettings } from "../../src/infra/ai/gemini/gemini-provider";
import { OfflineProvider, type OfflineSettings } from "../../src/infra/ai/offline/offline-provider";
import { OpenAiProvider, type OpenAiSettings } from "../../src/infra/ai/openai/openai-provider";
import { quizPrompt, tutorAnswerPrompt } from "../../src/infra/ai/prompts";
import type { GeneratedQuiz } from "../../src/infra/ai/schemas";
import type { AiUsageEntry, AiUsageRecorder } from "../../src/infra/ai/usage/usage-recorder";
import type { FakeGemini } from "../helpers/fake-gemini";
import { FAKE_OPENAI_EMBEDDING_MODEL, FAKE_OPENAI_MODEL, type FakeOpenAi } from "../helpers/fake-openai";

/** Keeps what providers record, for assertions. */
export class MemoryRecorder implements AiUsageRecorder {
  readonly entries: AiUsageEntry[] = [];

  record(entry: AiUsageEntry): void {
    this.entries.push(entry);
  }
}

export const silentLog = pino({ level: "silent" });

/** Short delays so that retry and timeout tests take milliseconds. */
export const FAST_RETRY = { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 1_000, timeoutMs: 2_000 };

export function geminiAgainst(
  fake: FakeGemini,
  overrides: Partial<Omit<GeminiSettings, "retry">> & { retry?: Partial<GeminiSettings["retry"]> } = {},
) {
  const recorder = new MemoryRecorder();
  const { retry, ...rest } = overrides;
  const provider = new GeminiProvider(
    {
      apiKey: fake.apiKey,
      model: "gemini-2.5-flash",
      embeddingModel: "gemini-embedding-001",
      dimensions: 768,
      baseUrl: fake.url,
      ...rest,
      retry: { ...FAST_RETRY, ...retry },
    },
    { log: silentLog, recorder },
  );
  return { provider, recorder };
}

export function openAiAgainst(
  fake: FakeOpenAi,
  overrides: Partial<Omit<OpenAiSettings, "retry">> & { retry?: Partial<OpenAiSettings["retry"]> } = {},
) {
  const recorder = new MemoryRecorder();
  const { retry, ...rest } = overrides;
  const provider = new OpenAiProvider(
    {
      baseUrl: fake.baseUrl,
      model: FAKE_OPENAI_MODEL,
      embeddingModel: FAKE_OPENAI_EMBEDDING_MODEL,
      ...rest,
      retry: { ...FAST_RETRY, ...retry },
    },
    { log: silentLog, recorder },
  );
  return { provider, recorder };
}

export function offline(overrides: Partial<OfflineSettings> = {}) {
  const recorder = new MemoryRecorder();
  const provider = new OfflineProvider({ dimensions: 768, streamDelayMs: 0, ...overrides }, recorder);
  return { provider, recorder };
}

/** What the provider tests ask: a tutor answer and a one-question quiz over two passages. */
export const passages = [{ text: "Chlorophyll absorbs red and blue light." }, { text: "Rubisco fixes carbon dioxide." }];
export const prompt = tutorAnswerPrompt({ question: "What does chlorophyll absorb?", passages, history: [], mode: "STRICT" });
export const quiz = quizPrompt({ passages, numQuestions: 1, difficulty: "EASY" });
export const GOOD_QUIZ: GeneratedQuiz = {
  questions: [
    { prompt: "What fixes carbon dioxide?", options: ["Rubisco", "Chlorophyll", "Glucose", "Water"], correctIndex: 0, explanation: "Passage 2.", passage: 2 },
  ],
};

/** The GraphQLError `promise` rejects with. */
export async function failure(promise: Promise<unknown>): Promise<GraphQLError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GraphQLError);
  return error as GraphQLError;
}

export async function collect(stream: AsyncIterable<string>): Promise<string[]> {
  const deltas: string[] = [];
  for await (const delta of stream) deltas.push(delta);
  return deltas;
}

/** A port nothing listens on (to see a refused connection). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
