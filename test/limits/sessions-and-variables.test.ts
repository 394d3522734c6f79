import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import jwt from "jsonwebtoken";
import { ACCOUNTS_ENV, registerUser, type Gql } from "../accounts/support";
import { graphqlClient } from "../helpers/graphql";
import { logFileWhen } from "../helpers/log-file";
import { startTestServer, type TestServer } from "../helpers/server";
import { wsClient } from "../helpers/ws";
import { bearer, codes, post } from "../hardening/support";

let server: TestServer;
let gql: Gql;
const logDir = mkdtempSync(join(tmpdir(), "i23-log-"));
const logFile = join(logDir, "server.log");

beforeAll(async () => {
  server = await startTestServer({ ...ACCOUNTS_ENV, LOG_LEVEL: "warn", LOG_FILE: logFile });
  gql = graphqlClient(server.graphqlUrl);
});
afterAll(async () => {
  await server?.stop();
  rmSync(logDir, { recursive: true, force: true });
});

/** `{"a":{"a":…1…}}` nested `depth` levels, as JSON text (JSON.stringify itself would overflow). */
const nestedJson = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
const UPDATE_PREFERENCES = "mutation($p: JSONObject!) { updateProfile(input: { preferences: $p }) { id } }";

describe("sessions bound to their user", () => {
  it("refuses a validly signed token that names another user's live session", async () => {
    const alice = await registerUser(gql);
    const bob = await registerUser(gql);
    const { sid } = jwt.decode(alice.accessToken) as { sid: string };
    // What a token minted with Bob's id over Alice's session would be (a signing bug, a leaked sid).
    const forged = jwt.sign({ type: "access", sid, role: "STUDENT" }, server.config.jwt.secretKey, {
      algorithm: server.config.jwt.algorithm,
      subject: bob.user.id,
      expiresIn: 600,
    });
    const me = "{ me { id } }";
    // Alice's own token first, so her session is in the cache when the forged one arrives.
    expect((await post(server.graphqlUrl, { query: me }, bearer(alice.accessToken))).body?.data).toEqual({ me: { id: alice.user.id } });
    expect(codes(await post(server.graphqlUrl, { query: me }, bearer(forged)))).toEqual(["UNAUTHENTICATED"]);
    expect((await post(server.graphqlUrl, { query: me }, bearer(bob.accessToken))).body?.data).toEqual({ me: { id: bob.user.id } });
  });
});

describe("variables nested too deep", () => {
  it("answers 5,000 levels with BAD_USER_INPUT, before coercion, and logs it", async () => {
    const { accessToken } = await registerUser(gql);
    const response = await post(server.graphqlUrl, `{"query":${JSON.stringify(UPDATE_PREFERENCES)},"variables":{"p":${nestedJson(5_000)}}}`, bearer(accessToken));
    expect(response.status).toBe(400);
    expect(codes(response)).toEqual(["BAD_USER_INPUT"]);
    expect(response.body?.errors?.[0]?.message).toBe("Variables are nested deeper than 32 levels");
    const refusedLine = /variables nested too deep, refused before coercion/;
    expect(await logFileWhen(logFile, (text) => refusedLine.test(text))).toMatch(refusedLine);
  });

  it("still gives the precise message for preferences just past their own 20 levels", async () => {
    const { accessToken } = await registerUser(gql);
    const response = await post(server.graphqlUrl, `{"query":${JSON.stringify(UPDATE_PREFERENCES)},"variables":{"p":${nestedJson(25)}}}`, bearer(accessToken));
    expect(codes(response)).toEqual(["BAD_USER_INPUT"]);
    expect(response.body?.errors?.[0]?.message).not.toMatch(/Variables are nested/);
  });

  it("refuses them over websockets too", async () => {
    const { accessToken } = await registerUser(gql);
    const client = wsClient(server.wsUrl, { authorization: `Bearer ${accessToken}` });
    try {
      const variables = { p: JSON.parse(nestedJson(100)) as unknown };
      const result = await client.iterate({ query: UPDATE_PREFERENCES, variables }).next().catch((error: unknown) => error);
      expect(JSON.stringify(result)).toMatch(/Variables are nested deeper than 32 levels/);
    } finally {
      await client.dispose();
    }
  });
});
