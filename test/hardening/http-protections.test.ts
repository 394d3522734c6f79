import { registerUser } from "../accounts/support";
import { graphqlClient } from "../helpers/graphql";
import { startTestServer, type TestServer } from "../helpers/server";
import { bearer, codes, post } from "./support";

const ALLOWED_ORIGIN = "https://app.example.com";

describe("rate limit", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_REQUESTS: "5", RATE_LIMIT_WINDOW: "2" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const query = (headers: Record<string, string> = {}) => post(server.graphqlUrl, { query: "{ __typename }" }, headers);

  /** Waits into a fresh two-second window, so the test does not straddle two. */
  async function freshWindow(): Promise<void> {
    const reset = Number((await fetch(`${server.url}/api/v1/unknown`)).headers.get("ratelimit-reset") ?? 1);
    await new Promise((resolve) => setTimeout(resolve, reset * 1000 + 50));
  }

  it("trips with 429, RATE_LIMITED and the standard headers, then recovers", async () => {
    await freshWindow();
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await query());
    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers[0]!.headers.get("ratelimit-limit")).toBe("5");
    expect(answers[0]!.headers.get("ratelimit-remaining")).toBe("4");
    expect(answers[0]!.headers.get("ratelimit-policy")).toBe("5;w=2");

    const refused = answers[5]!;
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect([1, 2]).toContain(retryAfter);
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    expect(codes(refused)).toEqual(["RATE_LIMITED"]);
    expect(refused.body?.errors?.[0]?.extensions?.retryAfterSeconds).toBe(retryAfter);

    const rest = await fetch(`${server.url}/api/v1/auth/me`);
    expect(rest.status).toBe(429);
    expect(await rest.json()).toEqual({ detail: expect.stringMatching(/Too many requests/) });

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    expect((await query()).status).toBe(200);
  });

  it("counts a signed-in user apart from their address", async () => {
    await freshWindow();
    const { accessToken } = await registerUser(graphqlClient(server.graphqlUrl));
    for (let i = 0; i < 5; i++) await query();
    expect((await query()).status).toBe(429);
    expect((await query(bearer(accessToken))).status).toBe(200);
    // A forged token is no way around the address's limit.
    expect((await query(bearer(`${accessToken}x`))).status).toBe(429);
  });
});

describe("headers, CSRF prevention and CORS", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: "development", DATABASE_IN_MEMORY: "true", ALLOWED_ORIGINS: ALLOWED_ORIGIN, GRAPHQL_IDE: "sandbox" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("sends helmet's headers with the API's answers", async () => {
    const response = await post(server.graphqlUrl, { query: "{ __typename }" });
    expect(response.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("strict-transport-security")).toMatch(/max-age=/);
    expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(response.headers.get("x-powered-by")).toBeNull();
  });

  it("serves the Sandbox landing page with Apollo's own nonce policy instead of a blocking CSP header", async () => {
    const response = await fetch(server.graphqlUrl, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("embeddable-sandbox.cdn.apollographql.com");
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="script-src 'self' 'nonce-/);
    expect(response.headers.get("content-security-policy")).toBeNull();
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("keeps CSRF prevention on: a simple request without a preflight header is refused", async () => {
    const response = await fetch(server.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(response.status).toBe(400);
    const get = await fetch(`${server.graphqlUrl}?query=${encodeURIComponent("{ __typename }")}`);
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/CSRF/);
  });

  it("keeps CSRF prevention on for uploads", async () => {
    const form = new FormData();
    form.append("operations", JSON.stringify({ query: "mutation($file: Upload!) { uploadFile(file: $file) { id } }", variables: { file: null } }));
    form.append("map", JSON.stringify({ 0: ["variables.file"] }));
    form.append("0", new Blob(["hello"], { type: "text/plain" }), "a.txt");
    const response = await fetch(server.graphqlUrl, { method: "POST", body: form });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF|preflight/i);
  });

  it("allows only ALLOWED_ORIGINS", async () => {
    const preflight = (origin: string) =>
      fetch(server.graphqlUrl, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
      });
    expect((await preflight(ALLOWED_ORIGIN)).headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    expect((await preflight("https://evil.example.com")).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("has no /metrics without METRICS_TOKEN", async () => {
    const response = await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer anything" } });
    expect(response.status).toBe(404);
  });

  it("refuses a JSON body over the size limit with PAYLOAD_TOO_LARGE", async () => {
    const response = await post(server.graphqlUrl, { query: "{ __typename }", variables: { pad: "x".repeat(1_100_000) } });
    expect(response.status).toBe(413);
    expect(codes(response)).toEqual(["PAYLOAD_TOO_LARGE"]);
  });
});
