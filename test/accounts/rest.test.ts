import { MeDocument } from "../generated/graphql";
import { graphqlClient } from "../helpers/graphql";
import { startTestServer, type TestServer } from "../helpers/server";
import { ACCOUNTS_ENV, PASSWORD, SECRET_LEAK, errorCode, recordResponses, registerUser, uniqueEmail, type Gql } from "./support";

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
  expect(recorded.bodies.join("\n")).not.toMatch(SECRET_LEAK);
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/api/v1/auth${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

async function getMe(token?: string) {
  const response = await fetch(`${server.url}/api/v1/auth/me`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

const userResponse = (email: string, name: string) => ({
  id: expect.stringMatching(/^[0-9a-f]{24}$/),
  name,
  email,
  role: "student",
  is_active: true,
  created_at: expect.any(String),
});

describe("POST /api/v1/auth/register", () => {
  it("answers 201 with exactly the seed's UserResponse", async () => {
    const email = uniqueEmail("rest");
    const response = await post("/register", { name: "Rest User", email: email.toUpperCase(), password: PASSWORD });
    expect(response.status).toBe(201);
    expect(response.body).toStrictEqual(userResponse(email, "Rest User"));
    expect(Date.parse(response.body.created_at as string)).not.toBeNaN();
  });

  it("answers 400 Email already registered, in any case", async () => {
    const email = uniqueEmail("taken");
    await post("/register", { name: "First", email, password: PASSWORD });
    const again = await post("/register", { name: "Second", email: email.toUpperCase(), password: PASSWORD });
    expect(again).toMatchObject({ status: 400, body: { detail: "Email already registered" } });
  });

  it("answers 422 with a detail list naming each bad or missing field", async () => {
    const invalid = await post("/register", { name: "X", email: "nope", password: "short" });
    expect(invalid.status).toBe(422);
    const detail = invalid.body.detail as { loc: string[]; msg: string; type: string }[];
    expect(detail.map((item) => item.loc)).toEqual(expect.arrayContaining([["body", "email"], ["body", "password"]]));
    expect(detail.every((item) => typeof item.msg === "string" && typeof item.type === "string")).toBe(true);

    const missing = await post("/register", { name: "X" });
    expect(missing).toMatchObject({
      status: 422,
      body: { detail: [{ loc: ["body", "email"], type: "missing" }, { loc: ["body", "password"], type: "missing" }] },
    });
    expect((await post("/register", [1, 2])).status).toBe(422);
    expect((await post("/register", { name: 5, email: "a@b.co", password: PASSWORD })).status).toBe(422);
  });

  it("gives a blank field one entry", async () => {
    const blank = await post("/register", { name: "", email: "blank@example.com", password: PASSWORD });
    expect(blank).toMatchObject({ status: 422, body: { detail: [{ loc: ["body", "name"], msg: "name must not be blank" }] } });
    expect((blank.body.detail as unknown[]).length).toBe(1);
  });
});

describe("POST /api/v1/auth/login, /refresh, /logout and GET /me", () => {
  it("walks the whole REST lifecycle with the seed's shapes", async () => {
    const email = uniqueEmail("flow");
    await post("/register", { name: "Flow", email, password: PASSWORD });

    const loggedIn = await post("/login", { email: email.toUpperCase(), password: PASSWORD });
    expect(loggedIn.status).toBe(200);
    expect(loggedIn.body).toStrictEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: "bearer",
      user: userResponse(email, "Flow"),
    });
    const { access_token, refresh_token } = loggedIn.body as { access_token: string; refresh_token: string };

    const me = await getMe(access_token);
    expect(me).toMatchObject({ status: 200 });
    expect(me.body).toStrictEqual(userResponse(email, "Flow"));

    const refreshed = await post("/refresh", { refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toStrictEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: "bearer",
      user: userResponse(email, "Flow"),
    });
    expect(refreshed.body.refresh_token).not.toBe(refresh_token);

    // Reuse of the rotated token: 401, and the family is gone.
    expect(await post("/refresh", { refresh_token })).toMatchObject({ status: 401, body: { detail: expect.any(String) } });
    expect((await post("/refresh", { refresh_token: refreshed.body.refresh_token })).status).toBe(401);

    const again = await post("/login", { email, password: PASSWORD });
    const logout = await post("/logout", { refresh_token: again.body.refresh_token });
    expect(logout).toMatchObject({ status: 200, body: { message: expect.any(String) } });
    expect((await post("/refresh", { refresh_token: again.body.refresh_token })).status).toBe(401);
  });

  it("answers 401 Invalid credentials for a wrong password and an unknown e-mail alike", async () => {
    const email = uniqueEmail("creds");
    await post("/register", { name: "Creds", email, password: PASSWORD });
    const wrong = await post("/login", { email, password: "not the password" });
    const unknown = await post("/login", { email: uniqueEmail("ghost"), password: PASSWORD });
    for (const response of [wrong, unknown]) {
      expect(response.status).toBe(401);
      expect(response.body).toStrictEqual({ detail: "Invalid credentials" });
    }
  });

  it("answers 401 with a detail and WWW-Authenticate on /me without a valid token", async () => {
    for (const token of [undefined, "garbage"]) {
      const me = await getMe(token);
      expect(me.status).toBe(401);
      expect(me.body).toStrictEqual({ detail: "Could not validate credentials" });
      expect(me.headers.get("www-authenticate")).toBe("Bearer");
    }
  });

  it("answers 422 for a body without refresh_token and 400 for malformed JSON", async () => {
    expect(await post("/refresh", {})).toMatchObject({ status: 422, body: { detail: [{ loc: ["body", "refresh_token"] }] } });
    expect(await post("/login", "{not json")).toMatchObject({ status: 400, body: { detail: expect.any(String) } });
  });
});

describe("one implementation, two doors", () => {
  it("REST tokens work on GraphQL and GraphQL tokens work on REST", async () => {
    const email = uniqueEmail("doors");
    await post("/register", { name: "Doors", email, password: PASSWORD });
    const rest = await post("/login", { email, password: PASSWORD });
    const viaGraphql = await gql(MeDocument, {}, { token: rest.body.access_token as string });
    expect(viaGraphql.data?.me.email).toBe(email);

    const session = await registerUser(gql);
    const viaRest = await getMe(session.accessToken);
    expect(viaRest.body).toMatchObject({ id: session.user.id, email: session.user.email });
    expect(errorCode(await gql(MeDocument, {}, { token: "garbage" }))).toBe("UNAUTHENTICATED");
  });
});
