import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config";

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), "ai-learning-hardening-config-"));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

it("has the documented defaults for the hardening settings", () => {
  const config = loadConfig({ DATA_DIR: dataDir });
  expect(config).toMatchObject({
    rateLimit: { requests: 100, windowSeconds: 60 },
    graphql: { maxDepth: 12, maxAliases: 30, maxDirectives: 30, maxTokens: 5_000, maxCost: 5_000 },
    websockets: { connectionInitTimeoutMs: 3_000, maxConnectionsPerUser: 10, maxSubscriptionsPerConnection: 20, maxMessageBytes: 1024 * 1024 },
  });
  expect(config.metricsToken).toBeUndefined();
});

it("leaves the rate limit off under NODE_ENV=test unless one is set", () => {
  expect(loadConfig({ DATA_DIR: dataDir, NODE_ENV: "test" }).rateLimit.requests).toBe(0);
  expect(loadConfig({ DATA_DIR: dataDir, NODE_ENV: "test", RATE_LIMIT_REQUESTS: "7" }).rateLimit.requests).toBe(7);
  expect(loadConfig({ DATA_DIR: dataDir, RATE_LIMIT_REQUESTS: "0" }).rateLimit.requests).toBe(0);
});

it("names each bad limit", () => {
  expect(() =>
    loadConfig({ DATA_DIR: dataDir, GRAPHQL_MAX_DEPTH: "0", GRAPHQL_MAX_TOKENS: "many", WS_MAX_MESSAGE_BYTES: "10" }),
  ).toThrow(/GRAPHQL_MAX_DEPTH .*; GRAPHQL_MAX_TOKENS .*; WS_MAX_MESSAGE_BYTES /);
});
