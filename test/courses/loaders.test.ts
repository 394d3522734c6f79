import { CourseListHasMoreDocument, CourseListSizeDocument, CoursesWithEverythingDocument, EnrollDocument } from "../generated/graphql";
import { databaseCalls, databaseCommands } from "../helpers/database-calls";
import { addChapters, createCourse, ok, publish, startCourseWorld, type CourseWorld, type Session } from "./support";

let world: CourseWorld;
let learner: Session;
let anOwner: Session;
const TAG = "loaders";

beforeAll(async () => {
  world = await startCourseWorld({ DB_COMMAND_MONITORING: "true" });
  learner = await world.user();
  // 21 public courses from 10 owners, 2 chapters each; the learner is enrolled in every other one.
  // One more than the largest page below, so every page is counted (a list that ends on its page
  // is not: see the last test).
  const owners = await Promise.all(Array.from({ length: 10 }, () => world.user("INSTRUCTOR")));
  anOwner = owners[0];
  for (let i = 0; i < 21; i++) {
    const owner = owners[i % owners.length];
    const course = await createCourse(world.gql, owner.accessToken, { title: `Loader course ${i}`, tags: [TAG] });
    await addChapters(world.gql, owner.accessToken, course.id, 2, 5);
    await publish(world.gql, owner.accessToken, course.id);
    if (i % 2 === 0) ok(await world.gql(EnrollDocument, { courseId: course.id }, { token: learner.accessToken }));
  }
});

afterAll(() => world.server.stop());

describe("a page of courses with owners, chapters, counts and progress", () => {
  const page = (limit: number) =>
    world.gql(CoursesWithEverythingDocument, { filter: { owner: "PUBLIC", tags: [TAG] }, limit }, { token: learner.accessToken });

  it("costs the same few database round trips for 20 courses as for 2", async () => {
    let twenty: Awaited<ReturnType<typeof page>> | undefined;
    const callsForTwenty = await databaseCalls(async () => (twenty = await page(20)));
    const callsForTwo = await databaseCalls(() => page(2));

    const courses = ok(twenty!).courses.items;
    expect(courses).toHaveLength(20);
    expect(new Set(courses.map((course) => course.owner?.id)).size).toBe(10);
    expect(courses.every((course) => course.chapters.length === 2 && course.chapterCount === 2 && course.totalDurationMinutes === 10)).toBe(true);
    expect(courses.filter((course) => course.myProgress !== null)).toHaveLength(10);
    expect(courses.filter((course) => course.enrollmentCount === 1)).toHaveLength(10);

    // The page and its total, then one batch per loader: enrollment counts and the learner's
    // progress. Owners and chapters are carried by the courses (issue 30: they were two more
    // batches). Without loaders this would be 2 + 4 x 20. The signed-in user and
    // their session were read by the learner's earlier requests and are cached
    // (auth/session-cache.ts; test/accounts/session-cache.test.ts shows ends still take effect).
    expect(callsForTwenty).toEqual(["courses.countDocuments", "courses.find", "progress.aggregate", "progress.find"]);
    expect(callsForTwo).toEqual(callsForTwenty);
  });
});

describe("my courses with my progress", () => {
  const mine = (session: Session) => world.gql(CoursesWithEverythingDocument, { filter: { owner: "MINE" }, limit: 20 }, { token: session.accessToken });

  it("reads the enrollments once, for the listing and for `myProgress`", async () => {
    let enrolled: Awaited<ReturnType<typeof mine>> | undefined;
    const learnerCalls = await databaseCommands(async () => (enrolled = await mine(learner)));
    const learnerItems = ok(enrolled!).courses.items;
    expect(learnerItems).toHaveLength(11);
    expect(learnerItems.every((course) => course.myProgress?.percent === 0)).toBe(true);
    // The enrollments with the courses in one command (issue 30), then the enrollment counts.
    expect(learnerCalls).toEqual(["1.aggregate(progress,courses,courses)", "progress.aggregate"]);

    // Owned, not enrolled: no progress, and nothing read again to learn that.
    let owned: Awaited<ReturnType<typeof mine>> | undefined;
    const ownerCalls = await databaseCommands(async () => (owned = await mine(anOwner)));
    const ownedItems = ok(owned!).courses.items;
    expect(ownedItems).toHaveLength(3);
    expect(ownedItems.every((course) => course.myProgress === null)).toBe(true);
    expect(ownerCalls).toEqual(["1.aggregate(progress,courses,courses)", "progress.aggregate"]);
  });
});

describe("the size of a list", () => {
  const window = (limit: number, skip = 0) => ({ filter: { owner: "PUBLIC" as const, tags: [TAG] }, limit, skip });
  /** The page, and whether the list was counted for it. */
  async function sized(limit: number, skip = 0) {
    const run = () => world.gql(CourseListSizeDocument, window(limit, skip), { token: learner.accessToken });
    let result: Awaited<ReturnType<typeof run>> | undefined;
    const calls = await databaseCalls(async () => (result = await run()));
    const { total, hasMore, items } = ok(result!).courses;
    return { total, hasMore, items: items.length, counted: calls.includes("courses.countDocuments") };
  }

  it("is counted only when `total` is read and the list goes on past the page", async () => {
    expect(await sized(5)).toEqual({ total: 21, hasMore: true, items: 5, counted: true });
    expect(await sized(5, 18)).toEqual({ total: 21, hasMore: false, items: 3, counted: false });
    expect(await sized(5, 16)).toEqual({ total: 21, hasMore: false, items: 5, counted: false });
    expect(await sized(5, 40)).toEqual({ total: 21, hasMore: false, items: 0, counted: true });
    expect(await sized(50)).toEqual({ total: 21, hasMore: false, items: 21, counted: false });
  });

  it("`hasMore` alone is never counted", async () => {
    for (const [limit, skip, hasMore] of [[5, 0, true], [5, 16, false], [5, 15, true]] as const) {
      const run = () => world.gql(CourseListHasMoreDocument, window(limit, skip), { token: learner.accessToken });
      let result: Awaited<ReturnType<typeof run>> | undefined;
      const calls = await databaseCalls(async () => (result = await run()));
      expect(ok(result!).courses.hasMore).toBe(hasMore);
      expect(calls).not.toContain("courses.countDocuments");
    }
  });
});
