import pino from "pino";
import { GeminiProvider, type GeminiSettings } from "../../src/infra/ai/gemini/gemini-provider";
import { OfflineProvider, type OfflineSettings } from "../../src/infra/ai/offline/offline-provider";
import { OpenAiProvider, type OpenAiSettings } from "../../src/infra/ai/openai/openai-provider";
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
