import { randomUUID } from "node:crypto";
import { ADMIN_ENV, adminToken } from "../helpers/admin";
import { graphqlClient, errorCode } from "../helpers/graphql";
import { startTestServer, type TestServer } from "../helpers/server";
import { uploadRequest } from "../helpers/upload";
import { HealthDocument, SendPingDocument, TypenameDocument } from "../generated/graphql";

let server: TestServer;
let gql: ReturnType<typeof graphqlClient>;
let admin: { token: string };

beforeAll(async () => {
  server = await startTestServer({ ALLOWED_ORIGINS: "https://app.example.com", ...ADMIN_ENV });
  gql = graphqlClient(server.graphqlUrl);
  // The ping mutation these tests send is admin diagnostics.
  admin = { token: await adminToken(server) };
});
afterAll(() => server.stop());

describe("REST health", () => {
  it("GET /health answers healthy with a timestamp", async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { timestamp: string };
    expect(body).toEqual({ status: "healthy", timestamp: expect.any(String) });
    expect(Date.parse(body.timestamp)).not.toBeNaN();
  });

  it("GET /health/detailed pings the embedded database, answering in the seed's shape with details aside", async () => {
    const response = await fetch(`${server.url}/health/detailed`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: "healthy",
      checks: { api: "healthy", database: "healthy", ai_service: "healthy" },
      details: {
        database: { kind: "embedded", latencyMs: expect.any(Number) },
        ai_service: expect.objectContaining({ provider: "offline" }),
      },
      timestamp: expect.any(String),
    });
  });

  it("unknown paths answer 404 with a FastAPI-style detail", async () => {
    const response = await fetch(`${server.url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: "Not Found" });
  });
});

describe("request ids and CORS", () => {
  it("generates a request id, or echoes a safe one from x-request-id", async () => {
    const generated = await fetch(`${server.url}/health`);
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await fetch(`${server.url}/health`, { headers: { "x-request-id": "trace-42" } });
    expect(echoed.headers.get("x-request-id")).toBe("trace-42");
    const unsafe = await fetch(`${server.url}/health`, { headers: { "x-request-id": "a b<script>" } });
    expect(unsafe.headers.get("x-request-id")).not.toBe("a b<script>");
  });

  it("allows the configured origins only", async () => {
    const preflight = (origin: string) =>
      fetch(server.graphqlUrl, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
      });
    const allowed = await preflight("https://app.example.com");
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const other = await preflight("https://evil.example.com");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("GraphQL over HTTP", () => {
  it("serves the bundled GraphiQL to browsers outside production", async () => {
    const response = await fetch(server.graphqlUrl, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toMatch(/<!DOCTYPE html>/i);
    expect(html).toContain("/ide/ruru.js");
  });

  it("answers { __typename }", async () => {
    const response = await gql(TypenameDocument);
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ __typename: "Query" });
  });

  it("reports health with each check", async () => {
    const { data } = await gql(HealthDocument);
    expect(data?.health.status).toBe("HEALTHY");
    expect(data?.health.checks.map((check) => [check.name, check.status])).toEqual([
      ["api", "HEALTHY"],
      ["database", "HEALTHY"],
      ["ai_service", "HEALTHY"],
    ]);
  });

  it("rejects invalid arguments with BAD_USER_INPUT naming the field", async () => {
    const response = await gql(SendPingDocument, { channel: "", message: "x".repeat(281) }, admin);
    expect(errorCode(response)).toBe("BAD_USER_INPUT");
    const fields = (response.errors?.[0]?.extensions?.fields as { field: string }[]).map((f) => f.field);
    expect(fields.sort()).toEqual(["channel", "message"]);
  });

  it("answers POST /graphql as it answers the paths Express also routes there: request id, CORS, security headers", async () => {
    const post = (path: string, id: string) =>
      fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: "https://app.example.com", "x-request-id": id },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
    const paths = ["/graphql", "/graphql/", "/graphql?from=test"];
    const answers = await Promise.all(paths.map(async (path, i) => ({ id: `route-${i}`, response: await post(path, `route-${i}`) })));
    const headerNames = (response: Response) => [...response.headers.keys()].filter((name) => name !== "date").sort();
    for (const { id, response } of answers) {
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { __typename: "Query" } });
      expect(response.headers.get("x-request-id")).toBe(id);
      expect(response.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(headerNames(response)).toEqual(headerNames(answers[0].response));
    }
  });

  it("answers malformed JSON with a GraphQL-shaped 400", async () => {
    const response = await fetch(server.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe("BAD_REQUEST");
  });

  it("refuses JSON bodies over 1 MB with 413 PAYLOAD_TOO_LARGE", async () => {
    const response = await fetch(server.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }", variables: { padding: "x".repeat(1_100_000) } }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("accepts multipart requests only with the apollo-require-preflight header", async () => {
    const file = { variablePath: "variables.file", filename: "notes.txt", contentType: "text/plain", content: "hi" };
    const variables = { channel: randomUUID(), message: "multipart" };
    const blocked = await uploadRequest(server.graphqlUrl, SendPingDocument, variables, [file], { preflight: false, ...admin });
    expect(blocked.status).toBe(400);
    const accepted = await uploadRequest(server.graphqlUrl, SendPingDocument, variables, [file], admin);
    expect(accepted.status).toBe(200);
    expect(accepted.data?.ping.message).toBe("multipart");
  });
});
