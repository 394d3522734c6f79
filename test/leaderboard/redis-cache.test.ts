import { randomBytes, randomUUID } from "node:crypto";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { LeaderboardDocument } from "../generated/graphql";
import { registerUser, type Session } from "../accounts/support";
import { startInstance, type Instance } from "../helpers/instance";
import { REDIS_TEST_URL } from "../chat/redis";
import { graphqlClient } from "../helpers/graphql";
import { createCourse, createQuiz, everyTypeAnswers, ok, submit } from "../quizzes/support";
import { OPEN_QUIZ_RULES } from "../quizzes/support";

jest.setTimeout(60_000);

let engine: EmbeddedMongo;
let a: Instance;
let b: Instance;
let user: Session;

beforeAll(async () => {
  engine = await startEmbeddedMongo({ host: "127.0.0.1", port: 0 });
  // One database, one Redis, one signing key: two instances of one deployment.
  const env = {
    MONGODB_URL: engine.uri,
    DATABASE_NAME: `leaderboard_${randomUUID().slice(0, 8)}`,
    REDIS_URL: REDIS_TEST_URL,
    JWT_SECRET_KEY: randomBytes(32).toString("hex"),
    BCRYPT_COST: "4",
    ...OPEN_QUIZ_RULES,
  };
  a = await startInstance(env);
  b = await startInstance(env);
  user = await registerUser(graphqlClient(a.graphqlUrl));
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await engine?.stop();
});

test("instances share cached boards through Redis, and an attempt on one refreshes the boards of all", async () => {
  const onA = graphqlClient(a.graphqlUrl);
  const onB = graphqlClient(b.graphqlUrl);
  const token = user.accessToken;
  const course = await createCourse(onA, token, { title: "Shared" });
  const quiz = await createQuiz(onA, token, { courseId: course.id });
  await submit(onA, token, quiz.id, everyTypeAnswers(quiz, [true, false, false, false]));

  const first = ok(await onB(LeaderboardDocument, {}, { token })).leaderboard;
  expect(first.me).toMatchObject({ rank: 1, points: 10 });
  // Computed once, on B: A serves B's board from Redis.
  const fromA = ok(await onA(LeaderboardDocument, {}, { token })).leaderboard;
  expect(fromA.computedAt).toBe(first.computedAt);

  await submit(onA, token, quiz.id, everyTypeAnswers(quiz, [true, true, true, false]));
  const after = ok(await onB(LeaderboardDocument, {}, { token })).leaderboard;
  expect(after.computedAt).not.toBe(first.computedAt);
  expect(after.me).toMatchObject({ rank: 1, points: 30 });
});
