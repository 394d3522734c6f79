import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { print } from "graphql";
import jwt from "jsonwebtoken";
import { UploadFileDocument } from "../generated/graphql";
import { startCourseWorld, type CourseWorld, type Session } from "../courses/support";
import { jsonLines, logFileWhen } from "../helpers/log-file";

/**
 * A refused upload must leave its keep-alive connection usable: the server reads (and drops) the
 * rest of the body, so the client's next request on the same socket is answered, not reset.
 */

const MAX_FILE_SIZE = 256 * 1024;
const ONE_MB = 1024 * 1024;
// Far beyond the margin: any failure here is a hang, not a slow machine.
const PATIENCE_MS = 4_000;

let world: CourseWorld;
let alice: Session;
let agent: Agent;
let logDir: string;
const logFile = () => join(logDir, "api.log");

beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), "ai-learning-logs-"));
  // Warnings go to stdout as well: the refusals below print a few JSON lines in the test output.
  world = await startCourseWorld({ MAX_FILE_SIZE: String(MAX_FILE_SIZE), LOG_LEVEL: "warn", LOG_FILE: logFile() });
  alice = await world.user();
});

afterAll(async () => {
  await world.server.stop();
  rmSync(logDir, { recursive: true, force: true });
});

beforeEach(() => {
  // One socket: every request of a test goes over the same connection while the server keeps it.
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
});

afterEach(() => agent.destroy());

interface Answer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] };
  /** True when this request went over a connection an earlier request had used. */
  reusedSocket: boolean;
  connection: string | undefined;
}

function send(headers: Record<string, string | number>, body: Buffer): Promise<Answer> {
  const { hostname, port } = new URL(world.server.url);
  return new Promise((resolve, reject) => {
    const req = request({ agent, hostname, port, path: "/graphql", method: "POST", headers }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (part: Buffer) => parts.push(part));
      res.on("end", () => {
        const text = Buffer.concat(parts).toString();
        resolve({
          status: res.statusCode ?? 0,
          body: text.startsWith("{") ? JSON.parse(text) : {},
          reusedSocket: req.reusedSocket,
          connection: res.headers.connection,
        });
      });
    });
    req.setTimeout(PATIENCE_MS, () => req.destroy(new Error(`no answer within ${PATIENCE_MS} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

function multipart(query: string, fileBytes: number, options: { token?: string; preflight?: boolean } = {}) {
  const boundary = "----keepalive" + Math.random().toString(16).slice(2);
  const field = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const body = Buffer.concat([
    Buffer.from(field("operations", JSON.stringify({ query, variables: { file: null } }))),
    Buffer.from(field("map", JSON.stringify({ 0: ["variables.file"] }))),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="notes.txt"\r\nContent-Type: text/plain\r\n\r\n`),
    Buffer.alloc(fileBytes, "a"),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const headers: Record<string, string | number> = {
    "content-type": `multipart/form-data; boundary=${boundary}`,
    "content-length": body.length,
  };
  if (options.preflight !== false) headers["apollo-require-preflight"] = "true";
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return { headers, body };
}

const UPLOAD = print(UploadFileDocument);

function query(text: string) {
  const body = Buffer.from(JSON.stringify({ query: text }));
  return send({ "content-type": "application/json", "content-length": body.length }, body);
}

async function expectConnectionStillServes(): Promise<void> {
  const next = await query("{ __typename }");
  expect(next).toMatchObject({ status: 200, body: { data: { __typename: "Query" } } });
}

async function refused(upload: ReturnType<typeof multipart>): Promise<Answer> {
  return send(upload.headers, upload.body);
}

const code = (answer: Answer) => answer.body.errors?.[0]?.extensions?.code;

it("a 1 MB upload without a token is refused, logged, and the same connection answers the next query", async () => {
  const upload = multipart(UPLOAD, ONE_MB);
  const answer = await send({ ...upload.headers, "x-request-id": "refused-upload-1" }, upload.body);
  expect(code(answer)).toBe("UNAUTHENTICATED");
  const next = await query("{ __typename }");
  expect(next).toMatchObject({ status: 200, reusedSocket: true, body: { data: { __typename: "Query" } } });
  const lines = jsonLines(await logFileWhen(logFile(), (text) => text.includes('"id":"refused-upload-1"')));
  expect(lines).toContainEqual(
    expect.objectContaining({
      level: 40,
      req: expect.objectContaining({ id: "refused-upload-1" }),
      msg: expect.stringMatching(/upload refused/),
      droppedBytes: expect.any(Number),
    }),
  );
});

it("without apollo-require-preflight: refused with 400, and the connection stays usable", async () => {
  const answer = await refused(multipart(UPLOAD, ONE_MB, { token: alice.accessToken, preflight: false }));
  expect(answer.status).toBe(400);
  await expectConnectionStillServes();
});

it("a query that does not parse: refused with 400, and the connection stays usable", async () => {
  const answer = await refused(multipart("mutation ($file: Upload!) { uploadFile(file: $file) {", ONE_MB, { token: alice.accessToken }));
  expect(answer.status).toBe(400);
  expect(code(answer)).toBe("GRAPHQL_PARSE_FAILED");
  await expectConnectionStillServes();
});

it("a file over MAX_FILE_SIZE: PAYLOAD_TOO_LARGE, and the connection stays usable", async () => {
  const answer = await refused(multipart(UPLOAD, ONE_MB, { token: alice.accessToken }));
  expect(code(answer)).toBe("PAYLOAD_TOO_LARGE");
  await expectConnectionStillServes();
});

it("a body larger than any upload could be is refused before it is read, and the client can go on", async () => {
  const answer = await refused(multipart(UPLOAD, MAX_FILE_SIZE + 4 * ONE_MB, { token: alice.accessToken }));
  expect(answer.status).toBe(413);
  expect(code(answer)).toBe("PAYLOAD_TOO_LARGE");
  expect(answer.connection).toBe("close");
  await expectConnectionStillServes();
});

it("an upload with an expired token is refused, and the retry with a fresh token succeeds on the same connection", async () => {
  const claims = jwt.decode(alice.accessToken) as Record<string, unknown>;
  const now = Math.floor(Date.now() / 1000);
  const expired = jwt.sign({ ...claims, iat: now - 3600, exp: now - 60 }, world.server.config.jwt.secretKey, { algorithm: "HS256" });
  const content = 200 * 1024;
  expect(code(await refused(multipart(UPLOAD, content, { token: expired })))).toBe("UNAUTHENTICATED");
  const retry = await refused(multipart(UPLOAD, content, { token: alice.accessToken }));
  expect(retry).toMatchObject({ status: 200, reusedSocket: true, body: { data: { uploadFile: { fileSize: content } } } });
});
