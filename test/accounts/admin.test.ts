import {
  LoginDocument,
  MeDocument,
  RefreshTokenDocument,
  SetUserActiveDocument,
  SetUserRoleDocument,
  UserDocument,
  UsersDocument,
} from "../generated/graphql";
import { graphqlClient, type GraphQLResponse } from "../helpers/graphql";
import { startTestServer, type TestServer } from "../helpers/server";
import { nextResult, subscribe, wsClient } from "../helpers/ws";
import { ACCOUNTS_ENV, PASSWORD, SECRET_LEAK, errorCode, login, recordResponses, registerUser, type Gql, type Session } from "./support";

const ADMIN_EMAIL = "Root.Admin@Example.com";
const ADMIN_PASSWORD = "admin password 1";

let server: TestServer;
let gql: Gql;
let admin: Session;
const recorded = recordResponses();

beforeAll(async () => {
  server = await startTestServer({ ...ACCOUNTS_ENV, ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_NAME: "Root" });
  gql = graphqlClient(server.graphqlUrl);
  admin = await login(gql, ADMIN_EMAIL, ADMIN_PASSWORD);
});
afterAll(async () => {
  recorded.restore();
  await server.stop();
  expect(recorded.bodies.join("\n")).not.toMatch(SECRET_LEAK);
});

const as = (session: Session) => ({ token: session.accessToken });

describe("the ADMIN_EMAIL admin", () => {
  it("exists from start-up as an active admin with a lower-cased e-mail", () => {
    expect(admin.user).toMatchObject({ email: ADMIN_EMAIL.toLowerCase(), name: "Root", role: "ADMIN", isActive: true });
  });

  it("is the only way in besides another admin: sign-ups are students", async () => {
    expect((await registerUser(gql)).user.role).toBe("STUDENT");
  });
});

describe("role checks on every admin operation", () => {
  let student: Session;
  let instructor: Session;
  let targetId: string;

  beforeAll(async () => {
    student = await registerUser(gql);
    instructor = await registerUser(gql);
    await gql(SetUserRoleDocument, { userId: instructor.user.id, role: "INSTRUCTOR" }, as(admin));
    instructor = await login(gql, instructor.user.email);
    targetId = (await registerUser(gql)).user.id;
  });

  const operations: [string, (options: { token?: string }) => Promise<GraphQLResponse<unknown>>][] = [
    ["users", (options) => gql(UsersDocument, {}, options)],
    ["user", (options) => gql(UserDocument, { id: targetId }, options)],
    ["setUserRole", (options) => gql(SetUserRoleDocument, { userId: targetId, role: "STUDENT" }, options)],
    ["setUserActive", (options) => gql(SetUserActiveDocument, { userId: targetId, active: true }, options)],
  ];

  it.each(operations)("%s: UNAUTHENTICATED without a token, FORBIDDEN for students and instructors, allowed for admins", async (_name, run) => {
    expect(instructor.user.role).toBe("INSTRUCTOR");
    expect(errorCode(await run({}))).toBe("UNAUTHENTICATED");
    expect(errorCode(await run(as(student)))).toBe("FORBIDDEN");
    expect(errorCode(await run(as(instructor)))).toBe("FORBIDDEN");
    const allowed = await run(as(admin));
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data).toBeTruthy();
  });
});

describe("users and user", () => {
  it("lists newest first with filters, search and pages", async () => {
    const tag = `zebra${Date.now()}`;
    const first = await registerUser(gql, { name: `Alpha ${tag}` });
    const second = await registerUser(gql, { name: `Beta ${tag}` });
    await gql(SetUserActiveDocument, { userId: first.user.id, active: false }, as(admin));

    const all = await gql(UsersDocument, { search: tag.toUpperCase() }, as(admin));
    expect(all.data?.users).toMatchObject({ total: 2, hasMore: false });
    expect(all.data?.users.items.map((user) => user.id)).toEqual([second.user.id, first.user.id]);

    const page = await gql(UsersDocument, { search: tag, limit: 1 }, as(admin));
    expect(page.data?.users).toMatchObject({ total: 2, hasMore: true, items: [{ id: second.user.id }] });
    const next = await gql(UsersDocument, { search: tag, skip: 1, limit: 1 }, as(admin));
    expect(next.data?.users).toMatchObject({ total: 2, hasMore: false, items: [{ id: first.user.id }] });

    const inactive = await gql(UsersDocument, { search: tag, isActive: false }, as(admin));
    expect(inactive.data?.users.items.map((user) => user.id)).toEqual([first.user.id]);
    const admins = await gql(UsersDocument, { role: "ADMIN" }, as(admin));
    expect(admins.data?.users.items.map((user) => user.email)).toContain(ADMIN_EMAIL.toLowerCase());
    expect(admins.data?.users.items.every((user) => user.role === "ADMIN")).toBe(true);

    const byEmail = await gql(UsersDocument, { search: second.user.email.slice(0, 12).toUpperCase() }, as(admin));
    expect(byEmail.data?.users.items.map((user) => user.id)).toEqual([second.user.id]);
  });

  it("treats search text literally, not as a regular expression", async () => {
    const response = await gql(UsersDocument, { search: ".*" }, as(admin));
    expect(response.data?.users.total).toBe(0);
  });

  it("refuses a limit over 100", async () => {
    expect(errorCode(await gql(UsersDocument, { limit: 101 }, as(admin)))).toBe("BAD_USER_INPUT");
  });

  it("user(id) returns the user with profile, or null; mutations on an unknown id are NOT_FOUND", async () => {
    const someone = await registerUser(gql);
    expect((await gql(UserDocument, { id: someone.user.id }, as(admin))).data?.user).toMatchObject({
      id: someone.user.id,
      profile: { preferences: {} },
    });
    const unknown = "0123456789abcdef01234567";
    expect((await gql(UserDocument, { id: unknown }, as(admin))).data).toEqual({ user: null });
    expect(errorCode(await gql(SetUserRoleDocument, { userId: unknown, role: "ADMIN" }, as(admin)))).toBe("NOT_FOUND");
    expect(errorCode(await gql(SetUserActiveDocument, { userId: unknown, active: false }, as(admin)))).toBe("NOT_FOUND");
    expect(errorCode(await gql(UserDocument, { id: "not-an-id" }, as(admin)))).toBe("BAD_USER_INPUT");
  });
});

describe("deactivation", () => {
  it("rejects the user's existing access token at once, ends sessions, refuses sign-in, and can be undone", async () => {
    const victim = await registerUser(gql);
    const deactivated = await gql(SetUserActiveDocument, { userId: victim.user.id, active: false }, as(admin));
    expect(deactivated.data?.setUserActive).toEqual({ id: victim.user.id, role: "STUDENT", isActive: false });

    expect(errorCode(await gql(MeDocument, {}, as(victim)))).toBe("UNAUTHENTICATED");
    const ws = wsClient(server.wsUrl, { authorization: `Bearer ${victim.accessToken}` });
    try {
      const result = await nextResult(subscribe(ws, MeDocument, {}));
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED" });
    } finally {
      await ws.dispose();
    }
    const rest = await fetch(`${server.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${victim.accessToken}` } });
    expect(rest.status).toBe(401);
    expect(errorCode(await gql(RefreshTokenDocument, { refreshToken: victim.refreshToken }))).toBe("UNAUTHENTICATED");
    const signIn = await gql(LoginDocument, { input: { email: victim.user.email, password: PASSWORD } });
    expect(signIn.errors?.[0]).toMatchObject({ message: "Account is deactivated", extensions: { code: "FORBIDDEN" } });

    await gql(SetUserActiveDocument, { userId: victim.user.id, active: true }, as(admin));
    const again = await login(gql, victim.user.email);
    expect((await gql(MeDocument, {}, as(again))).data?.me.isActive).toBe(true);
    // Sessions ended by deactivation stay ended.
    expect(errorCode(await gql(RefreshTokenDocument, { refreshToken: victim.refreshToken }))).toBe("UNAUTHENTICATED");
  });

  it("takes an admin's powers away with the role, at once", async () => {
    const deputy = await registerUser(gql);
    await gql(SetUserRoleDocument, { userId: deputy.user.id, role: "ADMIN" }, as(admin));
    // The role is read from the database, not from the token: the old token works as an admin now.
    expect((await gql(UsersDocument, { limit: 1 }, as(deputy))).errors).toBeUndefined();
    await gql(SetUserRoleDocument, { userId: deputy.user.id, role: "STUDENT" }, as(admin));
    expect(errorCode(await gql(UsersDocument, { limit: 1 }, as(deputy)))).toBe("FORBIDDEN");
  });
});

describe("the last active admin", () => {
  it("cannot be demoted or deactivated, by themselves or anyone", async () => {
    const demote = await gql(SetUserRoleDocument, { userId: admin.user.id, role: "STUDENT" }, as(admin));
    expect(demote.errors?.[0]).toMatchObject({ extensions: { code: "CONFLICT" } });
    const deactivate = await gql(SetUserActiveDocument, { userId: admin.user.id, active: false }, as(admin));
    expect(errorCode(deactivate)).toBe("CONFLICT");
    expect((await gql(MeDocument, {}, as(admin))).data?.me).toMatchObject({ role: "ADMIN", isActive: true });
  });

  it("can step down once another admin is active; two admins demoting each other at once never leave none", async () => {
    const second = await registerUser(gql);
    await gql(SetUserRoleDocument, { userId: second.user.id, role: "ADMIN" }, as(admin));
    const [a, b] = await Promise.all([
      gql(SetUserRoleDocument, { userId: second.user.id, role: "STUDENT" }, as(admin)),
      gql(SetUserRoleDocument, { userId: admin.user.id, role: "STUDENT" }, as(second)),
    ]);
    // Serialized, one wins; interleaved, both are undone. Never both.
    expect([a, b].filter((result) => result.data).length).toBeLessThanOrEqual(1);
    for (const result of [a, b].filter((result) => result.errors)) expect(errorCode(result)).toMatch(/^(CONFLICT|FORBIDDEN)$/);
    const admins = await gql(UsersDocument, { role: "ADMIN", isActive: true }, as(a.data ? admin : second));
    expect(admins.data?.users.total ?? 0).toBeGreaterThanOrEqual(1);

    // Restore: whoever is still admin promotes the other back, then the second steps down alone.
    const remaining = (await gql(MeDocument, {}, as(admin))).data?.me.role === "ADMIN" ? admin : second;
    const other = remaining === admin ? second : admin;
    await gql(SetUserRoleDocument, { userId: other.user.id, role: "ADMIN" }, as(remaining));
    const stepDown = await gql(SetUserRoleDocument, { userId: second.user.id, role: "STUDENT" }, as(second));
    expect(stepDown.data?.setUserRole.role).toBe("STUDENT");
    expect((await gql(MeDocument, {}, as(admin))).data?.me.role).toBe("ADMIN");
  });
});
