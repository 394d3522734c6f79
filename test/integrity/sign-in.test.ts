import { print } from "graphql";
import jwt from "jsonwebtoken";
import { ACCOUNTS_ENV, PASSWORD, errorCode, registerUser, uniqueEmail, type Gql } from "../accounts/support";
import { LoginDocument, MeDocument, RegisterDocument } from "../generated/graphql";
import { graphqlClient } from "../helpers/graphql";
import { startTestServer, type TestServer } from "../helpers/server";
import { timed } from "../helpers/timing";
import { wsClient } from "../helpers/ws";

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe("password hashing off the event loop", () => {
  let server: TestServer;
  let gql: Gql;

  beforeAll(async () => {
    // A cost near production's: on the event loop, 40 of these would hold /health for seconds.
    server = await startTestServer({ BCRYPT_COST: "11", LOGIN_MAX_FAILURES_PER_IP: "1000" });
    gql = graphqlClient(server.graphqlUrl);
  });
  afterAll(() => server.stop());

  it("keeps /health answering while 40 anonymous sign-ins are being checked", async () => {
    let done = false;
    // Unknown e-mails: each is compared against a decoy hash, with no throttle delay to hide the cost.
    const logins = Promise.all(
      Array.from({ length: 40 }, () => gql(LoginDocument, { input: { email: uniqueEmail("ghost"), password: "wrong password" } })),
    ).finally(() => (done = true));
    const healthMs: number[] = [];
    while (!done) {
      const [response, ms] = await timed(() => fetch(`${server.url}/health`));
      expect(response.status).toBe(200);
      healthMs.push(ms);
      await new Promise((resume) => setTimeout(resume, 20));
    }
    const answers = await logins;
    expect(answers.map(errorCode)).toEqual(Array(40).fill("UNAUTHENTICATED"));
    expect(healthMs.length).toBeGreaterThan(3);
    // Each hash takes ~130 ms of CPU (over 5 s for the 40); bcryptjs on the main thread held /health
    // for about that long. The bound leaves room for a machine busy with other work.
    if (process.env.SHOW_FIGURES) console.log(`/health: ${healthMs.length} probes, max ${Math.max(...healthMs).toFixed(0)} ms, median ${median(healthMs).toFixed(0)} ms`);
    expect(Math.max(...healthMs)).toBeLessThan(2_000);
  });

  it("still signs in with the right password", async () => {
    const { user } = await registerUser(gql);
    const ok = await gql(LoginDocument, { input: { email: user.email, password: PASSWORD } });
    expect(ok.data?.login.user.id).toBe(user.id);
  });
});

describe("per-IP sign-up and sign-in limit, on every transport", () => {
  let server: TestServer;
  let gql: Gql;

  beforeAll(async () => {
    server = await startTestServer({ ...ACCOUNTS_ENV, AUTH_RATE_LIMIT_REQUESTS: "3", AUTH_RATE_LIMIT_WINDOW: "600" });
    gql = graphqlClient(server.graphqlUrl);
  });
  afterAll(() => server.stop());

  const rest = (path: string, body: object) =>
    fetch(`${server.url}/api/v1/auth/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("shares one budget between HTTP, websockets and REST, then refuses with RATE_LIMITED / 429", async () => {
    const email = uniqueEmail();
    const client = wsClient(server.wsUrl);
    const overWs = (query: string, variables: Record<string, unknown>) =>
      new Promise<{ errors?: readonly { extensions?: Record<string, unknown> }[]; data?: unknown }>((resolve, reject) => {
        let result: { errors?: readonly { extensions?: Record<string, unknown> }[]; data?: unknown } = {};
        client.subscribe({ query, variables }, { next: (value) => (result = value as typeof result), error: reject, complete: () => resolve(result) });
      });
    try {
      // 1: sign up over HTTP, 2: sign in over websockets, 3: sign in over REST.
      expect((await gql(RegisterDocument, { input: { name: "Ada", email, password: PASSWORD } })).data?.register.user.email).toBe(email);
      expect(((await overWs(print(LoginDocument), { input: { email, password: PASSWORD } })).data as { login: unknown }).login).toBeTruthy();
      expect((await rest("login", { email, password: PASSWORD })).status).toBe(200);

      const http = await gql(LoginDocument, { input: { email, password: PASSWORD } });
      expect(http.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED", retryAfterSeconds: expect.any(Number) });
      const ws = await overWs(print(RegisterDocument), { input: { name: "Eve", email: uniqueEmail(), password: PASSWORD } });
      expect(ws.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
      const refused = await rest("register", { name: "Eve", email: uniqueEmail(), password: PASSWORD });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(500);
    } finally {
      await client.dispose();
    }
  });
});

describe("the sign-up and sign-in limit's 429 over REST", () => {
  let server: TestServer;

  beforeAll(async () => {
    // The general rate limit on too, as in production: its headers are on every other answer.
    server = await startTestServer({ ...ACCOUNTS_ENV, RATE_LIMIT_REQUESTS: "100", AUTH_RATE_LIMIT_REQUESTS: "2", AUTH_RATE_LIMIT_WINDOW: "600" });
  });
  afterAll(() => server.stop());

  it("describes the sign-in limit in its RateLimit headers, not the general limit", async () => {
    const login = () =>
      fetch(`${server.url}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: uniqueEmail(), password: PASSWORD }),
      });
    const first = await login();
    expect(first.status).toBe(401);
    expect(first.headers.get("ratelimit-limit")).toBe("100");
    await login();
    const refused = await login();
    expect(refused.status).toBe(429);
    expect(Object.fromEntries(["ratelimit-policy", "ratelimit-limit", "ratelimit-remaining"].map((name) => [name, refused.headers.get(name)]))).toEqual({
      "ratelimit-policy": "2;w=600",
      "ratelimit-limit": "2",
      "ratelimit-remaining": "0",
    });
    expect(Number(refused.headers.get("ratelimit-reset"))).toBe(Number(refused.headers.get("retry-after")));
  });
});

describe("sign-in throttle per (account, IP)", () => {
  let server: TestServer;
  let gql: Gql;
  const from = (ip: string) => ({ headers: { "x-forwarded-for": ip } });

  beforeAll(async () => {
    server = await startTestServer({ ...ACCOUNTS_ENV, TRUST_PROXY: "true", LOGIN_MAX_FAILURES: "5", LOGIN_MAX_FAILURES_PER_IP: "1000" });
    gql = graphqlClient(server.graphqlUrl);
  });
  afterAll(() => server.stop());

  it("lets exactly LOGIN_MAX_FAILURES of 41 concurrent guesses through", async () => {
    const { user } = await registerUser(gql, {});
    const answers = await Promise.all(
      Array.from({ length: 41 }, () => gql(LoginDocument, { input: { email: user.email, password: "wrong password" } }, from("10.9.9.9"))),
    );
    const codes = answers.map(errorCode);
    expect(codes.filter((code) => code === "UNAUTHENTICATED")).toHaveLength(5);
    expect(codes.filter((code) => code === "RATE_LIMITED")).toHaveLength(36);
  });

  it("does not let a stranger lock the owner out of the addresses the owner uses", async () => {
    const email = uniqueEmail("admin");
    await gql(RegisterDocument, { input: { name: "Owner", email, password: PASSWORD } }, from("10.0.0.1"));
    // The owner also signs in from a second address once, which makes it known too.
    expect((await gql(LoginDocument, { input: { email, password: PASSWORD } }, from("10.0.0.2"))).data?.login).toBeTruthy();

    for (let i = 0; i < 30; i++) await gql(LoginDocument, { input: { email, password: `guess ${i}` } }, from("10.6.6.6"));
    expect(errorCode(await gql(LoginDocument, { input: { email, password: PASSWORD } }, from("10.6.6.6")))).toBe("RATE_LIMITED");
    // Another address that never signed in to the account is held by the account's failures.
    expect(errorCode(await gql(LoginDocument, { input: { email, password: PASSWORD } }, from("10.7.7.7")))).toBe("RATE_LIMITED");

    for (const ip of ["10.0.0.1", "10.0.0.2"]) {
      expect((await gql(LoginDocument, { input: { email, password: PASSWORD } }, from(ip))).data?.login.user.email).toBe(email);
    }
  });

  it("still locks a known address that fails on its own, and only that one", async () => {
    const email = uniqueEmail();
    await gql(RegisterDocument, { input: { name: "Owner", email, password: PASSWORD } }, from("10.1.0.1"));
    await gql(LoginDocument, { input: { email, password: PASSWORD } }, from("10.1.0.2"));
    for (let i = 0; i < 5; i++) await gql(LoginDocument, { input: { email, password: "wrong password" } }, from("10.1.0.1"));
    expect(errorCode(await gql(LoginDocument, { input: { email, password: PASSWORD } }, from("10.1.0.1")))).toBe("RATE_LIMITED");
    expect((await gql(LoginDocument, { input: { email, password: PASSWORD } }, from("10.1.0.2"))).data?.login).toBeTruthy();
  });
});

describe("tokens and sign-up", () => {
  let server: TestServer;
  let gql: Gql;

  beforeAll(async () => {
    server = await startTestServer({ BCRYPT_COST: "10" });
    gql = graphqlClient(server.graphqlUrl);
  });
  afterAll(() => server.stop());

  it("refuses a validly signed access token without exp", async () => {
    const session = await registerUser(gql);
    const { exp: _exp, iat: _iat, ...claims } = jwt.decode(session.accessToken) as Record<string, unknown>;
    const forever = jwt.sign(claims, server.config.jwt.secretKey, { algorithm: "HS256" });
    expect((jwt.decode(forever) as Record<string, unknown>).exp).toBeUndefined();
    expect(errorCode(await gql(MeDocument, {}, { token: forever }))).toBe("UNAUTHENTICATED");
    expect((await gql(MeDocument, {}, { token: session.accessToken })).data?.me.id).toBe(session.user.id);
  });

  it("takes as long to refuse a taken e-mail as to create an account", async () => {
    const taken = (await registerUser(gql)).user.email;
    const fresh: number[] = [];
    const existing: number[] = [];
    for (let i = 0; i < 5; i++) {
      const [created, createdMs] = await timed(() => gql(RegisterDocument, { input: { name: "N", email: uniqueEmail(), password: PASSWORD } }));
      expect(created.data?.register).toBeTruthy();
      fresh.push(createdMs);
      const [conflict, conflictMs] = await timed(() => gql(RegisterDocument, { input: { name: "N", email: taken, password: PASSWORD } }));
      expect(errorCode(conflict)).toBe("CONFLICT");
      existing.push(conflictMs);
    }
    // The hash is made before the insert finds the address taken: same work either way.
    expect(median(existing)).toBeGreaterThan(median(fresh) * 0.4);
  });
});
