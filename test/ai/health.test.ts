import { startFakeGemini, type FakeGemini } from "../helpers/fake-gemini";
import { startTestServer, type TestServer } from "../helpers/server";

/** `/health/detailed` and the `health` query report the active provider and whether it answers. */

let fake: FakeGemini;
beforeAll(async () => {
  fake = await startFakeGemini();
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

/** The AI check as one object: its status (under `checks`) with what it found (under `details`). */
async function detailed(server: TestServer) {
  const response = await fetch(`${server.url}/health/detailed`);
  const body = (await response.json()) as { status: string; checks: { ai_service: string }; details: { ai_service: Record<string, unknown> } };
  return { status: response.status, body: { status: body.status, checks: { ai_service: { status: body.checks.ai_service, ...body.details.ai_service } } } };
}

describe("with Gemini configured", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ...fake.env(), AI_MAX_RETRIES: "0" });
  });
  afterAll(() => server.stop());

  it("reports Gemini healthy after a token count, then reuses the result instead of asking again", async () => {
    const first = await detailed(server);
    expect(first.status).toBe(200);
    expect(first.body.checks.ai_service).toEqual({ status: "healthy", provider: "gemini", model: "gemini-2.5-flash", latencyMs: expect.any(Number) });
    await detailed(server);
    const query = await fetch(server.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ health { checks { name status detail } } }" }),
    });
    const { data } = (await query.json()) as { data: { health: { checks: { name: string; status: string; detail: string }[] } } };
    expect(data.health.checks).toContainEqual({ name: "ai_service", status: "HEALTHY", detail: "gemini" });
    expect(fake.requests.map((request) => request.task)).toEqual(["countTokens"]);
  });
});

describe("with Gemini failing", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ...fake.env(), GOOGLE_API_KEY: "not-the-key" });
  });
  afterAll(() => server.stop());

  it("reports the API degraded, the AI service unhealthy and why", async () => {
    const { status, body } = await detailed(server);
    expect(status).toBe(200);
    expect(body.status).toBe("degraded");
    expect(body.checks.ai_service).toEqual({
      status: "unhealthy",
      provider: "gemini",
      model: "gemini-2.5-flash",
      error: "The AI service rejected the request (HTTP 400)",
    });
  });
});

describe("provider selection", () => {
  it("uses the offline provider without a key, or when AI_PROVIDER=offline even with one", async () => {
    for (const env of [{}, { ...fake.env(), AI_PROVIDER: "offline" }]) {
      const server = await startTestServer(env);
      try {
        const { body } = await detailed(server);
        expect(body.checks.ai_service).toEqual({ status: "healthy", provider: "offline" });
      } finally {
        await server.stop();
      }
    }
    expect(fake.requests).toEqual([]);
  });
});
