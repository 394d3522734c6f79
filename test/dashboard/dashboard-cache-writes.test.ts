import { AddChapterDocument, CompleteChapterDocument, DashboardDocument } from "../generated/graphql";
import { createCourse, createQuiz, enroll, everyTypeAnswers, ok, publish, startCourseWorld, submit, type CourseWorld, type CreatedQuiz, type Session } from "../quizzes/support";

/**
 * With RESPONSE_CACHE on, the dashboard (read in `readTogether` commands, which mongoose does not
 * send) is cached, and the learner's own writes show on it at once: completing a chapter,
 * submitting an attempt.
 */
const METRICS_TOKEN = "dashboard-cache-writes-metrics";
let world: CourseWorld;
let learner: Session;
let chapterId: string;
let quiz: CreatedQuiz;

const dashboard = async () => ok(await world.gql(DashboardDocument, {}, { token: learner.accessToken })).dashboard;

async function cacheHits(): Promise<number> {
  const response = await fetch(`${world.server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const line = (await response.text()).split("\n").find((row) => row.startsWith('graphql_response_cache_total{outcome="hit"}'));
  return Number(line?.split(" ").pop() ?? 0);
}

beforeAll(async () => {
  world = await startCourseWorld({ RESPONSE_CACHE: "true", METRICS_TOKEN });
  const instructor = await world.user("INSTRUCTOR");
  learner = await world.user();
  const course = await createCourse(world.gql, instructor.accessToken, { title: "Tides" });
  const input = { courseId: course.id, title: "Moon", content: "# Moon\n\nThe moon pulls the sea.", durationMinutes: 5 };
  chapterId = ok(await world.gql(AddChapterDocument, { input }, { token: instructor.accessToken })).addChapter.id;
  await publish(world.gql, instructor.accessToken, course.id);
  quiz = await createQuiz(world.gql, instructor.accessToken, { chapterId }, undefined, "Moon quiz");
  await enroll(world.gql, learner.accessToken, course.id);
});

afterAll(() => world.server.stop());

it("shows a completed chapter and a submitted attempt on the next dashboard, though it was cached", async () => {
  const first = await dashboard();
  const hits = await cacheHits();
  expect(await dashboard()).toEqual(first);
  expect(await cacheHits()).toBe(hits + 1);
  expect([first.chaptersCompleted, first.courses[0].completedChapters, first.recentActivity]).toEqual([0, 0, []]);

  ok(await world.gql(CompleteChapterDocument, { chapterId }, { token: learner.accessToken }));
  const completed = await dashboard();
  expect([completed.chaptersCompleted, completed.courses[0].progressPercent]).toEqual([1, 100]);
  expect(completed.recentActivity.map((item) => [item.kind, item.title])).toEqual([["CHAPTER_COMPLETED", "Moon"]]);
  expect(completed.currentStreak).toBe(1);

  await submit(world.gql, learner.accessToken, quiz.id, everyTypeAnswers(quiz, [true, false, false, false]));
  const attempted = await dashboard();
  expect([attempted.quizzesTaken, attempted.attempts, attempted.averageScore]).toEqual([1, 1, 25]);
  expect(attempted.recentActivity.map((item) => [item.kind, item.title])).toEqual([
    ["QUIZ_ATTEMPTED", "Moon quiz"],
    ["CHAPTER_COMPLETED", "Moon"],
  ]);
  expect(attempted.weakSpots.map((spot) => [spot.title, spot.missed, spot.answered])).toEqual([["Moon", 3, 4]]);
});
