import { AddChapterDocument, CompleteChapterDocument, DashboardDocument, DashboardDueTodayDocument, ReviewCardDocument, ReviewQueueDocument } from "../generated/graphql";
import { createCourse, createQuiz, enroll, everyTypeAnswers, ok, publish, startCourseWorld, submit, type CourseWorld, type CreatedQuiz, type Session } from "../quizzes/support";

/**
 * With RESPONSE_CACHE on, the dashboard (read in `readTogether` commands, which mongoose does not
 * send) is cached, and the learner's own writes show on it at once: completing a chapter,
 * submitting an attempt, and the study writes sent past mongoose in one `bulkWrite` command
 * (`writeTogether`): the attempt's mistakes coming due, a review.
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

it("shows reviews and the mistakes an attempt brings back on the next dashboard, though it was cached", async () => {
  const dueToday = async () => ok(await world.gql(DashboardDueTodayDocument, {}, { token: learner.accessToken })).dashboard.dueToday;
  // The first test's attempt missed three questions: three mistake cards, due at once.
  expect(await dueToday()).toBe(3);
  const hits = await cacheHits();
  expect(await dueToday()).toBe(3);
  expect(await cacheHits()).toBe(hits + 1);

  const queue = ok(await world.gql(ReviewQueueDocument, { limit: 10 }, { token: learner.accessToken })).reviewQueue;
  expect(queue.items).toHaveLength(3);
  ok(await world.gql(ReviewCardDocument, { cardId: queue.items[0].card.id, rating: "EASY" }, { token: learner.accessToken }));
  expect(await dueToday()).toBe(2);
  for (const item of queue.items.slice(1)) ok(await world.gql(ReviewCardDocument, { cardId: item.card.id, rating: "EASY" }, { token: learner.accessToken }));
  expect(await dueToday()).toBe(0);
  expect(await dueToday()).toBe(0);

  // Misses two of the three questions again: their cards are due again.
  await submit(world.gql, learner.accessToken, quiz.id, everyTypeAnswers(quiz, [true, false, false, true]));
  expect(await dueToday()).toBe(2);
});
