import {
  AddChapterDocument,
  CompleteChapterDocument,
  CourseDocument,
  CourseGenerationJobDocument,
  CourseListPageDocument,
  CreateCourseDocument,
  DashboardDocument,
  EnrollDocument,
  MeDocument,
  StartCourseGenerationDocument,
  UpdateCourseDocument,
  UpdateProfileDocument,
} from "../generated/graphql";
import { databaseCalls } from "../helpers/database-calls";
import { createQuiz, everyTypeAnswers, submit } from "../quizzes/support";
import { addChapters, createCourse, ok, publish, startCourseWorld, type CourseWorld, type Session } from "../courses/support";

/**
 * RESPONSE_CACHE on (src/server/response-cache/): a repeated read is answered without the
 * database, and every write is seen by the next read, whoever made it and however (mutations,
 * event handlers, background jobs). test/server/response-cache-instances.test.ts does the same
 * across two instances.
 */
const METRICS_TOKEN = "response-cache-metrics";
let world: CourseWorld;
let owner: Session;
let learner: Session;
const TAG = "response-cache";

beforeAll(async () => {
  world = await startCourseWorld({ RESPONSE_CACHE: "true", METRICS_TOKEN });
  owner = await world.user("INSTRUCTOR");
  learner = await world.user();
});

afterAll(() => world.server.stop());

const catalog = (session?: Session) => world.gql(CourseListPageDocument, { filter: { owner: "PUBLIC", tags: [TAG] }, limit: 50 }, { token: session?.accessToken });
const mine = (session: Session) => world.gql(CourseListPageDocument, { filter: { owner: "MINE" }, limit: 50 }, { token: session.accessToken });

async function cacheCount(outcome: string): Promise<number> {
  const response = await fetch(`${world.server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const line = (await response.text()).split("\n").find((row) => row.startsWith(`graphql_response_cache_total{outcome="${outcome}"}`));
  return Number(line?.split(" ").pop() ?? 0);
}

/** The second of two identical reads, which must cost no database call. */
async function servedFromCache<T extends { status: number; data?: unknown }>(read: () => Promise<T>): Promise<T> {
  const first = await read();
  const hits = await cacheCount("hit");
  let second: T | undefined;
  expect(await databaseCalls(async () => (second = await read()))).toEqual([]);
  expect(await cacheCount("hit")).toBe(hits + 1);
  expect([second!.status, second!.data]).toEqual([first.status, first.data]);
  return second!;
}

it("answers a repeated read from the cache: no database call, the same bytes", async () => {
  const course = await createCourse(world.gql, owner.accessToken, { title: "Cached", tags: [TAG] });
  await addChapters(world.gql, owner.accessToken, course.id, 2, 5);
  await publish(world.gql, owner.accessToken, course.id);
  const shown = ok(await servedFromCache(() => catalog(learner))).courses.items;
  expect(shown.map((item) => item.title)).toEqual(["Cached"]);

  const body = () =>
    fetch(world.server.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${learner.accessToken}` },
      body: JSON.stringify({ query: "query { me { id name } }" }),
    }).then(async (response) => [response.status, response.headers.get("content-type"), await response.text()]);
  const first = await body();
  expect(await body()).toEqual(first);
});

it("shows every write at the next read: chapters, titles, new courses, progress, the viewer's name", async () => {
  const course = await createCourse(world.gql, owner.accessToken, { title: "Before", tags: [TAG] });
  await publish(world.gql, owner.accessToken, course.id);
  ok(await world.gql(EnrollDocument, { courseId: course.id }, { token: learner.accessToken }));
  const find = async () => ok(await catalog(learner)).courses.items.find((item) => item.id === course.id)!;
  await servedFromCache(() => catalog(learner));

  const chapterId = ok(
    await world.gql(AddChapterDocument, { input: { courseId: course.id, title: "New chapter", content: "# New", durationMinutes: 9 } }, { token: owner.accessToken }),
  ).addChapter.id;
  expect((await find()).chapters.map((chapter) => chapter.title)).toEqual(["New chapter"]);
  await servedFromCache(() => catalog(learner));

  ok(await world.gql(UpdateCourseDocument, { id: course.id, input: { title: "After" } }, { token: owner.accessToken }));
  expect((await find()).title).toBe("After");

  ok(await world.gql(CompleteChapterDocument, { chapterId }, { token: learner.accessToken }));
  expect((await find()).myProgress).toEqual({ percent: 100, completedChapters: 1 });
  const dashboard = async () => ok(await world.gql(DashboardDocument, {}, { token: learner.accessToken })).dashboard;
  const before = ok(await servedFromCache(() => world.gql(DashboardDocument, {}, { token: learner.accessToken }))).dashboard;

  // A list is cleared by the collection it read: a new course is there at once.
  const added = await createCourse(world.gql, owner.accessToken, { title: "Brand new", tags: [TAG] });
  await publish(world.gql, owner.accessToken, added.id);
  expect(ok(await catalog(learner)).courses.items.map((item) => item.title)).toContain("Brand new");
  ok(await world.gql(EnrollDocument, { courseId: added.id }, { token: learner.accessToken }));
  expect((await dashboard()).courses.length).toBe(before.courses.length + 1);

  await servedFromCache(() => world.gql(MeDocument, {}, { token: learner.accessToken }));
  ok(await world.gql(UpdateProfileDocument, { input: { name: "Learner Renamed" } }, { token: learner.accessToken }));
  expect(ok(await world.gql(MeDocument, {}, { token: learner.accessToken })).me.name).toBe("Learner Renamed");
});

it("shows what a background job wrote: a generated course appears in my courses", async () => {
  const student = await world.user();
  await servedFromCache(() => mine(student));
  const job = ok(
    await world.gql(StartCourseGenerationDocument, { input: { topic: "Tides and the moon", level: "BEGINNER", numChapters: 3 } }, { token: student.accessToken }),
  ).startCourseGeneration;
  let stage = job.stage;
  for (let tries = 0; stage !== "DONE" && tries < 200; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    stage = ok(await world.gql(CourseGenerationJobDocument, { jobId: job.id }, { token: student.accessToken })).courseGenerationJob!.stage;
  }
  expect(stage).toBe("DONE");
  const items = ok(await mine(student)).courses.items;
  expect(items).toHaveLength(1);
  expect([items[0].chapterCount, items[0].myProgress?.percent]).toEqual([3, 0]);
});

it("never serves one viewer's answer to another", async () => {
  const course = await createCourse(world.gql, owner.accessToken, { title: "Private to its owner" });
  const read = (session?: Session) => world.gql(CourseDocument, { id: course.id }, { token: session?.accessToken });
  expect(ok(await servedFromCache(() => read(owner))).course?.title).toBe("Private to its owner");
  expect(ok(await read(learner)).course).toBeNull();
  expect(ok(await read()).course).toBeNull();
  // And a viewer's own list is theirs: the owner's cached MINE list is not the learner's.
  const ownersList = ok(await servedFromCache(() => mine(owner))).courses.items.map((item) => item.id);
  expect(ownersList).toContain(course.id);
  expect(ok(await mine(learner)).courses.items.map((item) => item.id)).not.toContain(course.id);

  // Published, then taken back: each viewer sees it change at once.
  await publish(world.gql, owner.accessToken, course.id);
  expect(ok(await read(learner)).course?.title).toBe("Private to its owner");
  await servedFromCache(() => read(learner));
  await publish(world.gql, owner.accessToken, course.id, false);
  expect(ok(await read(learner)).course).toBeNull();
});

it("keeps nothing for mutations or failed reads", async () => {
  const stored = await cacheCount("stored");
  const create = () => world.gql(CreateCourseDocument, { input: { title: "Twice", level: "BEGINNER" } }, { token: owner.accessToken });
  expect(ok(await create()).createCourse.id).not.toBe(ok(await create()).createCourse.id);
  expect((await world.gql(MeDocument, {})).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  expect((await world.gql(MeDocument, {})).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  expect(await cacheCount("stored")).toBe(stored);
});

it("keeps answers through a write that changes nothing: a learner already marked as studying", async () => {
  const student = await world.user();
  const course = await createCourse(world.gql, owner.accessToken, { title: "Mistakes", tags: [TAG] });
  const [chapterId] = await addChapters(world.gql, owner.accessToken, course.id, 1, 5);
  await publish(world.gql, owner.accessToken, course.id);
  const quiz = await createQuiz(world.gql, owner.accessToken, { chapterId });
  const me = () =>
    fetch(world.server.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${student.accessToken}` },
      body: JSON.stringify({ query: "query { me { id name } }" }),
    }).then((response) => response.text());
  // A wrong answer goes to the Mistakes deck and marks the learner as studying: their user document changes.
  await submit(world.gql, student.accessToken, quiz.id, everyTypeAnswers(quiz, [false, true, true, true]));
  const first = await me();
  expect(await me()).toBe(first);
  // Marked again on the next mistake: the update matches nothing (already marked) and drops nothing.
  await submit(world.gql, student.accessToken, quiz.id, everyTypeAnswers(quiz, [false, true, true, true]));
  const hits = await cacheCount("hit");
  let again: string | undefined;
  expect(await databaseCalls(async () => (again = await me()))).toEqual([]);
  expect([again, await cacheCount("hit")]).toEqual([first, hits + 1]);
});
