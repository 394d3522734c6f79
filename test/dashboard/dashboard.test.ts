import { AddChapterDocument, CompleteChapterDocument, DashboardDocument, GenerateQuizDocument, type DashboardQuery } from "../generated/graphql";
import {
  CHAPTER_CONTENT,
  createCourse,
  createQuiz,
  enroll,
  everyTypeAnswers,
  fakeDate,
  LONG_TOKENS,
  ok,
  publish,
  startCourseWorld,
  submit,
  type CourseWorld,
  type CreatedQuiz,
  type Session,
  OPEN_QUIZ_RULES,
} from "../quizzes/support";
import { databaseCalls, databaseCommands } from "../helpers/database-calls";

describe("dashboard after a scripted learning week", () => {
  let world: CourseWorld;
  let clock: ReturnType<typeof fakeDate>;
  let learner: Session;
  let courseId: string;
  let ownCourseId: string;
  let chapters: string[];
  let quiz1: CreatedQuiz;
  let quiz2: CreatedQuiz;

  const dashboard = async (): Promise<DashboardQuery["dashboard"]> => ok(await world.gql(DashboardDocument, {}, { token: learner.accessToken })).dashboard;
  const complete = async (chapterId: string) => ok(await world.gql(CompleteChapterDocument, { chapterId }, { token: learner.accessToken }));

  beforeAll(async () => {
    world = await startCourseWorld({ ...LONG_TOKENS, ...OPEN_QUIZ_RULES, DB_COMMAND_MONITORING: "true" });
    clock = fakeDate("2026-03-01T12:00:00Z");
    const instructor = await world.user("INSTRUCTOR");
    learner = await world.user();
    const rival = await world.user();
    const course = await createCourse(world.gql, instructor.accessToken, { title: "Plants" });
    courseId = course.id;
    chapters = [];
    for (const title of ["Light", "Carbon", "Water"]) {
      const input = { courseId, title, content: CHAPTER_CONTENT, durationMinutes: 10 };
      chapters.push(ok(await world.gql(AddChapterDocument, { input }, { token: instructor.accessToken })).addChapter.id);
    }
    await publish(world.gql, instructor.accessToken, courseId);
    quiz1 = await createQuiz(world.gql, instructor.accessToken, { chapterId: chapters[0] }, undefined, "Light quiz");
    quiz2 = await createQuiz(world.gql, instructor.accessToken, { chapterId: chapters[1] }, undefined, "Carbon quiz");
    ownCourseId = (await createCourse(world.gql, learner.accessToken, { title: "My notes" })).id;
    await enroll(world.gql, learner.accessToken, courseId);
    await submit(world.gql, rival.accessToken, quiz1.id, everyTypeAnswers(quiz1, [true, true, true, true]));
    await submit(world.gql, rival.accessToken, quiz2.id, everyTypeAnswers(quiz2, [true, true, true, true]));

    clock.at("2026-03-02T10:00:00Z"); // Monday
    await complete(chapters[0]);
    clock.at("2026-03-03T23:59:30Z"); // Tuesday, just before midnight
    await submit(world.gql, learner.accessToken, quiz1.id, everyTypeAnswers(quiz1, [true, true, false, false]));
    clock.at("2026-03-04T00:00:30Z"); // Wednesday, just after
    await complete(chapters[1]);
    // Thursday: nothing.
    clock.at("2026-03-06T12:00:00Z"); // Friday
    await submit(world.gql, learner.accessToken, quiz2.id, everyTypeAnswers(quiz2, [true, true, true, true]));
    clock.at("2026-03-07T08:00:00Z"); // Saturday
    await submit(world.gql, learner.accessToken, quiz1.id, everyTypeAnswers(quiz1, [true, true, true, false]));
  });

  afterAll(async () => {
    clock.restore();
    await world.server.stop();
  });

  it("shows courses, quiz numbers, rank, recent activity and weak spots", async () => {
    clock.at("2026-03-08T09:00:00Z"); // Sunday, nothing yet today
    const board = await dashboard();
    expect(board.courses.map((entry) => entry.course.id)).toEqual([ownCourseId, courseId]);
    expect(board.courses.map((entry) => [entry.course.title, entry.owned, entry.enrolled, entry.progressPercent, entry.completedChapters, entry.totalChapters])).toEqual([
      ["My notes", true, false, null, 0, 0],
      ["Plants", false, true, 66, 2, 3],
    ]);
    // Every attempt counts in the average (50, 100, 75); points keep the best attempt per quiz (30 + 40).
    expect(board).toMatchObject({ chaptersCompleted: 2, quizzesTaken: 2, attempts: 3, averageScore: 75, totalPoints: 70, rank: 2 });
    expect(board.recentActivity.map((item) => [item.kind, item.title, item.percent, item.at.slice(0, 19)])).toEqual([
      ["QUIZ_ATTEMPTED", "Light quiz", 75, "2026-03-07T08:00:00"],
      ["QUIZ_ATTEMPTED", "Carbon quiz", 100, "2026-03-06T12:00:00"],
      ["CHAPTER_COMPLETED", "Carbon", null, "2026-03-04T00:00:30"],
      ["QUIZ_ATTEMPTED", "Light quiz", 50, "2026-03-03T23:59:30"],
      ["CHAPTER_COMPLETED", "Light", null, "2026-03-02T10:00:00"],
    ]);
    expect(board.recentActivity[0]).toMatchObject({ courseId, chapterId: chapters[0], quizId: quiz1.id });
    // Two attempts at the Light quiz: 2 + 1 of 8 answers wrong. The Carbon quiz was never missed.
    expect(board.weakSpots).toEqual([{ chapterId: chapters[0], title: "Light", courseId, answered: 8, missed: 3, missRate: 0.375 }]);
  });

  it("counts streaks in UTC days: Tuesday 23:59 and Wednesday 00:00 are two days", async () => {
    clock.at("2026-03-08T09:00:00Z");
    expect(await dashboard()).toMatchObject({ currentStreak: 2, longestStreak: 3 });
    await complete(chapters[2]);
    expect(await dashboard()).toMatchObject({ currentStreak: 3, longestStreak: 3, chaptersCompleted: 3 });
    clock.at("2026-03-10T00:00:01Z");
    expect(await dashboard()).toMatchObject({ currentStreak: 0, longestStreak: 3 });
  });

  it("starts empty for a new user", async () => {
    const newcomer = await world.user();
    const board = ok(await world.gql(DashboardDocument, {}, { token: newcomer.accessToken })).dashboard;
    expect(board).toMatchObject({
      courses: [],
      chaptersCompleted: 0,
      quizzesTaken: 0,
      attempts: 0,
      averageScore: 0,
      totalPoints: 0,
      rank: null,
      currentStreak: 0,
      longestStreak: 0,
      recentActivity: [],
      weakSpots: [],
    });
  });

  it("finds weak spots in course quizzes through the chapter each question cites", async () => {
    const reader = await world.user();
    const quiz = ok(await world.gql(GenerateQuizDocument, { input: { courseId, numQuestions: 3 } }, { token: reader.accessToken })).generateQuiz;
    const cited = new Set(quiz.questions.map((question) => question.citation!.sourceId));
    await submit(world.gql, reader.accessToken, quiz.id, []);
    const board = ok(await world.gql(DashboardDocument, {}, { token: reader.accessToken })).dashboard;
    expect(new Set(board.weakSpots.map((spot) => spot.chapterId))).toEqual(cited);
    expect(board.weakSpots.every((spot) => spot.missRate === 1 && chapters.includes(spot.chapterId))).toBe(true);
  });

  it("keeps only the weak spots whose course the learner may still read, at most five, weakest first", async () => {
    const author = await world.user("INSTRUCTOR");
    const reader = await world.user();
    const stars = (await createCourse(world.gql, author.accessToken, { title: "Stars" })).id;
    await publish(world.gql, author.accessToken, stars);
    // Wrong answers (of 4) per attempt, per chapter.
    const attempts: [string, number[]][] = [["Fusion", [4]], ["Nebulae", [3]], ["Pulsars", [2]], ["Quasars", [1, 1]], ["Novae", [1]], ["Comets", [0]]];
    for (const [title, wrongs] of attempts) {
      const input = { courseId: stars, title, content: CHAPTER_CONTENT, durationMinutes: 5 };
      const chapterId = ok(await world.gql(AddChapterDocument, { input }, { token: author.accessToken })).addChapter.id;
      const quiz = await createQuiz(world.gql, author.accessToken, { chapterId }, undefined, `${title} quiz`);
      for (const wrong of wrongs) await submit(world.gql, reader.accessToken, quiz.id, everyTypeAnswers(quiz, [0, 1, 2, 3].map((n) => n >= wrong)));
    }
    for (let i = 0; i < 2; i++) await submit(world.gql, reader.accessToken, quiz1.id, everyTypeAnswers(quiz1, [true, false, false, false]));
    const spots = async () => ok(await world.gql(DashboardDocument, {}, { token: reader.accessToken })).dashboard.weakSpots;

    const before = await spots();
    expect(before.map(({ title, missed, missRate }) => [title, missed, missRate])).toEqual([
      ["Fusion", 4, 1],
      ["Light", 6, 0.75],
      ["Nebulae", 3, 0.75],
      ["Pulsars", 2, 0.5],
      ["Quasars", 2, 0.25],
    ]);

    await publish(world.gql, author.accessToken, stars, false);
    expect(await spots()).toEqual([{ chapterId: chapters[0], title: "Light", courseId, answered: 8, missed: 6, missRate: 0.75 }]);
  });

  it("reads the learner's enrollments once, and the weak spots' chapters in one query", async () => {
    await dashboard(); // the session is known before counting
    const calls = await databaseCalls(dashboard, ["progress", "chapters", "courses"]);
    // The weak spots' courses; the enrollments, the courses and the weak spots' chapters go in one
    // `readTogether` command, which mongoose does not send (issue 30: 8 round trips down to 2).
    expect(calls).toEqual(["courses.find"]);
    // All but the weak spots' courses in one command (their chapters are read by the misses' chapter ids in it).
    const learnerReads = "1.aggregate(progress,quiz_history,learning_activity,learning_activity,quiz_history,courses,courses,chapters)";
    expect(await databaseCommands(dashboard)).toEqual([learnerReads, "courses.find"]);
    // A learner with no weak spots: that one command.
    const newcomer = await world.user();
    const first = () => world.gql(DashboardDocument, {}, { token: newcomer.accessToken });
    ok(await first());
    expect(await databaseCommands(first)).toEqual([learnerReads]);
  });
});
