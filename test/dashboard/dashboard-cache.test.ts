import { AddChapterDocument, DashboardDocument, LeaderboardDocument } from "../generated/graphql";
import { databaseCalls } from "../helpers/database-calls";
import {
  createCourse,
  createQuiz,
  everyTypeAnswers,
  ok,
  publish,
  startCourseWorld,
  submit,
  type CourseWorld,
  type CreatedQuiz,
  type Session,
} from "../quizzes/support";

/**
 * With RESPONSE_CACHE on, a dashboard shows the learner's rank, which depends on everyone's
 * scores: another learner's attempt drops it only when it moves the learner's place (rank or
 * points), not on every attempt. The leaderboard itself (every place) goes with any attempt.
 */
const METRICS_TOKEN = "dashboard-cache-metrics";
let world: CourseWorld;
let learner: Session;
let rival: Session;
let climber: Session;
let quizzes: CreatedQuiz[];

const dashboard = (session: Session) => world.gql(DashboardDocument, {}, { token: session.accessToken });
const right = (quiz: CreatedQuiz) => everyTypeAnswers(quiz, [true, true, true, true]);
const wrong = (quiz: CreatedQuiz) => everyTypeAnswers(quiz, [false, false, false, false]);

async function cacheCount(outcome: string): Promise<number> {
  const response = await fetch(`${world.server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const line = (await response.text()).split("\n").find((row) => row.startsWith(`graphql_response_cache_total{outcome="${outcome}"}`));
  return Number(line?.split(" ").pop() ?? 0);
}

/** Whether this read was answered from the cache: no database call, one more hit. */
async function fromCache<T>(read: () => Promise<T>): Promise<{ answer: T; cached: boolean }> {
  const hits = await cacheCount("hit");
  let answer: T | undefined;
  const calls = await databaseCalls(async () => (answer = await read()));
  const cached = (await cacheCount("hit")) === hits + 1;
  if (cached) expect(calls).toEqual([]);
  return { answer: answer!, cached };
}

beforeAll(async () => {
  world = await startCourseWorld({ RESPONSE_CACHE: "true", METRICS_TOKEN });
  const instructor = await world.user("INSTRUCTOR");
  [learner, rival, climber] = [await world.user(), await world.user(), await world.user()];
  const course = await createCourse(world.gql, instructor.accessToken, { title: "Ranks" });
  const chapterId = ok(
    await world.gql(AddChapterDocument, { input: { courseId: course.id, title: "Light", content: "# Light\n\nPlants use light.", durationMinutes: 5 } }, { token: instructor.accessToken }),
  ).addChapter.id;
  await publish(world.gql, instructor.accessToken, course.id);
  quizzes = [
    await createQuiz(world.gql, instructor.accessToken, { chapterId }, undefined, "First"),
    await createQuiz(world.gql, instructor.accessToken, { chapterId }, undefined, "Second"),
  ];
  await submit(world.gql, learner.accessToken, quizzes[0].id, right(quizzes[0]));
  await submit(world.gql, rival.accessToken, quizzes[0].id, everyTypeAnswers(quizzes[0], [true, false, false, false]));
});

afterAll(() => world.server.stop());

it("keeps a learner's dashboard through attempts that move no one's place, and drops it when one moves theirs", async () => {
  const first = ok(await dashboard(learner)).dashboard;
  expect([first.rank, first.totalPoints > 0]).toEqual([1, true]);
  expect((await fromCache(() => dashboard(learner))).cached).toBe(true);
  const board = () => world.gql(LeaderboardDocument, { period: "ALL_TIME" }, { token: learner.accessToken });
  const boardBefore = ok(await board()).leaderboard;
  expect((await fromCache(board)).cached).toBe(true);

  // A retake earns nothing (only a first attempt counts): the rival's place stays, and so does everyone's.
  await submit(world.gql, rival.accessToken, quizzes[0].id, right(quizzes[0]));
  const kept = await fromCache(() => dashboard(learner));
  expect(kept.cached).toBe(true);
  expect(ok(kept.answer).dashboard).toEqual(first);
  // The rival's own dashboard shows the retake at once.
  expect(ok(await dashboard(rival)).dashboard.attempts).toBe(2);
  // The leaderboard lists every user's attempts: it goes with any attempt.
  const boardAfter = await fromCache(board);
  expect(boardAfter.cached).toBe(false);
  expect(ok(boardAfter.answer).leaderboard.entries.find((entry) => entry.user?.id === rival.user.id)?.attempts).toBe(
    boardBefore.entries.find((entry) => entry.user?.id === rival.user.id)!.attempts + 1,
  );

  // A third learner scores on both quizzes and passes the learner: the learner's rank changes at once.
  await submit(world.gql, climber.accessToken, quizzes[0].id, right(quizzes[0]));
  const tied = ok(await dashboard(learner)).dashboard;
  expect([tied.rank, tied.totalPoints]).toEqual([1, first.totalPoints]);
  await submit(world.gql, climber.accessToken, quizzes[1].id, right(quizzes[1]));
  const passed = await fromCache(() => dashboard(learner));
  expect(passed.cached).toBe(false);
  expect([ok(passed.answer).dashboard.rank, ok(passed.answer).dashboard.totalPoints]).toEqual([2, first.totalPoints]);

  // The learner's own attempt that earns nothing still changes their own totals.
  await submit(world.gql, learner.accessToken, quizzes[1].id, wrong(quizzes[1]));
  const own = ok(await dashboard(learner)).dashboard;
  expect([own.attempts, own.quizzesTaken, own.rank]).toEqual([2, 2, 2]);
});
