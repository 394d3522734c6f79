import { AdminStatsDocument, GenerateQuizDocument, SetUserActiveDocument, type AdminStatsQuery } from "../generated/graphql";
import { createQuiz, errorCode, everyTypeAnswers, ok, publicCourseWithChapter, startCourseWorld, submit, type CourseWorld, OPEN_QUIZ_RULES } from "../quizzes/support";

describe("adminStats", () => {
  let world: CourseWorld;

  beforeAll(async () => {
    world = await startCourseWorld(OPEN_QUIZ_RULES);
  });

  afterAll(() => world.server.stop());

  const stats = async (variables: { since?: string; until?: string } = {}): Promise<AdminStatsQuery["adminStats"]> =>
    ok(await world.gql(AdminStatsDocument, variables, { token: world.admin.accessToken })).adminStats;

  it("counts users, courses, uploads, quizzes, attempts, chat messages and AI usage", async () => {
    const { instructor, course, chapter } = await publicCourseWithChapter(world);
    const learner = await world.user();
    const leaver = await world.user();
    ok(await world.gql(SetUserActiveDocument, { userId: leaver.user.id, active: false }, { token: world.admin.accessToken }));
    const quiz = await createQuiz(world.gql, instructor.accessToken, { courseId: course.id });
    ok(await world.gql(GenerateQuizDocument, { input: { chapterId: chapter.id, numQuestions: 2 } }, { token: learner.accessToken }));
    await submit(world.gql, learner.accessToken, quiz.id, everyTypeAnswers(quiz, [true, true, true, true]));
    await submit(world.gql, learner.accessToken, quiz.id, []);

    const now = await stats();
    expect(now.users).toEqual([
      { role: "STUDENT", active: 1, inactive: 1 },
      { role: "INSTRUCTOR", active: 1, inactive: 0 },
      { role: "ADMIN", active: 1, inactive: 0 },
    ]);
    expect(now.courses).toEqual([
      { source: "MANUAL", count: 1 },
      { source: "AI_GENERATED", count: 0 },
      { source: "FROM_UPLOAD", count: 0 },
    ]);
    expect(now.uploads.every((row) => row.count === 0)).toBe(true);
    expect(now.uploads.map((row) => row.status)).toEqual(["PENDING", "EXTRACTING", "EMBEDDING", "READY", "FAILED"]);
    expect(now).toMatchObject({ quizzes: 2, attempts: 2, chatMessages: 0, since: null });
    expect(now.aiUsage).toContainEqual(expect.objectContaining({ provider: "offline", purpose: "quiz", calls: 1, errors: 0 }));

    const later = await stats({ since: new Date(Date.now() + 60_000).toISOString(), until: new Date(Date.now() + 120_000).toISOString() });
    expect(later).toMatchObject({ quizzes: 2, attempts: 0, chatMessages: 0, aiUsage: [] });
  });

  it("is for admins only, and checks its period", async () => {
    const student = await world.user();
    expect(errorCode(await world.gql(AdminStatsDocument, {}, { token: student.accessToken }))).toBe("FORBIDDEN");
    const backwards = await world.gql(AdminStatsDocument, { since: "2026-03-02T00:00:00Z", until: "2026-03-01T00:00:00Z" }, { token: world.admin.accessToken });
    expect(errorCode(backwards)).toBe("BAD_USER_INPUT");
  });
});
