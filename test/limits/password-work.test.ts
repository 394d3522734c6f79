import { ACCOUNTS_ENV, PASSWORD, registerUser, uniqueEmail, type Gql } from "../accounts/support";
import { graphqlClient } from "../helpers/graphql";
import { startTestServer, type TestServer } from "../helpers/server";
import { bearer, codes, post } from "../hardening/support";
import { PasswordQueue } from "../../src/modules/users/password";

const CHANGE = `changePassword(currentPassword: "not my password", newPassword: "another password 2")`;
const changePassword = (server: TestServer, token: string, query = `mutation { ${CHANGE} }`) => post(server.graphqlUrl, { query }, bearer(token));
const login = (server: TestServer, email: string, password = PASSWORD) =>
  post(server.graphqlUrl, { query: `mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { accessToken } }`, variables: { e: email, p: password } });

describe("password work per request", () => {
  let server: TestServer;
  let gql: Gql;

  beforeAll(async () => {
    server = await startTestServer({ ...ACCOUNTS_ENV, LOGIN_MAX_FAILURES: "1000", LOGIN_MAX_FAILURES_PER_IP: "1000" });
    gql = graphqlClient(server.graphqlUrl);
  });
  afterAll(() => server.stop());

  it("refuses 30 aliased changePassword before any is tried", async () => {
    const { accessToken } = await registerUser(gql);
    const query = `mutation { ${Array.from({ length: 30 }, (_, i) => `c${i}: ${CHANGE}`).join(" ")} }`;
    const response = await changePassword(server, accessToken, query);
    expect(response.status).toBe(400);
    expect(codes(response)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(response.body?.errors?.[0]?.message).toBe("At most 1 password operation (login, register, changePassword) per request; this one asks for 30");
  });

  it("counts login and changePassword together, through fragments too", async () => {
    const query = `mutation { login(input: { email: "a@example.com", password: "whatever pass" }) { accessToken } ...f } fragment f on Mutation { ${CHANGE} }`;
    const response = await post(server.graphqlUrl, { query });
    expect(codes(response)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(response.body?.errors?.[0]?.message).toMatch(/asks for 2$/);
  });

  it("still changes a password, one per request", async () => {
    const { accessToken, user } = await registerUser(gql);
    const response = await changePassword(server, accessToken, `mutation { changePassword(currentPassword: "${PASSWORD}", newPassword: "another password 2") }`);
    expect(response.body).toEqual({ data: { changePassword: true } });
    expect((await login(server, user.email, "another password 2")).body?.errors).toBeUndefined();
  });

  it("refuses a fourth aliased search, before any runs", async () => {
    const { accessToken } = await registerUser(gql);
    const searches = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `s${i}: search(query: "cells ${i}") { score }`).join(" ")} }`;
    const three = await post(server.graphqlUrl, { query: searches(3) }, bearer(accessToken));
    expect(three.body?.errors).toBeUndefined();
    const four = await post(server.graphqlUrl, { query: searches(4) }, bearer(accessToken));
    expect(codes(four)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(four.body?.errors?.[0]?.message).toBe("At most 3 search per request; this one asks for 4");
  });
});

describe("changePassword counts against the per-IP sign-in limit", () => {
  let server: TestServer;
  let gql: Gql;

  beforeAll(async () => {
    server = await startTestServer({ ...ACCOUNTS_ENV, AUTH_RATE_LIMIT_REQUESTS: "4", AUTH_RATE_LIMIT_WINDOW: "600", LOGIN_MAX_FAILURES: "1000" });
    gql = graphqlClient(server.graphqlUrl);
  });
  afterAll(() => server.stop());

  it("refuses the fourth changePassword after a sign-up, and a sign-in after it", async () => {
    const { accessToken, user } = await registerUser(gql); // 1 of 4
    for (let i = 0; i < 3; i++) expect(codes(await changePassword(server, accessToken))).toEqual(["BAD_USER_INPUT"]); // 2..4 of 4
    const refused = await changePassword(server, accessToken);
    expect(codes(refused)).toEqual(["RATE_LIMITED"]);
    expect(refused.body?.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
    expect(codes(await login(server, user.email))).toEqual(["RATE_LIMITED"]);
  });
});

describe("bcrypt slots kept for sign-ins (the queue, with work that ends when told)", () => {
  /** Work that finishes when `finish()` is called, recording that it started. */
  const held = (started: string[], name: string) => {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    return { finish: () => finish(), work: () => (started.push(name), done) };
  };

  it("starts a sign-in at once while password changes fill the queue, and takes waiting sign-ins first", async () => {
    const queue = new PasswordQueue(2, 1);
    const started: string[] = [];
    const changes = Array.from({ length: 24 }, (_, i) => held(started, `change ${i}`));
    const running = changes.map((change) => queue.run("other", change.work));
    await Promise.resolve();
    expect(started).toEqual(["change 0"]);
    const victim = held(started, "sign-in");
    const signIn = queue.run("sign-in", victim.work);
    await Promise.resolve();
    expect(started).toEqual(["change 0", "sign-in"]);
    // Both slots busy: a second sign-in waits, and goes before the 23 waiting changes.
    const second = held(started, "second sign-in");
    const secondRun = queue.run("sign-in", second.work);
    changes[0].finish();
    await running[0];
    await new Promise((resume) => setImmediate(resume));
    expect(started).toEqual(["change 0", "sign-in", "second sign-in"]);
    victim.finish();
    second.finish();
    await Promise.all([signIn, secondRun]);
    await new Promise((resume) => setImmediate(resume));
    expect(started.at(-1)).toBe("change 1");
    for (const change of changes) change.finish();
    await Promise.all(running);
    expect(started).toHaveLength(26);
  });
});
