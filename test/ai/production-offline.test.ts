import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { startTestServer, type TestServer } from "../helpers/server";

/** Production without GOOGLE_API_KEY starts, but says so at start-up and on /health/detailed. */

const PRODUCTION = { NODE_ENV: "production", JWT_SECRET_KEY: "production-secret-with-at-least-32-chars" };

let mongo: EmbeddedMongo;
let logDir: string;
const logFile = (name: string) => join(logDir, `${name}.log`);

beforeAll(async () => {
  // Production refuses to start its own embedded engine: give it one as if it were MongoDB.
  mongo = await startEmbeddedMongo({ port: 0 });
  logDir = mkdtempSync(join(tmpdir(), "ai-learning-logs-"));
});
afterAll(async () => {
  await mongo.stop();
  rmSync(logDir, { recursive: true, force: true });
});

async function aiService(server: TestServer): Promise<Record<string, unknown>> {
  // The status may still be 503 while MONGODB_URL connects in the background: only the AI check matters here.
  const response = await fetch(`${server.url}/health/detailed`);
  // The AI check as one object: its status (under `checks`) with what it found (under `details`).
  const body = (await response.json()) as { checks: { ai_service: string }; details: { ai_service: Record<string, unknown> } };
  return { status: body.checks.ai_service, ...body.details.ai_service };
}

function warnings(name: string): { msg: string }[] {
  return readFileSync(logFile(name), "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { level: number; msg: string })
    .filter((line) => line.level === 40);
}

it("logs a warning at start-up and reports the offline provider with that warning", async () => {
  // Warnings go to stdout as well: one JSON line in the test output is expected.
  const server = await startTestServer({ ...PRODUCTION, MONGODB_URL: mongo.uri, LOG_LEVEL: "warn", LOG_FILE: logFile("offline") });
  try {
    expect(warnings("offline")).toContainEqual(expect.objectContaining({ msg: expect.stringMatching(/offline AI provider.*GOOGLE_API_KEY/) }));
    expect(await aiService(server)).toEqual({
      status: "healthy",
      provider: "offline",
      warning: expect.stringMatching(/production is running the offline AI provider/),
    });
  } finally {
    await server.stop();
  }
});

it("says nothing of the kind outside production", async () => {
  const server = await startTestServer({ LOG_LEVEL: "warn", LOG_FILE: logFile("development") });
  try {
    expect(await aiService(server)).toEqual({ status: "healthy", provider: "offline" });
  } finally {
    await server.stop();
  }
  expect(() => warnings("development")).not.toThrow();
  expect(warnings("development").filter((line) => /AI provider/.test(line.msg))).toEqual([]);
});
