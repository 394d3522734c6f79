import { AddChapterDocument, DashboardDocument, LeaderboardDocument, type LeaderboardQueryVariables } from "../generated/graphql";
import {
  CHAPTER_CONTENT,
  createCourse,
  createQuiz,
  everyTypeAnswers,
  ok,
  publicCourseWithChapter,
  startCourseWorld,
  submit,
  type CourseWorld,
  type Session,
} from "../quizzes/support";

/** The default scoring rules: first attempt only, authors never score; a cap low enough to see. */
describe("a learner's own quizzes and retakes under the default rules", () => {
  let world: CourseWorld;
  let solo: Session;

  const dashboard = async (who: Session) => ok(await world.gql(DashboardDocument, {}, { token: who.accessToken })).dashboard;
  const board = async (who: Session, variables: LeaderboardQueryVariables = {}) => ok(await world.gql(LeaderboardDocument, variables, { token: who.accessToken })).leaderboard;

  beforeAll(async () => {
    world = await startCourseWorld({ LEADERBOARD_MAX_POINTS_PER_QUIZ: "20" });
    solo = await world.user();
  });

  afterAll(async () => {
    await world.server.stop();
  });

  it("a single learner taking their own quiz sees it counted on the dashboard and is on the leaderboard with 0 points", async () => {
    const courseId = (await createCourse(world.gql, solo.accessToken, { title: "My notes" })).id;
    const input = { courseId, title: "Light", content: CHAPTER_CONTENT, durationMinutes: 10 };
    const chapterId = ok(await world.gql(AddChapterDocument, { input }, { token: solo.accessToken })).addChapter.id;
    const quiz = await createQuiz(world.gql, solo.accessToken, { chapterId }, undefined, "My quiz");

    const first = await submit(world.gql, solo.accessToken, quiz.id, everyTypeAnswers(quiz, [true, true, true, true]));
    const retake = await submit(world.gql, solo.accessToken, quiz.id, everyTypeAnswers(quiz, [true, true, false, false]));
    expect([first, retake].map(({ points, percent, countsForLeaderboard, leaderboardPoints }) => ({ points, percent, countsForLeaderboard, leaderboardPoints }))).toEqual([
      { points: 40, percent: 100, countsForLeaderboard: false, leaderboardPoints: 0 },
      { points: 20, percent: 50, countsForLeaderboard: false, leaderboardPoints: 0 },
    ]);

    const mine = await dashboard(solo);
    expect(mine).toMatchObject({ quizzesTaken: 1, attempts: 2, averageScore: 75, totalPoints: 0, rank: 1 });
    expect(mine.recentActivity.map((item) => [item.kind, item.percent])).toEqual([
      ["QUIZ_ATTEMPTED", 50],
      ["QUIZ_ATTEMPTED", 100],
    ]);

    for (const period of ["ALL_TIME", "MONTH", "WEEK"] as const) {
      const ranking = await board(solo, { period });
      expect(ranking.total).toBe(1);
      expect(ranking.entries).toEqual([{ rank: 1, points: 0, quizzesTaken: 1, attempts: 2, averagePercent: 75, user: { id: solo.user.id, name: solo.user.name } }]);
      expect(ranking.me).toEqual(ranking.entries[0]);
    }
    // The course's own board counts the same attempts.
    expect((await board(solo, { courseId })).me).toMatchObject({ rank: 1, points: 0, attempts: 2 });
  });

  it("a first attempt at someone else's quiz scores, capped per quiz; a retake counts in the averages only", async () => {
    const { instructor, chapter } = await publicCourseWithChapter(world, "Plants");
    const quiz = await createQuiz(world.gql, instructor.accessToken, { chapterId: chapter.id }, undefined, "Plants quiz");
    const learner = await world.user();

    const first = await submit(world.gql, learner.accessToken, quiz.id, everyTypeAnswers(quiz, [true, true, true, false]));
    expect(first).toMatchObject({ points: 30, countsForLeaderboard: true, leaderboardPoints: 20 });
    const retake = await submit(world.gql, learner.accessToken, quiz.id, everyTypeAnswers(quiz, [true, true, true, true]));
    expect(retake).toMatchObject({ points: 40, countsForLeaderboard: false, leaderboardPoints: 0 });

    expect(await dashboard(learner)).toMatchObject({ quizzesTaken: 1, attempts: 2, averageScore: 87.5, totalPoints: 20, rank: 1 });
    expect(await dashboard(solo)).toMatchObject({ totalPoints: 0, rank: 2 });
    const ranking = await board(solo);
    expect(ranking.entries.map((entry) => [entry.rank, entry.user!.id, entry.points, entry.attempts])).toEqual([
      [1, learner.user.id, 20, 2],
      [2, solo.user.id, 0, 2],
    ]);
    // The author never attempted: not on the board.
    expect((await board(instructor)).me).toBeNull();
  });
});
