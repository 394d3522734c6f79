import { randomBytes, randomUUID } from "node:crypto";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { AddChapterDocument, CourseListPageDocument, CreateCourseDocument, UpdateCourseDocument, UpdateProfileDocument } from "../generated/graphql";
import { startInstance, type Instance } from "../helpers/instance";
import { holdRedisWrites, REDIS_TEST_URL, slowRedisLink } from "../chat/redis";
import { graphqlClient } from "../helpers/graphql";
import { registerUser, type Session } from "../accounts/support";
import { ok } from "../courses/support";

/**
 * Two instances of one deployment with RESPONSE_CACHE on: a write on one is seen by the very
 * next read on the other, whose cache held the old answer (writes travel over Redis pub/sub, as
 * session ends do: test/accounts/session-cache.test.ts).
 */
jest.setTimeout(60_000);

const METRICS_TOKEN = "instances-metrics";
let engine: EmbeddedMongo;
let a: Instance;
let b: Instance;
let env: Record<string, string>;

beforeAll(async () => {
  engine = await startEmbeddedMongo({ host: "127.0.0.1", port: 0 });
  env = {
    MONGODB_URL: engine.uri,
    DATABASE_NAME: `response_cache_${randomUUID().slice(0, 8)}`,
    REDIS_URL: REDIS_TEST_URL,
    JWT_SECRET_KEY: randomBytes(32).toString("hex"),
    BCRYPT_COST: "4",
    RESPONSE_CACHE: "true",
    METRICS_TOKEN,
    // The request limiter counts in Redis: off, so that a write's only use of Redis is telling the other instance.
    RATE_LIMIT_REQUESTS: "0",
  };
  [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await engine?.stop();
});

async function hits(instance: Instance): Promise<number> {
  const response = await fetch(new URL("/metrics", instance.graphqlUrl), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const line = (await response.text()).split("\n").find((row) => row.startsWith('graphql_response_cache_total{outcome="hit"}'));
  return Number(line?.split(" ").pop() ?? 0);
}

const mine = (instance: Instance, session: Session) =>
  graphqlClient(instance.graphqlUrl)(CourseListPageDocument, { filter: { owner: "MINE" }, limit: 20 }, { token: session.accessToken });

/** Read twice on `instance`: the second answer comes from its cache. */
async function cachedOn(instance: Instance, session: Session) {
  const first = ok(await mine(instance, session)).courses.items;
  const before = await hits(instance);
  expect(ok(await mine(instance, session)).courses.items).toEqual(first);
  expect(await hits(instance)).toBe(before + 1);
  return first;
}

test("a write on one instance is read at once on the other, both ways", async () => {
  const session = await registerUser(graphqlClient(a.graphqlUrl));
  const gqlA = graphqlClient(a.graphqlUrl, { token: session.accessToken });
  const gqlB = graphqlClient(b.graphqlUrl, { token: session.accessToken });
  const course = ok(await gqlA(CreateCourseDocument, { input: { title: "Shared", level: "BEGINNER" } })).createCourse;

  expect((await cachedOn(b, session)).map((item) => [item.title, item.chapterCount])).toEqual([["Shared", 0]]);
  ok(await gqlA(AddChapterDocument, { input: { courseId: course.id, title: "One", content: "# One", durationMinutes: 4 } }));
  expect(ok(await mine(b, session)).courses.items.map((item) => [item.title, item.chapterCount, item.totalDurationMinutes])).toEqual([["Shared", 1, 4]]);

  await cachedOn(a, session);
  ok(await gqlB(UpdateCourseDocument, { id: course.id, input: { title: "Renamed on B" } }));
  expect(ok(await mine(a, session)).courses.items.map((item) => item.title)).toEqual(["Renamed on B"]);

  await cachedOn(b, session);
  ok(await gqlA(CreateCourseDocument, { input: { title: "Second", level: "BEGINNER" } }));
  expect(ok(await mine(b, session)).courses.items.map((item) => item.title)).toEqual(["Second", "Renamed on B"]);

  // A domain event's write (the owner's name copied onto their courses) travels too.
  await cachedOn(b, session);
  ok(await gqlA(UpdateProfileDocument, { input: { name: "Renamed owner" } }));
  expect(new Set(ok(await mine(b, session)).courses.items.map((item) => item.owner?.name))).toEqual(new Set(["Renamed owner"]));
});

test("a write on one instance is answered only once the other knows, however slow Redis is", async () => {
  const session = await registerUser(graphqlClient(a.graphqlUrl));
  const gqlA = graphqlClient(a.graphqlUrl, { token: session.accessToken });
  ok(await gqlA(CreateCourseDocument, { input: { title: "Before", level: "BEGINNER" } }));
  await cachedOn(b, session);
  const course = ok(await mine(b, session)).courses.items[0];
  // A's news of the write waits in Redis for a while; A's answer must wait with it.
  await holdRedisWrites(300);
  ok(await gqlA(UpdateCourseDocument, { id: course.id, input: { title: "After" } }));
  expect(ok(await mine(b, session)).courses.items.map((item) => item.title)).toEqual(["After"]);
});

test("a write on one instance is answered only once an instance far from Redis knows", async () => {
  // C reads what Redis sends it 300 ms late: Redis answers A's publish long before C has the news.
  const link = await slowRedisLink(300);
  const c = await startInstance({ ...env, REDIS_URL: link.url });
  try {
    const session = await registerUser(graphqlClient(a.graphqlUrl));
    const gqlA = graphqlClient(a.graphqlUrl, { token: session.accessToken });
    ok(await gqlA(CreateCourseDocument, { input: { title: "Before", level: "BEGINNER" } }));
    await cachedOn(c, session);
    const course = ok(await mine(c, session)).courses.items[0];
    ok(await gqlA(UpdateCourseDocument, { id: course.id, input: { title: "After" } }));
    expect(ok(await mine(c, session)).courses.items.map((item) => item.title)).toEqual(["After"]);
  } finally {
    await c.stop();
    await link.close();
  }
});
