import { MyQuizAttemptsDocument, QuizzesDocument } from "../generated/graphql";
import { databaseCalls } from "../helpers/database-calls";
import { createQuiz, enroll, ok, publicCourseWithChapter, startCourseWorld, submit, type CourseWorld, type Session, OPEN_QUIZ_RULES } from "./support";

describe("pages of quizzes and attempts", () => {
  let world: CourseWorld;
  let learner: Session;
  let courseId: string;

  beforeAll(async () => {
    world = await startCourseWorld(OPEN_QUIZ_RULES);
    learner = await world.user();
    const setup = await publicCourseWithChapter(world);
    courseId = setup.course.id;
    await enroll(world.gql, learner.accessToken, courseId);
    const authors = [setup.instructor, ...(await Promise.all(Array.from({ length: 4 }, () => world.user())))];
    for (let i = 0; i < 20; i++) {
      const quiz = await createQuiz(world.gql, authors[i % authors.length].accessToken, { courseId }, undefined, `Quiz ${i}`);
      await submit(world.gql, learner.accessToken, quiz.id, []);
    }
  });

  afterAll(() => world.server.stop());

  /**
   * The page's own calls: the viewer's session is read again once it has been trusted 10 s,
   * by whichever request comes then, which on a loaded machine may be any of these.
   */
  async function measured(work: () => Promise<unknown>): Promise<string[]> {
    return (await databaseCalls(work)).filter((call) => call !== "refresh_tokens.findOne" && call !== "users.findOne");
  }

  it("cost the same database round trips for 20 items as for 2", async () => {
    const forTwenty = await measured(async () => {
      const page = ok(await world.gql(QuizzesDocument, { courseId, limit: 20 }, { token: learner.accessToken })).quizzes;
      expect(page.items.every((quiz) => quiz.owner !== null && quiz.stats.attempts === 1 && !quiz.canEdit)).toBe(true);
      expect(new Set(page.items.map((quiz) => quiz.owner!.id)).size).toBe(5);
    });
    const forTwo = await measured(() => world.gql(QuizzesDocument, { courseId, limit: 2 }, { token: learner.accessToken }));
    expect(forTwenty).toEqual(forTwo);

    const attemptsForTwenty = await measured(async () => {
      const page = ok(await world.gql(MyQuizAttemptsDocument, { limit: 20 }, { token: learner.accessToken })).myQuizAttempts;
      expect(page.items.every((attempt) => attempt.quiz !== null && attempt.answers.length === 4)).toBe(true);
    });
    const attemptsForTwo = await measured(() => world.gql(MyQuizAttemptsDocument, { limit: 2 }, { token: learner.accessToken }));
    expect(attemptsForTwenty).toEqual(attemptsForTwo);
  });
});
