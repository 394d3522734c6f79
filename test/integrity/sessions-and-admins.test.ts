import { parse } from "graphql";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { PASSWORD, login, registerUser, type Gql } from "../accounts/support";
import { ChangePasswordDocument, LogoutAllDocument, LogoutDocument, SetUserActiveDocument, SetUserRoleDocument, type UserRole } from "../generated/graphql";
import { ADMIN_ENV, adminToken } from "../helpers/admin";
import { errorCode, graphqlClient } from "../helpers/graphql";
import { startTestServer, type TestServer } from "../helpers/server";
import { wsClient } from "../helpers/ws";

const PING = "subscription($channel: String!) { ping(channel: $channel) { message } }";
const SEND = "mutation($channel: String!) { ping(channel: $channel, message: \"hello\") { message } }";

/** A running subscription on its own socket, and how it ended. */
function follow(wsUrl: string, token: string, channel: string) {
  const client = wsClient(wsUrl, { authorization: `Bearer ${token}` });
  const received: unknown[] = [];
  let started!: () => void;
  const ready = new Promise<void>((resolve) => (started = resolve));
  const ended = new Promise<string>((resolve) => {
    client.on("connected", () => started());
    client.subscribe({ query: PING, variables: { channel } }, {
      next: (value) => received.push(value),
      error: (error) => resolve(String((error as { code?: number }).code ?? error)),
      complete: () => resolve("complete"),
    });
  });
  return { client, received, ready, ended };
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<"still open">((resolve) => setTimeout(() => resolve("still open"), ms))]);

describe("subscriptions end with their session", () => {
  let server: TestServer;
  let gql: Gql;

  beforeAll(async () => {
    server = await startTestServer(ADMIN_ENV);
    gql = graphqlClient(server.graphqlUrl);
  });
  afterAll(() => server.stop());

  it("logout closes that session's sockets (4401) and leaves the user's other sessions running", async () => {
    const first = await login(gql, ADMIN_ENV.ADMIN_EMAIL, ADMIN_ENV.ADMIN_PASSWORD);
    const second = await login(gql, ADMIN_ENV.ADMIN_EMAIL, ADMIN_ENV.ADMIN_PASSWORD);
    const a = follow(server.wsUrl, first.accessToken, "one");
    const b = follow(server.wsUrl, second.accessToken, "one");
    try {
      await Promise.all([a.ready, b.ready]);
      // Wait until both subscriptions deliver, so both are running when the session ends.
      for (let i = 0; i < 50 && (a.received.length === 0 || b.received.length === 0); i++) {
        await gql(parse(SEND), { channel: "one" }, { token: second.accessToken });
        await new Promise((resume) => setTimeout(resume, 50));
      }
      expect(a.received.length).toBeGreaterThan(0);
      expect(await gql(LogoutDocument, { refreshToken: first.refreshToken })).toMatchObject({ data: { logout: true } });
      expect(await within(a.ended, 5_000)).toBe("4401");
      expect(await within(b.ended, 300)).toBe("still open");
    } finally {
      await Promise.all([a.client.dispose(), b.client.dispose()]);
    }
  });

  it("deactivation and logoutAll close every socket of the user; a password change all but the current session's", async () => {
    const admin = await adminToken(server);
    const { user } = await registerUser(gql);
    // ping is admin diagnostics: make the user an admin so they can hold a subscription open.
    await gql(SetUserRoleDocument, { userId: user.id, role: "ADMIN" }, { token: admin });
    const sessions = [await login(gql, user.email), await login(gql, user.email), await login(gql, user.email)];
    let followers = sessions.map((session) => follow(server.wsUrl, session.accessToken, "two"));
    await Promise.all(followers.map((f) => f.ready));
    // The third session changes the password: the other two end, the third runs on.
    await gql(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: "another password 2" }, { token: sessions[2].accessToken });
    expect(await within(followers[0].ended, 5_000)).toBe("4401");
    expect(await within(followers[1].ended, 5_000)).toBe("4401");
    expect(await within(followers[2].ended, 300)).toBe("still open");
    await gql(LogoutAllDocument, {}, { token: sessions[2].accessToken });
    expect(await within(followers[2].ended, 5_000)).toBe("4401");
    await Promise.all(followers.map((f) => f.client.dispose()));

    const again = await login(gql, user.email, "another password 2");
    followers = [follow(server.wsUrl, again.accessToken, "three")];
    await followers[0].ready;
    await gql(SetUserActiveDocument, { userId: user.id, active: false }, { token: admin });
    expect(await within(followers[0].ended, 5_000)).toBe("4401");
    await followers[0].client.dispose();
  });
});

describe("concurrent admin changes", () => {
  let server: TestServer;
  let gql: Gql;

  beforeAll(async () => {
    server = await startTestServer(ADMIN_ENV);
    gql = graphqlClient(server.graphqlUrl);
  });
  afterAll(() => server.stop());

  it("never report a change that is then reverted, and always keep an active admin", async () => {
    const first = await adminToken(server);
    const other = await registerUser(gql);
    await gql(SetUserRoleDocument, { userId: other.user.id, role: "ADMIN" }, { token: first });
    const firstId = (await login(gql, ADMIN_ENV.ADMIN_EMAIL, ADMIN_ENV.ADMIN_PASSWORD)).user.id;
    const second = (await login(gql, other.user.email)).accessToken;

    // Each admin demotes the other, and changes of role race changes of role on the same user.
    const calls: { token: string; userId: string; role: UserRole }[] = [
      { token: first, userId: other.user.id, role: "STUDENT" },
      { token: second, userId: firstId, role: "STUDENT" },
      { token: first, userId: other.user.id, role: "INSTRUCTOR" },
      { token: second, userId: firstId, role: "INSTRUCTOR" },
      { token: first, userId: other.user.id, role: "STUDENT" },
      { token: second, userId: firstId, role: "INSTRUCTOR" },
    ];
    const answers = await Promise.all(calls.map(({ token, userId, role }) => gql(SetUserRoleDocument, { userId, role }, { token })));
    for (const answer of answers) expect(["CONFLICT", "FORBIDDEN", "UNAUTHENTICATED", undefined]).toContain(errorCode(answer));

    // Read back as whichever of them is still an admin.
    const survivor = (await Promise.all([first, second].map(async (token) => ((await gql(parse("{ users(limit: 50) { items { id role isActive } } }"), {}, { token })).data as { users?: { items: { id: string; role: string; isActive: boolean }[] } } | null)?.users))).find(Boolean);
    expect(survivor).toBeDefined();
    const final = new Map(survivor!.items.map((user) => [user.id, user.role]));
    expect([...final.values()].filter((role) => role === "ADMIN").length).toBeGreaterThanOrEqual(1);
    // The last success reported for a user is what that user is now: nothing was undone behind it.
    for (const userId of [firstId, other.user.id]) {
      const succeeded = answers
        .map((answer, i) => ({ answer, call: calls[i] }))
        .filter(({ answer, call }) => call.userId === userId && answer.data);
      if (succeeded.length === 0) continue;
      const reported = succeeded.map(({ answer }) => (answer.data as { setUserRole: { role: string } }).setUserRole.role);
      expect(reported).toContain(final.get(userId));
    }
  });

  it("refuses to demote or deactivate the last active admin, leaving it as it was", async () => {
    const token = await adminToken(server);
    const me = (await login(gql, ADMIN_ENV.ADMIN_EMAIL, ADMIN_ENV.ADMIN_PASSWORD)).user;
    const users = (await gql(parse("{ users(limit: 50) { items { id role isActive } } }"), {}, { token })).data as { users: { items: { id: string; role: string }[] } };
    // Make sure this admin is the only one left.
    for (const user of users.users.items.filter((u) => u.role === "ADMIN" && u.id !== me.id)) {
      await gql(SetUserRoleDocument, { userId: user.id, role: "STUDENT" }, { token });
    }
    const answers = await Promise.all([
      gql(SetUserRoleDocument, { userId: me.id, role: "STUDENT" }, { token }),
      gql(SetUserActiveDocument, { userId: me.id, active: false }, { token }),
    ]);
    expect(answers.map(errorCode)).toEqual(["CONFLICT", "CONFLICT"]);
    expect((await login(gql, ADMIN_ENV.ADMIN_EMAIL, ADMIN_ENV.ADMIN_PASSWORD)).user).toMatchObject({ role: "ADMIN", isActive: true });
  });
});

describe("production: no introspection or suggestions over any transport", () => {
  let mongo: EmbeddedMongo;
  let server: TestServer;

  beforeAll(async () => {
    mongo = await startEmbeddedMongo({ port: 0 });
    server = await startTestServer({ NODE_ENV: "production", MONGODB_URL: mongo.uri, JWT_SECRET_KEY: "production-secret-with-at-least-32-chars" });
  });
  afterAll(async () => {
    await server.stop();
    await mongo.stop();
  });

  it("refuses introspection over websockets as over HTTP", async () => {
    const client = wsClient(server.wsUrl);
    try {
      const result = await new Promise<{ errors?: readonly { message: string; extensions?: Record<string, unknown> }[]; data?: unknown }>((resolve, reject) => {
        let last = {};
        client.subscribe({ query: "{ __schema { queryType { name } } }" }, { next: (value) => (last = value), error: (errors) => resolve({ errors: errors as never }), complete: () => resolve(last) });
        setTimeout(() => reject(new Error("no answer")), 5_000);
      });
      expect(result.data).toBeUndefined();
      expect(JSON.stringify(result.errors)).toMatch(/introspection/i);
    } finally {
      await client.dispose();
    }
  });

  it("gives no 'Did you mean' hints in variable errors, over HTTP and websockets", async () => {
    const query = "mutation($input: RegisterInput!) { register(input: $input) { tokenType } }";
    const variables = { input: { nam: "A", email: "a@example.com", password: "long enough 1" } };
    const overHttp = await fetch(server.graphqlUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
    const httpText = await overHttp.text();
    expect(httpText).toMatch(/nam/);
    expect(httpText).not.toMatch(/Did you mean/);

    const client = wsClient(server.wsUrl);
    try {
      const wsText = await new Promise<string>((resolve, reject) => {
        client.subscribe({ query, variables }, { next: (value) => resolve(JSON.stringify(value)), error: (errors) => resolve(JSON.stringify(errors)), complete: () => undefined });
        setTimeout(() => reject(new Error("no answer")), 5_000);
      });
      expect(wsText).toMatch(/nam/);
      expect(wsText).not.toMatch(/Did you mean/);
    } finally {
      await client.dispose();
    }
  });
});
