import { ConfigError, loadConfig } from "../../src/config";

const base = { NODE_ENV: "test", JWT_SECRET_KEY: "test secret", DATA_DIR: "/tmp/chat-config-test" };

test("chat settings have defaults and are validated", () => {
  expect(loadConfig(base).chat).toEqual({
    maxConcurrentGenerations: 3,
    messagesPerMinute: 20,
    passages: 6,
    minRelevance: 0.6,
    historyTokens: 2000,
    streamFlushMs: 25,
  });
  const set = loadConfig({ ...base, CHAT_MAX_CONCURRENT: "7", CHAT_MIN_RELEVANCE: "0.75", CHAT_STREAM_FLUSH_MS: "0" }).chat;
  expect(set).toMatchObject({ maxConcurrentGenerations: 7, minRelevance: 0.75, streamFlushMs: 0 });
  expect(() => loadConfig({ ...base, CHAT_MIN_RELEVANCE: "1.5" })).toThrow(new ConfigError(
    'Invalid configuration: CHAT_MIN_RELEVANCE must be a number from 0 to 1 (got "1.5")',
  ));
  expect(() => loadConfig({ ...base, CHAT_MAX_CONCURRENT: "0" })).toThrow(/CHAT_MAX_CONCURRENT must be a whole number from 1/);
  expect(() => loadConfig({ ...base, REDIS_URL: "http://localhost" })).toThrow(/REDIS_URL must be a URL starting with redis:\/\/ or rediss:\/\//);
});
