import {
  ChangePasswordDocument,
  LoginDocument,
  LogoutAllDocument,
  LogoutDocument,
  MeDocument,
  MyIdentitiesDocument,
  RefreshTokenDocument,
  RegisterDocument,
  SetPasswordSignInDocument,
  SetUserRoleDocument,
  SetUserActiveDocument,
  SignInProvidersDocument,
  SignInWithCodeDocument,
  UnlinkIdentityDocument,
  UserIdentitiesDocument,
  UsersDocument,
} from "../generated/graphql";
import { ADMIN_ENV, adminToken } from "../helpers/admin";
import { errorCode, graphqlClient } from "../helpers/graphql";
import { Browser, closedPort, startTestProvider, type TestProvider } from "../helpers/oidc-provider";
import { startTestServer, type TestServer } from "../helpers/server";
import { FRONTEND, oidcSession, providerEntry, registerClients, signInAt, visitCallback, type Landing } from "./oidc-support";
import { ACCOUNTS_ENV, registerUser, type Gql } from "./support";

let provider: TestProvider;
/** A second provider, stopped in the middle of a sign-in. */
let fleeting: TestProvider;
/** A third, whose ID tokens carry no e-mail or groups: UserInfo does. */
let terse: TestProvider;
let server: TestServer;
let gql: Gql;
let admin: string;

const LINKED_EMAIL = "linked-by-verified-email@school.test";
const UNVERIFIED_EMAIL = "claimed-without-verification@school.test";

beforeAll(async () => {
  [provider, fleeting, terse] = await Promise.all([startTestProvider(), startTestProvider(), startTestProvider()]);
  const { issuer } = provider;
  server = await startTestServer({
    ...ACCOUNTS_ENV,
    ...ADMIN_ENV,
    OIDC_PROVIDERS: JSON.stringify([
      providerEntry("school", issuer, { name: "School", scopes: "openid email profile groups", roleClaim: "groups", roles: { teachers: "INSTRUCTOR" } }),
      providerEntry("wrong-issuer", issuer),
      providerEntry("wrong-audience", issuer),
      providerEntry("foreign-nonce", issuer),
      providerEntry("expired", issuer),
      providerEntry("forged", issuer),
      providerEntry("down", await closedPort()),
      providerEntry("fleeting", fleeting.issuer),
      providerEntry("terse", terse.issuer, { scopes: "openid email profile groups", roleClaim: "groups", roles: { teachers: "INSTRUCTOR" } }),
    ]),
    OIDC_REDIRECT_ALLOWLIST: FRONTEND,
  });
  await registerClients(
    provider,
    server,
    [
      { id: "school" },
      { id: "wrong-issuer", tamper: "iss" },
      { id: "wrong-audience", tamper: "aud" },
      { id: "foreign-nonce", tamper: "nonce" },
      { id: "expired", tamper: "expired" },
      { id: "forged", tamper: "foreignKey" },
    ],
    {
      newcomer: { email: "Newcomer@School.test", email_verified: true, name: "New Comer" },
      verified: { email: LINKED_EMAIL, email_verified: true, name: "Verified" },
      intruder: { email: LINKED_EMAIL, email_verified: true, name: "Another account, same e-mail" },
      unverified: { email: UNVERIFIED_EMAIL, email_verified: false, name: "Unverified" },
      teacher: { email: "teacher@school.test", email_verified: true, name: "Teacher", groups: ["staff", "teachers"] },
      former: { email: "former-teacher@school.test", email_verified: true, name: "Former", groups: ["teachers"] },
      sessions: { email: "sessions@school.test", email_verified: true, name: "Sessions" },
      only: { email: "provider-only@school.test", email_verified: true, name: "Provider only" },
      plain: { email: "plain@school.test", email_verified: true, name: "Plain" },
      nomail: { name: "No e-mail" },
      unlinker: { email: "unlinks@school.test", email_verified: true, name: "Unlinker" },
      admin: { email: ADMIN_ENV.ADMIN_EMAIL, email_verified: true, name: "Admin" },
    },
  );
  await registerClients(fleeting, server, [{ id: "fleeting" }], { plain: { email: "plain@school.test", email_verified: true } });
  await registerClients(
    terse,
    server,
    [{ id: "terse" }],
    { quiet: { email: "Quiet@Terse.test", email_verified: true, name: "Quiet Teacher", groups: ["teachers"] } },
    { claimsInUserInfo: true },
  );
  gql = graphqlClient(server.graphqlUrl);
  admin = await adminToken(server);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await provider?.stop();
  await fleeting?.stop();
  await terse?.stop();
});

async function userCount(): Promise<number> {
  const response = await gql(UsersDocument, { limit: 1 }, { token: admin });
  return response.data!.users.total;
}

async function identitiesOf(token: string) {
  const response = await gql(MyIdentitiesDocument, {}, { token });
  return response.data!.me;
}

function codeOf(landing: Landing): string {
  const code = landing.frontend?.searchParams.get("sign_in_code");
  if (!code) throw new Error(`no sign-in code: ${landing.frontend?.href ?? `${landing.status} ${landing.body}`}`);
  return code;
}

/** The frontend URL carries `error` and a description, and nothing else the API issued. */
function expectError(landing: Landing, error: string, description?: RegExp): void {
  expect(landing.frontend?.origin + landing.frontend!.pathname).toBe(FRONTEND);
  expect(landing.frontend!.searchParams.get("error")).toBe(error);
  if (description) expect(landing.frontend!.searchParams.get("error_description")).toMatch(description);
  expect(landing.frontend!.searchParams.get("sign_in_code")).toBeNull();
}

describe("signInProviders", () => {
  it("lists the configured providers and password sign-in for anyone", async () => {
    const response = await gql(SignInProvidersDocument, {});
    expect(response.data?.signInProviders.password).toBe(true);
    expect(response.data?.signInProviders.providers[0]).toEqual({ id: "school", name: "School", startPath: "/api/v1/auth/oidc/school/start" });
    expect(response.data?.signInProviders.providers.map((p) => p.id)).toEqual(["school", "wrong-issuer", "wrong-audience", "foreign-nonce", "expired", "forged", "down", "fleeting", "terse"]);
  });
});

describe("a sign-in through the provider", () => {
  it("creates a student account the first time, finds it the second, and the code works once", async () => {
    const before = await userCount();
    const { landing } = await signInAt(server, "school", "newcomer");
    expect(landing.status).toBe(302);
    expect(landing.frontend?.origin + landing.frontend!.pathname).toBe(FRONTEND);
    // Only the one-time code travels in the URL: never a token.
    expect([...landing.frontend!.searchParams.keys()]).toEqual(["sign_in_code"]);
    const code = codeOf(landing);

    const first = await gql(SignInWithCodeDocument, { code });
    expect(first.data?.signInWithCode).toMatchObject({ tokenType: "bearer", user: { email: "newcomer@school.test", name: "New Comer", role: "STUDENT" } });
    expect(await userCount()).toBe(before + 1);
    const again = await gql(SignInWithCodeDocument, { code });
    expect(errorCode(again)).toBe("UNAUTHENTICATED");
    expect(again.errors?.[0].message).toMatch(/already used/);

    const me = await identitiesOf(first.data!.signInWithCode.accessToken);
    // The provider said it verified the address: so is it here.
    expect(me.emailVerified).toBe(true);
    expect(me.identities).toEqual([
      expect.objectContaining({ provider: "school", issuer: provider.issuer, subject: "newcomer", email: "newcomer@school.test" }),
    ]);

    const second = await oidcSession(server, "school", "newcomer");
    expect(second.user.id).toBe(first.data!.signInWithCode.user.id);
    expect(await userCount()).toBe(before + 1);
  });

  it("links to the password account of the same e-mail when the provider says it is verified", async () => {
    const password = await registerUser(gql, { email: LINKED_EMAIL });
    expect((await identitiesOf(password.accessToken)).emailVerified).toBe(false);
    const before = await userCount();
    const session = await oidcSession(server, "school", "verified");
    expect(session.user.id).toBe(password.user.id);
    // Signing in through a provider that verified the address verifies the password account's.
    expect((await identitiesOf(password.accessToken)).emailVerified).toBe(true);
    expect(await userCount()).toBe(before);
    expect((await identitiesOf(password.accessToken)).identities.map((i) => i.subject)).toEqual(["verified"]);
    // The password still works alongside.
    expect((await gql(LoginDocument, { input: { email: LINKED_EMAIL, password: "correct horse battery" } })).data?.login.user.id).toBe(password.user.id);

    // Another account of the same issuer with the same verified e-mail is not linked too.
    const { landing } = await signInAt(server, "school", "intruder");
    expectError(landing, "account_conflict", /already linked/);
    expect((await identitiesOf(password.accessToken)).identities.map((i) => i.subject)).toEqual(["verified"]);
    expect(await userCount()).toBe(before);
  });

  it("does not link when the e-mail is not verified, and creates nothing", async () => {
    const password = await registerUser(gql, { email: UNVERIFIED_EMAIL });
    const before = await userCount();
    const { landing } = await signInAt(server, "school", "unverified");
    expectError(landing, "email_not_verified", /not say the address is verified/);
    expect(await userCount()).toBe(before);
    expect((await identitiesOf(password.accessToken)).identities).toEqual([]);
    expect((await identitiesOf(password.accessToken)).emailVerified).toBe(false);
  });

  it("refuses an account without an e-mail address, creating nothing", async () => {
    const before = await userCount();
    const { landing } = await signInAt(server, "school", "nomail");
    expectError(landing, "email_missing", /e-mail/);
    expect(await userCount()).toBe(before);
  });

  it("applies the claim-to-role rule at each sign-in", async () => {
    const teacher = await oidcSession(server, "school", "teacher");
    expect(teacher.user.role).toBe("INSTRUCTOR");
    expect((await gql(MeDocument, {}, { token: teacher.accessToken })).data?.me.role).toBe("INSTRUCTOR");
    // The claim still says teacher: the next sign-in makes the account an instructor again.
    expect((await gql(SetUserRoleDocument, { userId: teacher.user.id, role: "STUDENT" }, { token: admin })).data?.setUserRole.role).toBe("STUDENT");
    expect((await oidcSession(server, "school", "teacher")).user.role).toBe("INSTRUCTOR");
    // Accounts whose claim maps to nothing are students.
    expect((await oidcSession(server, "school", "plain")).user.role).toBe("STUDENT");
  });

  it("reads the e-mail, name and role claim from UserInfo when the ID token lacks them", async () => {
    const quiet = await oidcSession(server, "terse", "quiet");
    expect(quiet.user).toMatchObject({ email: "quiet@terse.test", name: "Quiet Teacher", role: "INSTRUCTOR" });
    expect((await identitiesOf(quiet.accessToken)).identities[0]).toMatchObject({ provider: "terse", issuer: terse.issuer, subject: "quiet" });
  });

  it("passes the provider's refusal on to the frontend", async () => {
    const before = await userCount();
    const { landing } = await signInAt(server, "school", "deny");
    expectError(landing, "access_denied", /said no/);
    expect(await userCount()).toBe(before);
  });
});

describe("answers the API refuses, creating nothing", () => {
  let before: number;
  beforeEach(async () => {
    before = await userCount();
  });
  afterEach(async () => {
    expect(await userCount()).toBe(before);
  });

  it("a callback with the wrong state", async () => {
    const { callback, browser } = await signInAt(server, "school", "plain", { stopAtCallback: true });
    const forged = new URL(callback!);
    forged.searchParams.set("state", "a-state-this-api-never-issued");
    const landing = await visitCallback(browser, forged);
    expect(landing.status).toBe(422);
    expect(JSON.parse(landing.body!).detail).toMatch(/Unknown, expired or already used sign-in attempt/);
  });

  it("a callback from another browser than the one that started", async () => {
    const { callback } = await signInAt(server, "school", "plain", { stopAtCallback: true });
    const landing = await visitCallback(new Browser(), callback!);
    expect(landing.status).toBe(422);
  });

  it("a replayed code: the same callback twice, and the code under a new attempt", async () => {
    const { callback, browser } = await signInAt(server, "school", "plain", { stopAtCallback: true });
    const used = await visitCallback(browser, callback!);
    codeOf(used);
    before = await userCount();
    const replayed = await visitCallback(browser, callback!);
    expect(replayed.status).toBe(422);
    expect(JSON.parse(replayed.body!).detail).toMatch(/already used/);

    // The same code with the state of a fresh attempt in the same browser: the provider refuses it.
    const fresh = await signInAt(server, "school", "plain", { browser, stopAtCallback: true });
    const swapped = new URL(fresh.callback!);
    swapped.searchParams.set("code", callback!.searchParams.get("code")!);
    expectError(await visitCallback(browser, swapped), "invalid_grant");
  });

  it("an ID token with a foreign nonce", async () => {
    expectError((await signInAt(server, "foreign-nonce", "plain")).landing, "invalid_id_token", /unexpected ID Token "nonce" claim value/);
  });

  it("an expired ID token", async () => {
    expectError((await signInAt(server, "expired", "plain")).landing, "invalid_id_token", /"exp" \(expiration time\) claim value, expiration is past/);
  });

  it("an ID token from another issuer", async () => {
    expectError((await signInAt(server, "wrong-issuer", "plain")).landing, "invalid_id_token", /unexpected JWT "iss" \(issuer\) claim value/);
  });

  it("an ID token for another audience", async () => {
    expectError((await signInAt(server, "wrong-audience", "plain")).landing, "invalid_id_token", /unexpected JWT "aud" \(audience\) claim value/);
  });

  it("an ID token not signed by the provider's keys", async () => {
    expectError((await signInAt(server, "forged", "plain")).landing, "invalid_id_token", /JWT signature verification failed/);
  });

  it("a redirect_to outside the allow-list, before anything else", async () => {
    for (const target of [
      "https://evil.example/auth/done",
      "https://app.example.evil/auth/done",
      "https://app.example/auth/done-elsewhere",
      "https://user@app.example/auth/done",
      "http://app.example/auth/done",
      "javascript:alert(1)",
      "/auth/done",
    ]) {
      const { landing } = await signInAt(server, "school", "plain", { redirectTo: target });
      expect({ target, status: landing.status }).toEqual({ target, status: 422 });
      expect(JSON.parse(landing.body!).detail).toMatch(/redirect_to/);
    }
    // Below the allowed path is fine.
    const { landing } = await signInAt(server, "school", "plain", { redirectTo: `${FRONTEND}/deeper?next=%2Fcourses` });
    expect(landing.frontend?.searchParams.get("next")).toBe("/courses");
    expect(landing.frontend?.searchParams.get("sign_in_code")).toBeTruthy();
  });

  it("a provider that is down: back to the frontend at once with the reason", async () => {
    const { landing } = await signInAt(server, "down", "plain");
    expectError(landing, "provider_unavailable", /cannot be reached/);
  });

  it("a provider that goes down between the sign-in and the callback", async () => {
    const { callback, browser } = await signInAt(server, "fleeting", "plain", { stopAtCallback: true });
    await fleeting.stop();
    expectError(await visitCallback(browser, callback!), "provider_unavailable", /cannot be reached/);
  });

  it("an unknown provider", async () => {
    const { landing } = await signInAt(server, "nobody", "plain");
    expect(landing.status).toBe(404);
    expect(JSON.parse(landing.body!).detail).toMatch(/No sign-in provider "nobody"/);
  });
});

describe("sessions started through a provider", () => {
  it("rotate their refresh token, and end on reuse of an old one", async () => {
    const first = await oidcSession(server, "school", "sessions");
    const rotated = await gql(RefreshTokenDocument, { refreshToken: first.refreshToken });
    expect(rotated.data?.refreshToken.user.id).toBe(first.user.id);
    expect((await gql(MeDocument, {}, { token: rotated.data!.refreshToken.accessToken })).data?.me.id).toBe(first.user.id);
    const reused = await gql(RefreshTokenDocument, { refreshToken: first.refreshToken });
    expect(reused.errors?.[0].message).toMatch(/already used; the session has been revoked/);
    expect(errorCode(await gql(MeDocument, {}, { token: rotated.data!.refreshToken.accessToken }))).toBe("UNAUTHENTICATED");
    expect(errorCode(await gql(RefreshTokenDocument, { refreshToken: rotated.data!.refreshToken.refreshToken }))).toBe("UNAUTHENTICATED");
  });

  it("end with logout, and all of them with logoutAll", async () => {
    const one = await oidcSession(server, "school", "sessions");
    expect((await gql(LogoutDocument, { refreshToken: one.refreshToken })).data?.logout).toBe(true);
    expect(errorCode(await gql(MeDocument, {}, { token: one.accessToken }))).toBe("UNAUTHENTICATED");

    const [a, b] = [await oidcSession(server, "school", "sessions"), await oidcSession(server, "school", "sessions")];
    expect((await gql(LogoutAllDocument, {}, { token: a.accessToken })).data?.logoutAll).toBe(true);
    for (const session of [a, b]) {
      expect(errorCode(await gql(MeDocument, {}, { token: session.accessToken }))).toBe("UNAUTHENTICATED");
      expect(errorCode(await gql(RefreshTokenDocument, { refreshToken: session.refreshToken }))).toBe("UNAUTHENTICATED");
    }
  });

  it("of a deactivated account end, and the account cannot sign in through the provider", async () => {
    const session = await oidcSession(server, "school", "former");
    expect(errorCode(await gql(SetUserActiveDocument, { userId: session.user.id, active: false }, { token: admin }))).toBeUndefined();
    expect(errorCode(await gql(MeDocument, {}, { token: session.accessToken }))).toBe("UNAUTHENTICATED");
    expectError((await signInAt(server, "school", "former")).landing, "account_deactivated", /deactivated/);
  });
});

describe("linked identities", () => {
  it("are unlinked by their owner, but never the last way to sign in", async () => {
    const only = await oidcSession(server, "school", "only");
    const [identity] = (await identitiesOf(only.accessToken)).identities;
    const refused = await gql(UnlinkIdentityDocument, { id: identity.id }, { token: only.accessToken });
    expect(errorCode(refused)).toBe("CONFLICT");
    expect(refused.errors?.[0].message).toMatch(/last way to sign in/);

    // Someone else's identity reads as missing.
    const stranger = await registerUser(gql);
    expect(errorCode(await gql(UnlinkIdentityDocument, { id: identity.id }, { token: stranger.accessToken }))).toBe("NOT_FOUND");
    expect((await identitiesOf(only.accessToken)).identities).toHaveLength(1);

    // An account made by a provider has no password to change.
    const change = await gql(ChangePasswordDocument, { currentPassword: "anything at all", newPassword: "a new password" }, { token: only.accessToken });
    expect(errorCode(change)).toBe("CONFLICT");
    expect(change.errors?.[0].message).toMatch(/no password/);

    // An admin sees a user's identities; another user never reaches them.
    expect((await gql(UserIdentitiesDocument, { id: only.user.id }, { token: admin })).data?.user?.identities.map((i) => i.id)).toEqual([identity.id]);
  });

  it("can be unlinked while a password remains, after which the password still signs in", async () => {
    const password = await registerUser(gql, { email: "unlinks@school.test" });
    expect((await oidcSession(server, "school", "unlinker")).user.id).toBe(password.user.id);
    const [identity] = (await identitiesOf(password.accessToken)).identities;
    expect((await gql(UnlinkIdentityDocument, { id: identity.id }, { token: password.accessToken })).data?.unlinkIdentity).toBe(true);
    expect((await identitiesOf(password.accessToken)).identities).toEqual([]);
    expect((await gql(LoginDocument, { input: { email: "unlinks@school.test", password: "correct horse battery" } })).data?.login.user.id).toBe(password.user.id);
  });
});

describe("password sign-in switched off by an admin", () => {
  it("is refused until the admin links a provider; then password sign-in and sign-up stop", async () => {
    expect(errorCode(await setPasswordSignIn(false))).toBe("CONFLICT");
    await oidcSession(server, "school", "admin");
    expect(await setPasswordSignIn(false)).toMatchObject({ data: { setPasswordSignIn: false } });
    try {
      expect((await gql(SignInProvidersDocument, {})).data?.signInProviders.password).toBe(false);
      const login = await gql(LoginDocument, { input: { email: ADMIN_ENV.ADMIN_EMAIL, password: ADMIN_ENV.ADMIN_PASSWORD } });
      expect(errorCode(login)).toBe("FORBIDDEN");
      expect(login.errors?.[0].message).toMatch(/Password sign-in is turned off/);
      const register = await gql(RegisterDocument, { input: { name: "Late", email: "late@example.com", password: "a good password" } });
      expect(errorCode(register)).toBe("FORBIDDEN");
      const rest = await fetch(`${server.url}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: ADMIN_ENV.ADMIN_EMAIL, password: ADMIN_ENV.ADMIN_PASSWORD }),
      });
      expect(rest.status).toBe(403);
      // Provider sign-in goes on, and the admin's only link is now their only way in.
      const viaProvider = await oidcSession(server, "school", "admin");
      const [identity] = (await identitiesOf(viaProvider.accessToken)).identities;
      expect(errorCode(await gql(UnlinkIdentityDocument, { id: identity.id }, { token: viaProvider.accessToken }))).toBe("CONFLICT");
    } finally {
      expect(await setPasswordSignIn(true)).toMatchObject({ data: { setPasswordSignIn: true } });
    }
    expect((await gql(LoginDocument, { input: { email: ADMIN_ENV.ADMIN_EMAIL, password: ADMIN_ENV.ADMIN_PASSWORD } })).data?.login).toBeTruthy();
  });
});

function setPasswordSignIn(enabled: boolean) {
  return gql(SetPasswordSignInDocument, { enabled }, { token: admin });
}
