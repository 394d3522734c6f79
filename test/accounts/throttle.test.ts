import { ChangePasswordDocument, LoginDocument } from "../generated/graphql";
import { graphqlClient } from "../helpers/graphql";
import { startTestServer, type TestServer } from "../helpers/server";
import { timed } from "../helpers/timing";
import { ACCOUNTS_ENV, PASSWORD, errorCode, login, registerUser, uniqueEmail, type Gql } from "./support";

const WINDOW_SECONDS = 600;

describe("per e-mail", () => {
  let server: TestServer;
  let gql: Gql;

  beforeAll(async () => {
    server = await startTestServer({ ...ACCOUNTS_ENV, LOGIN_MAX_FAILURES: "3", LOGIN_THROTTLE_WINDOW: String(WINDOW_SECONDS) });
    gql = graphqlClient(server.graphqlUrl);
  });
  afterAll(() => server.stop());

  const attempt = (email: string, password: string) => gql(LoginDocument, { input: { email, password } });

  it("slows repeated failures, then refuses even the right password with RATE_LIMITED", async () => {
    const { user } = await registerUser(gql);
    const [first, firstMs] = await timed(() => attempt(user.email, "wrong password"));
    await attempt(user.email, "wrong password");
    const [third, thirdMs] = await timed(() => attempt(user.email, "wrong password"));
    for (const failure of [first, third]) expect(failure.errors?.[0]?.message).toBe("Invalid credentials");
    // The third failure waits 200 ms on purpose; the first does not wait at all.
    expect(thirdMs).toBeGreaterThanOrEqual(190);
    expect(firstMs).toBeLessThan(thirdMs);

    const refused = await attempt(user.email, PASSWORD);
    expect(refused.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/too many/i),
      extensions: { code: "RATE_LIMITED", retryAfterSeconds: expect.any(Number) },
    });
    const retryAfter = refused.errors?.[0]?.extensions?.retryAfterSeconds as number;
    expect(retryAfter).toBeGreaterThan(WINDOW_SECONDS - 10);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    // The e-mail's case does not give a fresh counter.
    expect(errorCode(await attempt(user.email.toUpperCase(), PASSWORD))).toBe("RATE_LIMITED");
  });

  it("answers the REST door with 429 and Retry-After", async () => {
    const { user } = await registerUser(gql);
    for (let i = 0; i < 3; i++) await attempt(user.email, "wrong password");
    const response = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: user.email, password: PASSWORD }),
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await response.json()).toEqual({ detail: expect.stringMatching(/too many/i) });
  });

  it("treats unknown e-mails like known ones", async () => {
    const ghost = uniqueEmail("ghost");
    for (let i = 0; i < 3; i++) expect((await attempt(ghost, PASSWORD)).errors?.[0]?.message).toBe("Invalid credentials");
    expect(errorCode(await attempt(ghost, PASSWORD))).toBe("RATE_LIMITED");
  });

  it("forgets failures after a successful sign-in", async () => {
    const { user } = await registerUser(gql);
    await attempt(user.email, "wrong password");
    await attempt(user.email, "wrong password");
    await login(gql, user.email);
    await attempt(user.email, "wrong password");
    await attempt(user.email, "wrong password");
    await expect(login(gql, user.email)).resolves.toMatchObject({ user: { id: user.id } });
  });

  it("counts wrong current passwords in changePassword", async () => {
    const session = await registerUser(gql);
    const change = (currentPassword: string) =>
      gql(ChangePasswordDocument, { currentPassword, newPassword: "new password 1" }, { token: session.accessToken });
    for (let i = 0; i < 3; i++) expect(errorCode(await change("wrong password"))).toBe("BAD_USER_INPUT");
    expect(errorCode(await change(PASSWORD))).toBe("RATE_LIMITED");
  });
});

describe("per IP", () => {
  let server: TestServer;
  let gql: Gql;

  beforeAll(async () => {
    server = await startTestServer({ ...ACCOUNTS_ENV, LOGIN_MAX_FAILURES: "100", LOGIN_MAX_FAILURES_PER_IP: "4" });
    gql = graphqlClient(server.graphqlUrl);
  });
  afterAll(() => server.stop());

  it("refuses an IP that failed for many different accounts", async () => {
    const { user } = await registerUser(gql);
    for (let i = 0; i < 4; i++) {
      const failure = await gql(LoginDocument, { input: { email: uniqueEmail("spray"), password: PASSWORD } });
      expect(errorCode(failure)).toBe("UNAUTHENTICATED");
    }
    const refused = await gql(LoginDocument, { input: { email: user.email, password: PASSWORD } });
    expect(errorCode(refused)).toBe("RATE_LIMITED");
  });
});

describe("timing", () => {
  let server: TestServer;
  let gql: Gql;

  beforeAll(async () => {
    // A realistic cost, so that skipping bcrypt for unknown e-mails would show.
    server = await startTestServer({ BCRYPT_COST: "10" });
    gql = graphqlClient(server.graphqlUrl);
  });
  afterAll(() => server.stop());

  it("takes about as long for an unknown e-mail as for a wrong password", async () => {
    const fail = (email: string) => gql(LoginDocument, { input: { email, password: "wrong password" } });
    await fail(uniqueEmail("warm-up"));
    // First failures only (no slowing), interleaved, compared by median to ride out a busy machine
    // (Jest runs another test file on the other core meanwhile).
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      const { user } = await registerUser(gql);
      known.push((await timed(() => fail(user.email)))[1]);
      unknown.push((await timed(() => fail(uniqueEmail("ghost"))))[1]);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.4);
    expect(median(unknown)).toBeLessThan(median(known) * 2.5);
  });
});
