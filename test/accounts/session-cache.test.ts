import { randomBytes, randomUUID } from "node:crypto";
import { print, type FormattedExecutionResult } from "graphql";
import type { Client } from "graphql-ws";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import {
  ChangePasswordDocument,
  LoginDocument,
  LogoutDocument,
  MeDocument,
  RefreshTokenDocument,
  SetUserActiveDocument,
  SetUserRoleDocument,
  UpdateProfileDocument,
  type MeQuery,
} from "../generated/graphql";
import { startInstance, type Instance } from "../helpers/instance";
import { holdRedisWrites, REDIS_TEST_URL } from "../chat/redis";
import { errorCode, graphqlClient } from "../helpers/graphql";
import { nextResult, wsClient } from "../helpers/ws";
import { PASSWORD, registerUser, type Session } from "./support";

/**
 * Each instance keeps the viewers of live sessions for a while (auth/session-cache.ts). Whatever
 * ends a session or changes a user on one instance must still take effect at once on the other,
 * over HTTP and over an already open websocket, with no wait in between.
 */
jest.setTimeout(60_000);

const ADMIN = { email: "cache-admin@example.com", password: "admin password 1" };
let engine: EmbeddedMongo;
let a: Instance;
let b: Instance;
let adminToken: string;
const clients: Client[] = [];

const gqlA = () => graphqlClient(a.graphqlUrl);
const gqlB = () => graphqlClient(b.graphqlUrl);

/** `me` over a websocket of instance B that stays open across the change. */
function socketOnB(session: Session): Client {
  const client = wsClient(b.wsUrl, { authorization: `Bearer ${session.accessToken}` });
  clients.push(client);
  return client;
}

async function meOverSocket(client: Client): Promise<FormattedExecutionResult<MeQuery, unknown>> {
  const results = client.iterate<MeQuery>({ query: print(MeDocument) });
  try {
    return await nextResult(results);
  } finally {
    await results.return?.();
  }
}

/** The session is cached on B (over HTTP and over the socket) before the change is made on A. */
async function cachedOnB(session: Session, socket: Client): Promise<void> {
  for (let i = 0; i < 2; i++) {
    expect((await gqlB()(MeDocument, {}, { token: session.accessToken })).data?.me.id).toBe(session.user.id);
    expect((await meOverSocket(socket)).data?.me.id).toBe(session.user.id);
  }
}

async function refusedOnBoth(session: Session, socket: Client): Promise<void> {
  expect(errorCode(await gqlB()(MeDocument, {}, { token: session.accessToken }))).toBe("UNAUTHENTICATED");
  expect(errorCode(await gqlA()(MeDocument, {}, { token: session.accessToken }))).toBe("UNAUTHENTICATED");
  expect((await meOverSocket(socket)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
}

beforeAll(async () => {
  engine = await startEmbeddedMongo({ host: "127.0.0.1", port: 0 });
  // One database, one Redis, one signing key: two instances of one deployment.
  const env = {
    MONGODB_URL: engine.uri,
    DATABASE_NAME: `session_cache_${randomUUID().slice(0, 8)}`,
    REDIS_URL: REDIS_TEST_URL,
    JWT_SECRET_KEY: randomBytes(32).toString("hex"),
    BCRYPT_COST: "4",
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    // The request limiter counts in Redis: off, so that ending a session uses Redis only to tell the other instance.
    RATE_LIMIT_REQUESTS: "0",
  };
  a = await startInstance(env);
  b = await startInstance(env);
  adminToken = (await gqlA()(LoginDocument, { input: ADMIN })).data!.login.accessToken;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await engine?.stop();
});

test("a logout on A refuses the session's access token on B at once", async () => {
  const session = await registerUser(gqlA());
  const socket = socketOnB(session);
  await cachedOnB(session, socket);
  expect((await gqlA()(LogoutDocument, { refreshToken: session.refreshToken })).data?.logout).toBe(true);
  await refusedOnBoth(session, socket);
});

test("a logout on A while Redis is slow is answered only once B refuses the session", async () => {
  const session = await registerUser(gqlA());
  const socket = socketOnB(session);
  await cachedOnB(session, socket);
  // A's news of the end waits in Redis for a while; A's answer must wait with it.
  await holdRedisWrites(300);
  expect((await gqlA()(LogoutDocument, { refreshToken: session.refreshToken })).data?.logout).toBe(true);
  await refusedOnBoth(session, socket);
});

test("deactivation on A refuses the user's tokens on B at once", async () => {
  const session = await registerUser(gqlA());
  const socket = socketOnB(session);
  await cachedOnB(session, socket);
  expect((await gqlA()(SetUserActiveDocument, { userId: session.user.id, active: false }, { token: adminToken })).data?.setUserActive.isActive).toBe(false);
  await refusedOnBoth(session, socket);
});

test("a refresh token used twice on A ends the session on B at once", async () => {
  const session = await registerUser(gqlA());
  const socket = socketOnB(session);
  await cachedOnB(session, socket);
  expect((await gqlA()(RefreshTokenDocument, { refreshToken: session.refreshToken })).data?.refreshToken.accessToken).toBeTruthy();
  expect(errorCode(await gqlA()(RefreshTokenDocument, { refreshToken: session.refreshToken }))).toBe("UNAUTHENTICATED");
  await refusedOnBoth(session, socket);
});

test("a password change on A ends the user's other sessions on B at once and keeps the one that changed it", async () => {
  const session = await registerUser(gqlA());
  const other = (await gqlA()(LoginDocument, { input: { email: session.user.email, password: PASSWORD } })).data!.login;
  const socket = socketOnB(other);
  await cachedOnB(other, socket);
  const changed = await gqlA()(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: "another password 2" }, { token: session.accessToken });
  expect(changed.data?.changePassword).toBe(true);
  await refusedOnBoth(other, socket);
  expect((await gqlB()(MeDocument, {}, { token: session.accessToken })).data?.me.id).toBe(session.user.id);
});

test("a role or name changed on A is what B answers next", async () => {
  const session = await registerUser(gqlA());
  const socket = socketOnB(session);
  await cachedOnB(session, socket);
  expect((await gqlA()(SetUserRoleDocument, { userId: session.user.id, role: "INSTRUCTOR" }, { token: adminToken })).data?.setUserRole.role).toBe("INSTRUCTOR");
  expect((await gqlB()(MeDocument, {}, { token: session.accessToken })).data?.me.role).toBe("INSTRUCTOR");
  expect((await meOverSocket(socket)).data?.me.role).toBe("INSTRUCTOR");
  expect((await gqlA()(UpdateProfileDocument, { input: { name: "Renamed" } }, { token: session.accessToken })).data?.updateProfile.name).toBe("Renamed");
  expect((await gqlB()(MeDocument, {}, { token: session.accessToken })).data?.me.name).toBe("Renamed");
});
