import { registerUser } from "../accounts/support";
import { GenerateCourseDocument, MeDocument, OnPingDocument, SendPingDocument, UploadFileDocument } from "../generated/graphql";
import { ADMIN_ENV, adminToken } from "../helpers/admin";
import { graphqlClient } from "../helpers/graphql";
import { startTestServer, type TestServer } from "../helpers/server";
import { uploadRequest } from "../helpers/upload";
import { nextResult, subscribe, wsClient } from "../helpers/ws";

const METRICS_TOKEN = "scrape-me-please";

let server: TestServer;

beforeAll(async () => {
  // Per-command latency needs the driver's command monitoring, off by default.
  server = await startTestServer({ METRICS_TOKEN, DB_COMMAND_MONITORING: "true", ...ADMIN_ENV });
});
afterAll(async () => {
  await server?.stop();
});

const scrape = (authorization?: string) =>
  fetch(`${server.url}/metrics`, { headers: authorization ? { authorization } : {} });

it("answers 401 without the token", async () => {
  expect((await scrape()).status).toBe(401);
  expect((await scrape("Bearer wrong")).status).toBe(401);
  expect((await scrape(METRICS_TOKEN)).status).toBe(401);
});

it("shows the named series after a scripted session", async () => {
  const gql = graphqlClient(server.graphqlUrl);
  const { accessToken } = await registerUser(gql);
  expect((await gql(MeDocument, {})).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  const generated = await gql(GenerateCourseDocument, { input: { topic: "Tides", level: "BEGINNER", numChapters: 3 } }, { token: accessToken });
  expect(generated.errors).toBeUndefined();
  const uploaded = await uploadRequest(server.graphqlUrl, UploadFileDocument, { file: null }, [
    { variablePath: "variables.file", filename: "tides.txt", contentType: "text/plain", content: "The Moon pulls the oceans." },
  ], { token: accessToken });
  expect(uploaded.errors).toBeUndefined();

  // Pings are admin diagnostics.
  const admin = await adminToken(server);
  const client = wsClient(server.wsUrl, { authorization: `Bearer ${admin}` });
  try {
    const pings = subscribe(client, OnPingDocument, { channel: "metrics" });
    const first = nextResult(pings, 20_000);
    // The subscription is set up after the socket opens, however long that takes on a loaded
    // machine: ping until it hears one (a ping before it is set up reaches nobody).
    let heard = false;
    void first.then(() => (heard = true)).catch(() => undefined);
    while (!heard) {
      await gql(SendPingDocument, { channel: "metrics", message: "hi" }, { token: admin });
      await Promise.race([first, new Promise((resolve) => setTimeout(resolve, 100))]);
    }

    const response = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    for (const series of [
      /^http_request_duration_seconds_count\{method="POST",route="\/graphql",status="200"\} \d+/m,
      /^graphql_operation_duration_seconds_count\{operation="GenerateCourse",type="mutation",transport="http"\} 1$/m,
      /^graphql_operation_duration_seconds_count\{operation="OnPing",type="subscription",transport="ws"\} 1$/m,
      /^graphql_errors_total\{code="UNAUTHENTICATED"\} 1$/m,
      /^websocket_connections 1$/m,
      /^websocket_subscriptions 1$/m,
      /^ai_calls_total\{provider="offline",purpose="[a-z_]+",outcome="ok"\} \d+/m,
      /^ai_call_duration_seconds_count\{provider="offline",purpose="[a-z_]+",outcome="ok"\} \d+/m,
      /^ingestion_jobs\{state="(pending|extracting|embedding|ready)"\} 1$/m,
      /^db_command_duration_seconds_count\{command="(find|insert|aggregate)",outcome="ok"\} \d+/m,
      /^db_round_trip_seconds_count [1-9]\d*$/m,
      /^process_cpu_seconds_total /m,
    ]) {
      expect(text).toMatch(series);
    }
  } finally {
    await client.dispose();
  }
});
