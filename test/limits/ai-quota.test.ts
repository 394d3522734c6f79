import { GenerateCourseDocument, GenerateQuizDocument, StartCourseGenerationDocument } from "../generated/graphql";
import { errorCode, ok, publicCourseWithChapter, startCourseWorld, type CourseWorld } from "../quizzes/support";

/**
 * AI generations (courses from a topic, in the foreground or as a job, and quizzes) draw on one
 * budget per user: 20 generation jobs in 3 s used to be accepted from one student.
 */

let world: CourseWorld;
beforeAll(async () => {
  world = await startCourseWorld({ AI_QUOTA_REQUESTS: "3", AI_QUOTA_WINDOW: "600" });
});
afterAll(() => world.server.stop());

it("refuses generations past the per-user quota with RATE_LIMITED and a retry time, counting every kind together", async () => {
  const setup = await publicCourseWithChapter(world);
  const author = setup.instructor;
  const topic = { topic: "Rivers and lakes", numChapters: 3 };
  ok(await world.gql(GenerateCourseDocument, { input: topic }, { token: author.accessToken }));
  ok(await world.gql(StartCourseGenerationDocument, { input: topic }, { token: author.accessToken }));
  ok(await world.gql(GenerateQuizDocument, { input: { chapterId: setup.chapter.id, numQuestions: 2 } }, { token: author.accessToken }));

  for (const refused of [
    await world.gql(GenerateCourseDocument, { input: topic }, { token: author.accessToken }),
    await world.gql(StartCourseGenerationDocument, { input: topic }, { token: author.accessToken }),
    await world.gql(GenerateQuizDocument, { input: { chapterId: setup.chapter.id, numQuestions: 2 } }, { token: author.accessToken }),
  ]) {
    expect(errorCode(refused)).toBe("RATE_LIMITED");
    expect(refused.errors?.[0]?.extensions?.retryAfterSeconds).toEqual(expect.any(Number));
  }

  // Another user's budget is their own.
  const other = await world.user("INSTRUCTOR");
  ok(await world.gql(GenerateCourseDocument, { input: topic }, { token: other.accessToken }));
});
