import { LeaderboardDocument, type LeaderboardQuery, type LeaderboardQueryVariables } from "../generated/graphql";
import { LeaderboardPeriod, periodStart } from "../../src/modules/leaderboard/period";
import { competitionRanks } from "../../src/modules/leaderboard/ranking";
import {
  createCourse,
  createQuiz,
  errorCode,
  EVERY_TYPE,
  everyTypeAnswers,
  fakeDate,
  LONG_TOKENS,
  ok,
  publicCourseWithChapter,
  startCourseWorld,
  submit,
  type CourseWorld,
  type CreatedQuiz,
  type Session,
  OPEN_QUIZ_RULES,
} from "../quizzes/support";

describe("ranking rules", () => {
  it("competition ranking: ties share a rank and the next rank skips", () => {
    const ranked = competitionRanks([50, 40, 40, 30, 30, 30, 10].map((points, i) => ({ userId: String(i), points, quizzesTaken: 1, attempts: 1, averagePercent: 0 })));
    expect(ranked.map((standing) => standing.rank)).toEqual([1, 2, 2, 4, 4, 4, 7]);
  });

  it("periods start at the UTC month and the UTC Monday", () => {
    const sundayNight = new Date("2026-03-01T23:59:59Z");
    expect(periodStart(LeaderboardPeriod.MONTH, sundayNight)).toEqual(new Date("2026-03-01T00:00:00Z"));
    expect(periodStart(LeaderboardPeriod.WEEK, sundayNight)).toEqual(new Date("2026-02-23T00:00:00Z"));
    expect(periodStart(LeaderboardPeriod.WEEK, new Date("2026-03-02T00:00:00Z"))).toEqual(new Date("2026-03-02T00:00:00Z"));
    expect(periodStart(LeaderboardPeriod.ALL_TIME, sundayNight)).toBeUndefined();
  });
});

describe("leaderboard", () => {
  let world: CourseWorld;
  let clock: ReturnType<typeof fakeDate>;
  let users: Record<"ann" | "bob" | "cat" | "dan", Session>;
  let author: Session;
  let courseA: string;
  let courseB: string;
  let q1: CreatedQuiz;

  const board = async (session: Session, variables: LeaderboardQueryVariables = {}): Promise<LeaderboardQuery["leaderboard"]> =>
    ok(await world.gql(LeaderboardDocument, variables, { token: session.accessToken })).leaderboard;
  const names = (entries: LeaderboardQuery["leaderboard"]["entries"]) => entries.map((entry) => [entry.rank, entry.user!.name, entry.points]);
  /** Right answers to the first `n` questions of an every-type quiz: 10 points each. */
  const take = (who: Session, quiz: CreatedQuiz, n: number) => submit(world.gql, who.accessToken, quiz.id, everyTypeAnswers(quiz, [0, 1, 2, 3].map((i) => i < n)));

  beforeAll(async () => {
    world = await startCourseWorld({ ...LONG_TOKENS, ...OPEN_QUIZ_RULES });
    clock = fakeDate("2026-02-20T10:00:00Z");
    users = { ann: await world.user(), bob: await world.user(), cat: await world.user(), dan: await world.user() };
    const a = await publicCourseWithChapter(world, "Course A");
    author = a.instructor;
    courseA = a.course.id;
    const b = await publicCourseWithChapter(world, "Course B");
    courseB = b.course.id;
    q1 = await createQuiz(world.gql, author.accessToken, { courseId: courseA }, EVERY_TYPE, "q1");
    const q2 = await createQuiz(world.gql, author.accessToken, { courseId: courseA }, EVERY_TYPE, "q2");
    const q3 = await createQuiz(world.gql, b.instructor.accessToken, { courseId: courseB }, EVERY_TYPE, "q3");

    // Last month.
    await take(users.ann, q1, 4);
    await take(users.dan, q3, 4);
    // Sunday 1 March: this month, last week.
    clock.at("2026-03-01T18:00:00Z");
    await take(users.bob, q1, 3);
    await take(users.bob, q1, 2);
    // Tuesday 3 March: this week.
    clock.at("2026-03-03T09:00:00Z");
    await take(users.cat, q1, 3);
    await take(users.bob, q2, 1);
    await take(users.ann, q1, 2);
    clock.at("2026-03-04T12:00:00Z");
    await take(users.dan, q1, 1);
  });

  afterAll(async () => {
    clock.restore();
    await world.server.stop();
  });

  it("all time: best attempt per quiz summed, ties share a rank; the average counts every attempt", async () => {
    const all = await board(users.cat);
    const byName = new Map(all.entries.map((entry) => [entry.user!.name, entry]));
    expect(all.total).toBe(4);
    expect(all.entries.map((entry) => entry.rank)).toEqual([1, 2, 2, 4]);
    expect(byName.get(users.dan.user.name)).toMatchObject({ rank: 1, points: 50, quizzesTaken: 2, attempts: 2, averagePercent: 62.5 });
    // Ann's 100% and 50% at q1: the points keep the best, the average both.
    expect(byName.get(users.ann.user.name)).toMatchObject({ rank: 2, points: 40, quizzesTaken: 1, attempts: 2, averagePercent: 75 });
    expect(byName.get(users.bob.user.name)).toMatchObject({ rank: 2, points: 40, quizzesTaken: 2, attempts: 3, averagePercent: 50 });
    expect(byName.get(users.cat.user.name)).toMatchObject({ rank: 4, points: 30 });
    expect(all.me).toMatchObject({ rank: 4, points: 30, user: { id: users.cat.user.id } });
  });

  it("retaking a quiz never lowers or farms points", async () => {
    const all = await board(users.bob);
    expect(all.me).toMatchObject({ points: 40, quizzesTaken: 2 });
  });

  it("this month and this week count only their attempts (calendar periods in UTC)", async () => {
    const month = await board(users.ann, { period: "MONTH" });
    expect(names(month.entries)).toEqual([
      [1, users.bob.user.name, 40],
      [2, users.cat.user.name, 30],
      [3, users.ann.user.name, 20],
      [4, users.dan.user.name, 10],
    ]);
    const week = await board(users.ann, { period: "WEEK" });
    expect(week.entries.map((entry) => [entry.rank, entry.points])).toEqual([
      [1, 30],
      [2, 20],
      [3, 10],
      [3, 10],
    ]);
    expect(week.me).toMatchObject({ rank: 2, points: 20 });
  });

  it("a course's board counts only its quizzes", async () => {
    const b = await board(users.ann, { courseId: courseB });
    expect(names(b.entries)).toEqual([[1, users.dan.user.name, 40]]);
    expect(b.me).toBeNull();
    expect(b.courseId).toBe(courseB);
    const a = await board(users.dan, { courseId: courseA });
    expect(a.me).toMatchObject({ rank: 4, points: 10 });
  });

  it("shows the caller's own rank outside the page, and null for someone with no attempt", async () => {
    const page = await board(users.cat, { limit: 1 });
    expect(page.entries).toHaveLength(1);
    expect(page.hasMore).toBe(true);
    expect(page.me).toMatchObject({ rank: 4, points: 30 });
    const second = await board(users.cat, { skip: 3, limit: 2 });
    expect(second.entries.map((entry) => entry.rank)).toEqual([4]);
    expect(second.hasMore).toBe(false);
    expect((await board(author)).me).toBeNull();
  });

  it("is cached briefly and recomputed after a new attempt", async () => {
    const first = await board(users.cat);
    const again = await board(users.cat);
    expect(again.computedAt).toBe(first.computedAt);
    await take(users.cat, q1, 4);
    const after = await board(users.cat);
    expect(after.computedAt).not.toBe(first.computedAt);
    // The better retake replaces the 30-point attempt: 40, level with ann and bob behind dan.
    expect(after.me).toMatchObject({ rank: 2, points: 40, quizzesTaken: 1 });
  });

  it("hides private courses' boards and needs a sign-in", async () => {
    const owner = await world.user("INSTRUCTOR");
    const hidden = await createCourse(world.gql, owner.accessToken, { title: "Hidden" });
    expect(errorCode(await world.gql(LeaderboardDocument, { courseId: hidden.id }, { token: users.ann.accessToken }))).toBe("NOT_FOUND");
    expect(errorCode(await world.gql(LeaderboardDocument, {}))).toBe("UNAUTHENTICATED");
  });
});
