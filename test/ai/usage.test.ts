import mongoose from "mongoose";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { aiUsageTotals, MongoUsageRecorder } from "../../src/infra/ai";
import { AiUsageModel } from "../../src/infra/ai/usage/ai-usage.model";
import { tutorAnswerPrompt } from "../../src/infra/ai/prompts";
import { startFakeGemini, type FakeGemini } from "../helpers/fake-gemini";
import { GeminiProvider } from "../../src/infra/ai/gemini/gemini-provider";
import { FAST_RETRY, silentLog } from "./providers";

/** Usage accounting in the `ai_usage` collection, on the embedded engine through mongoose. */

let engine: EmbeddedMongo;
let fake: FakeGemini;
beforeAll(async () => {
  engine = await startEmbeddedMongo({ host: "127.0.0.1", port: 0 });
  await mongoose.connect(engine.uri, { dbName: "ai_usage_test" });
  fake = await startFakeGemini();
});
afterAll(async () => {
  await mongoose.disconnect();
  await engine.stop();
  await fake.stop();
});
beforeEach(async () => {
  fake.reset();
  await AiUsageModel.deleteMany({});
});

const prompt = tutorAnswerPrompt({ question: "What is ATP?", passages: [{ text: "ATP stores energy." }], history: [], mode: "HYBRID" });

it("stores each Gemini call with provider, model, purpose, tokens, latency, outcome and user", async () => {
  const recorder = new MongoUsageRecorder(silentLog);
  const gemini = new GeminiProvider(
    { apiKey: fake.apiKey, model: "gemini-2.5-flash", embeddingModel: "gemini-embedding-001", dimensions: 768, baseUrl: fake.url, retry: { ...FAST_RETRY, maxRetries: 0 } },
    { log: silentLog, recorder },
  );
  const userId = new mongoose.Types.ObjectId().toHexString();
  const answer = await gemini.generateText(prompt, { userId });
  fake.enqueue("generateContent", { error: 503 });
  await gemini.generateText(prompt, { userId }).catch(() => undefined);
  await gemini.embed(["one", "two"], "document");
  await recorder.flush();

  const rows = await AiUsageModel.find().sort({ created_at: 1 }).lean();
  expect(rows).toEqual([
    expect.objectContaining({
      provider: "gemini",
      model: "gemini-2.5-flash",
      purpose: "chat",
      input_tokens: answer.usage.inputTokens,
      output_tokens: answer.usage.outputTokens,
      latency_ms: expect.any(Number),
      outcome: "ok",
      user_id: userId,
      created_at: expect.any(Date),
    }),
    expect.objectContaining({ purpose: "chat", outcome: "error", error_code: "AI_UNAVAILABLE", user_id: userId }),
    expect.objectContaining({ model: "gemini-embedding-001", purpose: "embedding", outcome: "ok" }),
  ]);
  expect(rows[2].input_tokens).toBeUndefined();
});

it("sums calls, errors and tokens per provider and purpose over a period", async () => {
  const at = (iso: string) => new Date(iso);
  await AiUsageModel.insertMany([
    { provider: "gemini", model: "m", purpose: "chat", input_tokens: 100, output_tokens: 20, latency_ms: 5, outcome: "ok", created_at: at("2026-01-10") },
    { provider: "gemini", model: "m", purpose: "chat", input_tokens: 50, output_tokens: 10, latency_ms: 5, outcome: "ok", created_at: at("2026-01-11") },
    { provider: "gemini", model: "m", purpose: "chat", latency_ms: 5, outcome: "error", error_code: "AI_UNAVAILABLE", created_at: at("2026-01-12") },
    { provider: "gemini", model: "e", purpose: "embedding", latency_ms: 5, outcome: "ok", created_at: at("2026-01-12") },
    { provider: "offline", model: "o", purpose: "quiz", latency_ms: 1, outcome: "ok", created_at: at("2026-01-12") },
    { provider: "gemini", model: "m", purpose: "chat", input_tokens: 999, output_tokens: 999, latency_ms: 5, outcome: "ok", created_at: at("2026-02-01") },
  ]);

  expect(await aiUsageTotals({ since: at("2026-01-01"), until: at("2026-02-01") })).toEqual([
    { provider: "gemini", purpose: "chat", calls: 3, errors: 1, inputTokens: 150, outputTokens: 30 },
    { provider: "gemini", purpose: "embedding", calls: 1, errors: 0, inputTokens: 0, outputTokens: 0 },
    { provider: "offline", purpose: "quiz", calls: 1, errors: 0, inputTokens: 0, outputTokens: 0 },
  ]);
  expect(await aiUsageTotals()).toContainEqual({ provider: "gemini", purpose: "chat", calls: 4, errors: 1, inputTokens: 1149, outputTokens: 1029 });
});

it("logs, never throws, when a record cannot be written", async () => {
  const warnings: unknown[] = [];
  const log = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as typeof silentLog;
  const recorder = new MongoUsageRecorder(log);
  recorder.record({ provider: "gemini", model: "m", purpose: "chat", latencyMs: -1, outcome: "bogus" as "ok" });
  await recorder.flush();
  expect(warnings).toHaveLength(1);
});
