import jwt from "jsonwebtoken";
import { MeDocument, RefreshTokenDocument, RegisterDocument } from "../generated/graphql";
import { graphqlClient } from "../helpers/graphql";
import { startTestServer, type TestServer } from "../helpers/server";
import { ACCOUNTS_ENV, PASSWORD, SECRET_LEAK, errorCode, recordResponses, registerUser, uniqueEmail, type Gql, type Session } from "./support";

let server: TestServer;
let gql: Gql;
let session: Session;
const recorded = recordResponses();

beforeAll(async () => {
  server = await startTestServer(ACCOUNTS_ENV);
  gql = graphqlClient(server.graphqlUrl);
  session = await registerUser(gql);
});
afterAll(async () => {
  recorded.restore();
  await server.stop();
  expect(recorded.bodies.join("\n")).not.toMatch(SECRET_LEAK);
});

const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString("base64url");
const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString()) as Record<string, unknown>;

function signed(claims: object, options: jwt.SignOptions = {}): string {
  return jwt.sign(claims, server.config.jwt.secretKey, { algorithm: "HS256", ...options });
}

async function meCode(token: string): Promise<unknown> {
  return errorCode(await gql(MeDocument, {}, { token }));
}

describe("access tokens the server refuses", () => {
  it("accepts its own token (the baseline)", async () => {
    expect((await gql(MeDocument, {}, { token: session.accessToken })).data?.me.id).toBe(session.user.id);
  });

  it("refuses an expired token", async () => {
    const claims = decode(session.accessToken.split(".")[1]);
    const expired = signed({ ...claims, iat: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) - 60 });
    expect(await meCode(expired)).toBe("UNAUTHENTICATED");
  });

  it("refuses a tampered payload under the original signature", async () => {
    const [header, payload, signature] = session.accessToken.split(".");
    const tampered = [header, encode({ ...decode(payload), role: "admin" }), signature].join(".");
    expect(await meCode(tampered)).toBe("UNAUTHENTICATED");
    const otherUser = [header, encode({ ...decode(payload), sub: "0123456789abcdef01234567" }), signature].join(".");
    expect(await meCode(otherUser)).toBe("UNAUTHENTICATED");
  });

  it("refuses alg none, with or without a signature", async () => {
    const payload = encode(decode(session.accessToken.split(".")[1]));
    const header = encode({ alg: "none", typ: "JWT" });
    expect(await meCode(`${header}.${payload}.`)).toBe("UNAUTHENTICATED");
    expect(await meCode(`${header}.${payload}.${session.accessToken.split(".")[2]}`)).toBe("UNAUTHENTICATED");
  });

  it("refuses another algorithm than the configured one, even with the right secret", async () => {
    const claims = decode(session.accessToken.split(".")[1]);
    expect(await meCode(signed(claims, { algorithm: "HS512" }))).toBe("UNAUTHENTICATED");
  });

  it("refuses a token signed with another secret", async () => {
    const claims = decode(session.accessToken.split(".")[1]);
    expect(await meCode(jwt.sign(claims, "some other secret", { algorithm: "HS256" }))).toBe("UNAUTHENTICATED");
  });

  it("refuses a well-signed token without the access type", async () => {
    const { type: _type, ...claims } = decode(session.accessToken.split(".")[1]);
    expect(await meCode(signed(claims))).toBe("UNAUTHENTICATED");
  });
});

describe("refresh tokens the server refuses", () => {
  const refreshCode = async (refreshToken: string) => errorCode(await gql(RefreshTokenDocument, { refreshToken }));

  it("refuses an expired, a tampered and an alg-none refresh token", async () => {
    const fresh = await registerUser(gql);
    const [header, payload, signature] = fresh.refreshToken.split(".");
    const claims = decode(payload);
    const now = Math.floor(Date.now() / 1000);
    expect(await refreshCode(signed({ ...claims, iat: now - 7200, exp: now - 60 }))).toBe("UNAUTHENTICATED");
    expect(await refreshCode([header, encode({ ...claims, sid: "another-session" }), signature].join("."))).toBe("UNAUTHENTICATED");
    expect(await refreshCode(`${encode({ alg: "none", typ: "JWT" })}.${payload}.`)).toBe("UNAUTHENTICATED");
    // None of that used the real token up.
    expect((await gql(RefreshTokenDocument, { refreshToken: fresh.refreshToken })).data?.refreshToken.user.id).toBe(fresh.user.id);
  });

  it("refuses a well-signed refresh token it never issued: the server keeps its own record", async () => {
    const claims = decode(session.refreshToken.split(".")[1]);
    const forged = signed({ ...claims, jti: "forged", iat: Math.floor(Date.now() / 1000) });
    expect(await refreshCode(forged)).toBe("UNAUTHENTICATED");
  });
});

describe("e-mail uniqueness", () => {
  it("lets exactly one of two concurrent registrations differing only in case succeed", async () => {
    const email = uniqueEmail("race");
    const attempts = [email.toLowerCase(), email.toUpperCase()].map((address) =>
      gql(RegisterDocument, { input: { name: "Racer", email: address, password: PASSWORD } }),
    );
    const results = await Promise.all(attempts);
    expect(results.filter((result) => result.data?.register).length).toBe(1);
    const loser = results.find((result) => result.errors);
    expect(loser?.errors?.[0]).toMatchObject({ message: "Email already registered", extensions: { code: "CONFLICT" } });
  });

  it("refuses a later registration of a known address in another case", async () => {
    const { user } = await registerUser(gql);
    const again = await gql(RegisterDocument, { input: { name: "Copy", email: ` ${user.email.toUpperCase()}`.trim(), password: PASSWORD } });
    expect(errorCode(again)).toBe("CONFLICT");
  });
});
