import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig, type Environment } from "../../src/config";

/** The AI settings: which provider, which models, and how patient to be with them. */

const base = { DATA_DIR: mkdtempSync(join(tmpdir(), "ai-config-")), JWT_SECRET_KEY: "test-secret" };
const ai = (env: Environment) => loadConfig({ ...base, ...env }).ai;

it("defaults to the offline provider without a key, and to Gemini with one", () => {
  expect(ai({})).toEqual({
    provider: "offline",
    googleApiKey: undefined,
    geminiModel: "gemini-2.5-flash",
    geminiEmbeddingModel: "gemini-embedding-001",
    geminiBaseUrl: undefined,
    openai: { baseUrl: "http://localhost:11434/v1", embeddingBaseUrl: undefined, apiKey: undefined, model: "llama3.2", embeddingModel: "nomic-embed-text" },
    embeddingDimensions: 768,
    offlineEmbeddingModel: "hashed-ngrams",
    timeoutMs: 60_000,
    maxRetries: 3,
    retryBaseDelayMs: 500,
    retryMaxDelayMs: 20_000,
    offlineStreamDelayMs: 15,
  });
  expect(ai({ GOOGLE_API_KEY: "key" }).provider).toBe("gemini");
  expect(ai({ GOOGLE_API_KEY: "key", AI_PROVIDER: "Offline" }).provider).toBe("offline");
});

it("selects the offline embedding model, and refuses one it does not know", () => {
  expect(ai({ OFFLINE_EMBEDDING_MODEL: "USE-lite" }).offlineEmbeddingModel).toBe("use-lite");
  expect(() => ai({ OFFLINE_EMBEDDING_MODEL: "word2vec" })).toThrow(ConfigError);
  expect(() => ai({ OFFLINE_EMBEDDING_MODEL: "word2vec" })).toThrow(/OFFLINE_EMBEDDING_MODEL.*hashed-ngrams, use-lite/);
});

it("paces the offline stream in development only, unless AI_OFFLINE_STREAM_DELAY_MS says otherwise", () => {
  expect(ai({ NODE_ENV: "development" }).offlineStreamDelayMs).toBe(15);
  expect(ai({ NODE_ENV: "test" }).offlineStreamDelayMs).toBe(0);
  expect(ai({ NODE_ENV: "production", MONGODB_URL: "mongodb://db:27017", JWT_SECRET_KEY: "x".repeat(32) }).offlineStreamDelayMs).toBe(0);
  expect(ai({ NODE_ENV: "development", AI_OFFLINE_STREAM_DELAY_MS: "0" }).offlineStreamDelayMs).toBe(0);
  expect(ai({ NODE_ENV: "test", AI_OFFLINE_STREAM_DELAY_MS: "40" }).offlineStreamDelayMs).toBe(40);
});

it("reads models, endpoint, dimensions, timeouts and retries", () => {
  expect(
    ai({
      GOOGLE_API_KEY: "key",
      GEMINI_MODEL: "gemini-2.5-pro",
      GEMINI_EMBEDDING_MODEL: "text-embedding-004",
      GEMINI_BASE_URL: "http://127.0.0.1:9999",
      EMBEDDING_DIMENSIONS: "256",
      AI_TIMEOUT_MS: "5000",
      AI_MAX_RETRIES: "0",
      AI_RETRY_BASE_MS: "10",
      AI_RETRY_MAX_MS: "100",
      AI_OFFLINE_STREAM_DELAY_MS: "15",
    }),
  ).toMatchObject({
    geminiModel: "gemini-2.5-pro",
    geminiEmbeddingModel: "text-embedding-004",
    geminiBaseUrl: "http://127.0.0.1:9999",
    embeddingDimensions: 256,
    timeoutMs: 5000,
    maxRetries: 0,
    retryBaseDelayMs: 10,
    retryMaxDelayMs: 100,
    offlineStreamDelayMs: 15,
  });
});

it("selects an OpenAI-compatible server only when asked to, with its address, key and models", () => {
  const openai = {
    OPENAI_BASE_URL: "http://127.0.0.1:8080/v1",
    OPENAI_EMBEDDING_BASE_URL: "http://127.0.0.1:8081/v1",
    OPENAI_API_KEY: "sk-local",
    OPENAI_MODEL: "qwen2.5:7b",
    OPENAI_EMBEDDING_MODEL: "bge-m3",
  };
  expect(ai(openai).provider).toBe("offline");
  expect(ai({ ...openai, GOOGLE_API_KEY: "key" }).provider).toBe("gemini");
  expect(ai({ ...openai, GOOGLE_API_KEY: "key", AI_PROVIDER: "OpenAI" })).toMatchObject({
    provider: "openai",
    openai: {
      baseUrl: "http://127.0.0.1:8080/v1",
      embeddingBaseUrl: "http://127.0.0.1:8081/v1",
      apiKey: "sk-local",
      model: "qwen2.5:7b",
      embeddingModel: "bge-m3",
    },
  });
});

it.each([
  [{ AI_PROVIDER: "gemini" }, "AI_PROVIDER=gemini needs GOOGLE_API_KEY"],
  [{ AI_PROVIDER: "ollama" }, "AI_PROVIDER must be one of gemini, openai, offline"],
  [{ AI_PROVIDER: "openai", OPENAI_BASE_URL: "localhost:11434" }, "OPENAI_BASE_URL must be a URL starting with http:// or https://"],
  [{ OPENAI_EMBEDDING_BASE_URL: "ftp://example.com" }, "OPENAI_EMBEDDING_BASE_URL must be a URL starting with http:// or https://"],
  [{ EMBEDDING_DIMENSIONS: "64" }, "EMBEDDING_DIMENSIONS must be a whole number from 128 to 3072"],
  [{ GEMINI_BASE_URL: "ftp://example.com" }, "GEMINI_BASE_URL must be a URL starting with http:// or https://"],
  [{ AI_MAX_RETRIES: "11" }, "AI_MAX_RETRIES must be a whole number from 0 to 10"],
])("refuses %j", (env, message) => {
  expect(() => ai(env)).toThrow(ConfigError);
  expect(() => ai(env)).toThrow(message);
});
