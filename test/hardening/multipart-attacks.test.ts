import { connect } from "node:net";
import { startInstance, type Instance } from "../helpers/instance";

/**
 * Malformed multipart bodies against the real server in its own process: each once without a
 * token (refused before a byte of the body is parsed) and once signed in with the preflight header
 * (parsed, and refused as BAD_USER_INPUT). The process must answer /health afterwards, and none of
 * them may reach the process guard.
 */
const METRICS_TOKEN = "metrics-token-for-the-multipart-test";
let api: Instance;
let token: string;

beforeAll(async () => {
  api = await startInstance({ METRICS_TOKEN, RATE_LIMIT_REQUESTS: "0" });
  const response = await fetch(api.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }",
      variables: { input: { email: "mallory@example.com", name: "Mallory", password: "a long enough password" } },
    }),
  });
  token = ((await response.json()) as { data: { register: { accessToken: string } } }).data.register.accessToken;
}, 90_000);

afterAll(async () => {
  await api?.stop();
});

const BOUNDARY = "xBOUNDARYx";
const OPERATIONS = JSON.stringify({ query: "mutation($file: Upload!) { uploadFile(file: $file) { id } }", variables: { file: null } });
const MAP = JSON.stringify({ 0: ["variables.file"] });

function part(headers: string, body: string): string {
  return `--${BOUNDARY}\r\n${headers}\r\n\r\n${body}\r\n`;
}
const fields = part('Content-Disposition: form-data; name="operations"', OPERATIONS) + part('Content-Disposition: form-data; name="map"', MAP);

const TRIGGERS: Record<string, string> = {
  "a part header without a colon": fields + `--${BOUNDARY}\r\nContent-Disposition form-data name="0"\r\n\r\nhello\r\n--${BOUNDARY}--\r\n`,
  "a control character in a part name": part('Content-Disposition: form-data; name="oper\u0001ations"', OPERATIONS) + `--${BOUNDARY}--\r\n`,
  "a NUL in a filename": fields + part('Content-Disposition: form-data; name="0"; filename="a\u0000.txt"\r\nContent-Type: text/plain', "hello") + `--${BOUNDARY}--\r\n`,
  "a 100 KB part header": fields + part(`Content-Disposition: form-data; name="0"; filename="a.txt"\r\nX-Padding: ${"x".repeat(100 * 1024)}`, "hello") + `--${BOUNDARY}--\r\n`,
  "a body that ends inside a part": fields + `--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="a.txt"\r\n\r\nhel`,
  "a map path through __proto__": part('Content-Disposition: form-data; name="operations"', OPERATIONS) +
    part('Content-Disposition: form-data; name="map"', JSON.stringify({ 0: ["__proto__.polluted"] })) + `--${BOUNDARY}--\r\n`,
  "no closing boundary at all": "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{",
};

/** A raw HTTP/1.1 request, so that bodies no HTTP client would send can be sent; resolves with the first answer. */
function rawPost(body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const { port } = new URL(api.url);
  const bytes = Buffer.from(body, "latin1");
  const head = [
    "POST /graphql HTTP/1.1",
    `Host: 127.0.0.1:${port}`,
    `Content-Type: multipart/form-data; boundary=${BOUNDARY}`,
    `Content-Length: ${bytes.length}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    "",
    "",
  ].join("\r\n");
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1");
    let received = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk]);
      const text = received.toString("utf8");
      const end = text.indexOf("\r\n\r\n");
      const length = Number(/content-length: (\d+)/i.exec(text.slice(0, end))?.[1]);
      if (end < 0 || !(Buffer.byteLength(text.slice(end + 4)) >= length)) return;
      socket.destroy();
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]), body: text.slice(end + 4) });
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error(`the connection closed before an answer: ${received.toString("utf8")}`)));
    socket.write(Buffer.concat([Buffer.from(head), bytes]));
  });
}

async function escapedErrors(): Promise<number> {
  const metrics = await (await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  return Number(/^process_escaped_errors (\d+)/m.exec(metrics)?.[1]);
}

async function expectAlive(): Promise<void> {
  const health = await fetch(`${api.url}/health`);
  expect(health.status).toBe(200);
}

describe.each(Object.entries(TRIGGERS))("%s", (_name, body) => {
  it("without a token: 401 before the body is parsed, and the process lives", async () => {
    const answer = await rawPost(body, { "apollo-require-preflight": "true" });
    expect(answer.status).toBe(401);
    expect(answer.body).toContain("UNAUTHENTICATED");
    await expectAlive();
  });

  it("without the preflight header: 400 before the body is parsed, and the process lives", async () => {
    const answer = await rawPost(body, { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/CSRF/);
    await expectAlive();
  });

  it("signed in: a clear 400 BAD_USER_INPUT (or a refusal of the file), and the process lives", async () => {
    const answer = await rawPost(body, { authorization: `Bearer ${token}`, "apollo-require-preflight": "true" });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ errors: [{ extensions: { code: "BAD_USER_INPUT" } }] });
    expect(answer.body).not.toMatch(/at .*\.(js|ts):\d+/);
    await expectAlive();
  });
});

it("nothing escaped to the process guard, and the prototype of objects is untouched", async () => {
  // Give a late second parser error (the old failure) time to surface.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await expectAlive();
  expect(await escapedErrors()).toBe(0);
  expect(api.logs.join("\n")).not.toMatch(/uncaught exception|unhandled rejection/);
  const me = await fetch(api.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: "{ me { name } }" }),
  });
  expect(await me.json()).toEqual({ data: { me: { name: "Mallory" } } });
});
