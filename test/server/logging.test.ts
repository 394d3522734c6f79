import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsonLines, logFileWhen } from "../helpers/log-file";
import { startTestServer, type TestServer } from "../helpers/server";

// This file's server logs to stdout as well: a few JSON lines in the test output are expected.
let server: TestServer;
let logDir: string;
const logFile = () => join(logDir, "logs", "api.log");

beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), "ai-learning-logs-"));
  server = await startTestServer({ LOG_LEVEL: "info", LOG_FILE: logFile(), TRUST_PROXY: "loopback" });
});
afterAll(async () => {
  await server.stop();
  rmSync(logDir, { recursive: true, force: true });
});

it("logs each request to LOG_FILE with method, path, status, duration, request id and client IP, without credentials", async () => {
  // TRUST_PROXY=loopback: the test client is a trusted proxy, so its X-Forwarded-For is believed.
  await fetch(`${server.url}/health`, {
    headers: { "x-request-id": "log-test-1", authorization: "Bearer secret-token-123", "x-forwarded-for": "203.0.113.7" },
  });
  const lines = jsonLines(await logFileWhen(logFile(), (text) => text.includes('"id":"log-test-1"')));
  const entry = lines.find((line) => line.req?.id === "log-test-1");
  expect(entry).toMatchObject({
    req: { id: "log-test-1", method: "GET", url: "/health" },
    res: { statusCode: 200 },
    responseTime: expect.any(Number),
    clientIp: "203.0.113.7",
  });
  expect(readFileSync(logFile(), "utf8")).not.toContain("secret-token-123");
});
