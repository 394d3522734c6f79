import {
  ChangePasswordDocument,
  LoginDocument,
  LogoutAllDocument,
  LogoutDocument,
  MeDocument,
  RefreshTokenDocument,
  RegisterDocument,
  UpdateProfileDocument,
} from "../generated/graphql";
import { graphqlClient } from "../helpers/graphql";
import { startTestServer, type TestServer } from "../helpers/server";
import { nextResult, subscribe, wsClient } from "../helpers/ws";
import { ACCOUNTS_ENV, PASSWORD, SECRET_LEAK, errorCode, login, recordResponses, registerUser, uniqueEmail, type Gql } from "./support";

let server: TestServer;
let gql: Gql;
const recorded = recordResponses();

beforeAll(async () => {
  server = await startTestServer(ACCOUNTS_ENV);
  gql = graphqlClient(server.graphqlUrl);
});
afterAll(async () => {
  recorded.restore();
  await server.stop();
  expect(recorded.bodies.length).toBeGreaterThan(20);
  expect(recorded.bodies.join("\n")).not.toMatch(SECRET_LEAK);
});

describe("register, login, me", () => {
  it("registers a student with a bearer token pair and a lower-cased e-mail", async () => {
    const email = uniqueEmail("Mixed.Case");
    const session = await registerUser(gql, { name: "Grace Hopper", email: email.toUpperCase() });
    expect(session).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: "bearer",
      expiresIn: 30 * 60,
      user: {
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        email: email.toLowerCase(),
        name: "Grace Hopper",
        role: "STUDENT",
        isActive: true,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    });
  });

  it("puts sub, role, type, jti and the session in the access token", async () => {
    const session = await registerUser(gql);
    const [header, payload] = session.accessToken.split(".").slice(0, 2).map((part) => JSON.parse(Buffer.from(part, "base64url").toString()));
    expect(header).toEqual({ alg: "HS256", typ: "JWT" });
    expect(payload).toEqual({
      sub: session.user.id,
      role: "student",
      type: "access",
      sid: expect.any(String),
      jti: expect.any(String),
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect(payload.exp - payload.iat).toBe(30 * 60);
  });

  it("logs in with the e-mail in any case and answers me with an empty profile", async () => {
    const registered = await registerUser(gql);
    const session = await login(gql, registered.user.email.toUpperCase());
    expect(session.user.id).toBe(registered.user.id);
    const me = await gql(MeDocument, {}, { token: session.accessToken });
    expect(me.data?.me).toEqual({ ...registered.user, profile: { avatarUrl: null, bio: null, preferences: {} } });
  });

  it("refuses me without a token, with a malformed header and with garbage", async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: "Basic abc" }, { authorization: "Bearer not-a-jwt" }];
    for (const headers of attempts) {
      const response = await gql(MeDocument, {}, { headers });
      expect(errorCode(response)).toBe("UNAUTHENTICATED");
      expect(response.data).toBeNull();
    }
  });

  it("gives one message for an unknown e-mail and a wrong password", async () => {
    const { user } = await registerUser(gql);
    const wrong = await gql(LoginDocument, { input: { email: user.email, password: "not the password" } });
    const unknown = await gql(LoginDocument, { input: { email: uniqueEmail("nobody"), password: PASSWORD } });
    expect(wrong.errors?.[0]).toMatchObject({ message: "Invalid credentials", extensions: { code: "UNAUTHENTICATED" } });
    expect(unknown.errors?.[0]).toMatchObject({ message: "Invalid credentials", extensions: { code: "UNAUTHENTICATED" } });
  });

  it("validates registration input with the failing fields", async () => {
    const response = await gql(RegisterDocument, {
      input: { name: " ", email: "not-an-email", password: "short" },
    });
    expect(errorCode(response)).toBe("BAD_USER_INPUT");
    const fields = (response.errors?.[0]?.extensions?.fields as { field: string }[]).map((f) => f.field.replace(/^input\./, ""));
    expect(new Set(fields)).toEqual(new Set(["name", "email", "password"]));
  });

  it("gives a blank field one message, not one per rule it breaks", async () => {
    const response = await gql(RegisterDocument, { input: { name: "", email: uniqueEmail(), password: PASSWORD } });
    expect(errorCode(response)).toBe("BAD_USER_INPUT");
    expect(response.errors?.[0]?.extensions?.fields).toEqual([{ field: "name", message: "name must not be blank" }]);
  });

  it("accepts a 128-character password and tells it apart from one sharing its first 72 bytes", async () => {
    const long = "p".repeat(100) + "a".repeat(28);
    const { user } = await registerUser(gql, { password: long });
    await expect(login(gql, user.email, long)).resolves.toMatchObject({ user: { id: user.id } });
    const sameStart = "p".repeat(100) + "b".repeat(28);
    expect(errorCode(await gql(LoginDocument, { input: { email: user.email, password: sameStart } }))).toBe("UNAUTHENTICATED");
    const tooLong = await gql(RegisterDocument, {
      input: { name: "Long", email: uniqueEmail(), password: "x".repeat(129) },
    });
    expect(errorCode(tooLong)).toBe("BAD_USER_INPUT");
  });
});

describe("refresh tokens", () => {
  it("rotates: a refresh returns a new pair and the old refresh token stops working", async () => {
    const first = await registerUser(gql);
    const second = (await gql(RefreshTokenDocument, { refreshToken: first.refreshToken })).data!.refreshToken;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.user.id).toBe(first.user.id);
    const me = await gql(MeDocument, {}, { token: second.accessToken });
    expect(me.data?.me.id).toBe(first.user.id);
  });

  it("revokes the whole family when an already-used refresh token comes back", async () => {
    const first = await registerUser(gql);
    const second = (await gql(RefreshTokenDocument, { refreshToken: first.refreshToken })).data!.refreshToken;
    const replay = await gql(RefreshTokenDocument, { refreshToken: first.refreshToken });
    expect(errorCode(replay)).toBe("UNAUTHENTICATED");
    // The legitimate holder of the newest token is signed out too, access token included.
    expect(errorCode(await gql(RefreshTokenDocument, { refreshToken: second.refreshToken }))).toBe("UNAUTHENTICATED");
    expect(errorCode(await gql(MeDocument, {}, { token: second.accessToken }))).toBe("UNAUTHENTICATED");
    // Other sessions of the same user are untouched.
    const other = await login(gql, first.user.email);
    expect((await gql(RefreshTokenDocument, { refreshToken: other.refreshToken })).data?.refreshToken.user.id).toBe(first.user.id);
  });

  it("lets only one of two concurrent refreshes with the same token win", async () => {
    const session = await registerUser(gql);
    const results = await Promise.all([1, 2].map(() => gql(RefreshTokenDocument, { refreshToken: session.refreshToken })));
    const winners = results.filter((result) => result.data);
    expect(winners.length).toBeLessThanOrEqual(1);
    expect(results.filter((result) => errorCode(result) === "UNAUTHENTICATED").length).toBeGreaterThanOrEqual(1);
  });

  it("refuses an access token as a refresh token and a refresh token as an access token", async () => {
    const session = await registerUser(gql);
    expect(errorCode(await gql(RefreshTokenDocument, { refreshToken: session.accessToken }))).toBe("UNAUTHENTICATED");
    expect(errorCode(await gql(MeDocument, {}, { token: session.refreshToken }))).toBe("UNAUTHENTICATED");
  });
});

describe("logout", () => {
  it("logout ends that session only, access token included, and says whether it was still open", async () => {
    const { user } = await registerUser(gql);
    const a = await login(gql, user.email);
    const b = await login(gql, user.email);
    expect((await gql(LogoutDocument, { refreshToken: a.refreshToken })).data).toEqual({ logout: true });
    expect((await gql(LogoutDocument, { refreshToken: a.refreshToken })).data).toEqual({ logout: false });
    expect(errorCode(await gql(RefreshTokenDocument, { refreshToken: a.refreshToken }))).toBe("UNAUTHENTICATED");
    expect(errorCode(await gql(MeDocument, {}, { token: a.accessToken }))).toBe("UNAUTHENTICATED");
    expect((await gql(MeDocument, {}, { token: b.accessToken })).data?.me.id).toBe(user.id);
    expect((await gql(RefreshTokenDocument, { refreshToken: b.refreshToken })).data?.refreshToken.user.id).toBe(user.id);
  });

  it("logout refuses a token that is not a refresh token of ours", async () => {
    expect(errorCode(await gql(LogoutDocument, { refreshToken: "nope" }))).toBe("UNAUTHENTICATED");
  });

  it("logoutAll needs a token and ends every session", async () => {
    expect(errorCode(await gql(LogoutAllDocument, {}))).toBe("UNAUTHENTICATED");
    const { user } = await registerUser(gql);
    const a = await login(gql, user.email);
    const b = await login(gql, user.email);
    expect((await gql(LogoutAllDocument, {}, { token: a.accessToken })).data).toEqual({ logoutAll: true });
    for (const session of [a, b]) {
      expect(errorCode(await gql(RefreshTokenDocument, { refreshToken: session.refreshToken }))).toBe("UNAUTHENTICATED");
      expect(errorCode(await gql(MeDocument, {}, { token: session.accessToken }))).toBe("UNAUTHENTICATED");
    }
  });
});

describe("change password", () => {
  it("needs the current password, then keeps this session and ends the others", async () => {
    const { user } = await registerUser(gql);
    const current = await login(gql, user.email);
    const other = await login(gql, user.email);
    const wrong = await gql(ChangePasswordDocument, { currentPassword: "wrong password", newPassword: "new password 1" }, { token: current.accessToken });
    expect(wrong.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT", fields: [{ field: "currentPassword" }] } });
    const tooShort = await gql(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: "short" }, { token: current.accessToken });
    expect(errorCode(tooShort)).toBe("BAD_USER_INPUT");

    const changed = await gql(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: "new password 1" }, { token: current.accessToken });
    expect(changed.data).toEqual({ changePassword: true });
    expect(errorCode(await gql(MeDocument, {}, { token: other.accessToken }))).toBe("UNAUTHENTICATED");
    expect((await gql(MeDocument, {}, { token: current.accessToken })).data?.me.id).toBe(user.id);
    expect(errorCode(await gql(RefreshTokenDocument, { refreshToken: other.refreshToken }))).toBe("UNAUTHENTICATED");
    expect((await gql(RefreshTokenDocument, { refreshToken: current.refreshToken })).data?.refreshToken.user.id).toBe(user.id);
    expect(errorCode(await gql(LoginDocument, { input: { email: user.email, password: PASSWORD } }))).toBe("UNAUTHENTICATED");
    await expect(login(gql, user.email, "new password 1")).resolves.toMatchObject({ user: { id: user.id } });
  });

  it("needs a token", async () => {
    expect(errorCode(await gql(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: "new password 1" }))).toBe("UNAUTHENTICATED");
  });
});

describe("profile", () => {
  it("updates name, bio, avatar and preferences, and clears with null", async () => {
    const session = await registerUser(gql);
    const token = session.accessToken;
    const updated = await gql(
      UpdateProfileDocument,
      { input: { name: "Ada King", bio: "Analyst", avatarUrl: "https://example.com/ada.png", preferences: { theme: "dark", langs: ["en", "fr"] } } },
      { token },
    );
    expect(updated.data?.updateProfile).toMatchObject({
      name: "Ada King",
      profile: { bio: "Analyst", avatarUrl: "https://example.com/ada.png", preferences: { theme: "dark", langs: ["en", "fr"] } },
    });
    const cleared = await gql(UpdateProfileDocument, { input: { bio: null } }, { token });
    expect(cleared.data?.updateProfile).toMatchObject({ name: "Ada King", profile: { bio: null, avatarUrl: "https://example.com/ada.png" } });
    expect((await gql(MeDocument, {}, { token })).data?.me.profile.preferences).toEqual({ theme: "dark", langs: ["en", "fr"] });
  });

  it("refuses a blank name, a non-http avatar and oversized preferences", async () => {
    const { accessToken: token } = await registerUser(gql);
    const cases = [
      [{ name: "   " }, "name"],
      [{ avatarUrl: "javascript:alert(1)" }, "avatarUrl"],
      [{ preferences: { blob: "x".repeat(17 * 1024) } }, "preferences"],
    ] as const;
    for (const [input, field] of cases) {
      const response = await gql(UpdateProfileDocument, { input }, { token });
      // The field path may or may not carry the argument name (`input.`).
      expect(response.errors?.[0]).toMatchObject({
        extensions: { code: "BAD_USER_INPUT", fields: [{ field: expect.stringMatching(new RegExp(`(^|\\.)${field}$`)) }] },
      });
    }
  });

  it("needs a token", async () => {
    expect(errorCode(await gql(UpdateProfileDocument, { input: { bio: "x" } }))).toBe("UNAUTHENTICATED");
  });
});

describe("graphql-ws", () => {
  it("authenticates with connectionParams.authorization or Authorization", async () => {
    const session = await registerUser(gql);
    for (const key of ["authorization", "Authorization"]) {
      const client = wsClient(server.wsUrl, { [key]: `Bearer ${session.accessToken}` });
      try {
        const result = await nextResult(subscribe(client, MeDocument, {}));
        expect(result.data?.me.id).toBe(session.user.id);
        expect(JSON.stringify(result)).not.toMatch(SECRET_LEAK);
      } finally {
        await client.dispose();
      }
    }
  });

  it("answers UNAUTHENTICATED without a token", async () => {
    const client = wsClient(server.wsUrl);
    try {
      const result = await nextResult(subscribe(client, MeDocument, {}));
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED" });
    } finally {
      await client.dispose();
    }
  });
});
