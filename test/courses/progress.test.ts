import {
  CompleteChapterDocument,
  DeleteChapterDocument,
  EnrollDocument,
  MyProgressDocument,
  UncompleteChapterDocument,
  UnenrollDocument,
} from "../generated/graphql";
import { databaseCalls } from "../helpers/database-calls";
import { addChapters, createCourse, errorCode, ok, publish, startCourseWorld, type CourseWorld, type Session } from "./support";

let world: CourseWorld;
let author: Session;
let learner: Session;

beforeAll(async () => {
  world = await startCourseWorld();
  [author, learner] = await Promise.all([world.user("INSTRUCTOR"), world.user()]);
});

afterAll(() => world.server.stop());

async function publishedCourse(chapters: number): Promise<{ id: string; chapters: string[] }> {
  const course = await createCourse(world.gql, author.accessToken);
  const ids = await addChapters(world.gql, author.accessToken, course.id, chapters);
  await publish(world.gql, author.accessToken, course.id);
  return { id: course.id, chapters: ids };
}

describe("progress", () => {
  it("counts completed chapters as a percentage, idempotently, and follows uncompleting", async () => {
    const course = await publishedCourse(3);
    const token = learner.accessToken;
    expect(ok(await world.gql(MyProgressDocument, { id: course.id }, { token })).course?.myProgress).toBeNull();

    const enrolled = ok(await world.gql(EnrollDocument, { courseId: course.id }, { token })).enroll;
    expect(enrolled).toMatchObject({ enrollmentCount: 1, myProgress: { completedChapters: 0, totalChapters: 3, percent: 0, completedChapterIds: [] } });
    ok(await world.gql(EnrollDocument, { courseId: course.id }, { token }));

    let after = ok(await world.gql(CompleteChapterDocument, { chapterId: course.chapters[0] }, { token })).completeChapter;
    expect(after.myProgress).toMatchObject({ completedChapters: 1, totalChapters: 3, percent: 33 });
    after = ok(await world.gql(CompleteChapterDocument, { chapterId: course.chapters[0] }, { token })).completeChapter;
    expect(after.myProgress?.completedChapters).toBe(1);
    after = ok(await world.gql(CompleteChapterDocument, { chapterId: course.chapters[2] }, { token })).completeChapter;
    expect(after.myProgress).toMatchObject({ completedChapters: 2, percent: 66, completedChapterIds: [course.chapters[0], course.chapters[2]] });
    after = ok(await world.gql(CompleteChapterDocument, { chapterId: course.chapters[1] }, { token })).completeChapter;
    expect(after.myProgress).toMatchObject({ completedChapters: 3, percent: 100 });
    expect(Date.parse(after.myProgress!.lastActivityAt)).toBeGreaterThanOrEqual(Date.parse(after.myProgress!.enrolledAt));

    after = ok(await world.gql(UncompleteChapterDocument, { chapterId: course.chapters[1] }, { token })).uncompleteChapter;
    expect(after.myProgress).toMatchObject({ completedChapters: 2, percent: 66 });
    // The enrollment count did not grow with the repeated enroll.
    expect(after.enrollmentCount).toBe(1);
  });

  it("enrolls once when the same user enrolls many times at once", async () => {
    const course = await publishedCourse(1);
    const learner2 = await world.user();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => world.gql(EnrollDocument, { courseId: course.id }, { token: learner2.accessToken })),
    );
    for (const result of results) expect(result.errors).toBeUndefined();
    expect(ok(await world.gql(MyProgressDocument, { id: course.id }, { token: learner2.accessToken })).course?.enrollmentCount).toBe(1);
  });

  it("is per user: another learner starts at zero", async () => {
    const course = await publishedCourse(2);
    ok(await world.gql(EnrollDocument, { courseId: course.id }, { token: learner.accessToken }));
    ok(await world.gql(CompleteChapterDocument, { chapterId: course.chapters[0] }, { token: learner.accessToken }));
    const second = await world.user();
    const enrolled = ok(await world.gql(EnrollDocument, { courseId: course.id }, { token: second.accessToken })).enroll;
    expect(enrolled).toMatchObject({ enrollmentCount: 2, myProgress: { completedChapters: 0, percent: 0 } });
  });

  it("counts only chapters that still exist", async () => {
    const course = await publishedCourse(4);
    const token = learner.accessToken;
    ok(await world.gql(EnrollDocument, { courseId: course.id }, { token }));
    for (const chapterId of course.chapters.slice(0, 2)) ok(await world.gql(CompleteChapterDocument, { chapterId }, { token }));
    ok(await world.gql(DeleteChapterDocument, { id: course.chapters[0] }, { token: author.accessToken }));
    const progress = ok(await world.gql(MyProgressDocument, { id: course.id }, { token })).course?.myProgress;
    expect(progress).toMatchObject({ completedChapters: 1, totalChapters: 3, percent: 33, completedChapterIds: [course.chapters[1]] });
  });

  it("needs an enrollment to complete a chapter, and forgets everything on unenroll", async () => {
    const course = await publishedCourse(2);
    const token = learner.accessToken;
    expect(errorCode(await world.gql(CompleteChapterDocument, { chapterId: course.chapters[0] }, { token }))).toBe("FORBIDDEN");
    expect(errorCode(await world.gql(CompleteChapterDocument, { chapterId: course.chapters[0] }))).toBe("UNAUTHENTICATED");
    expect(errorCode(await world.gql(EnrollDocument, { courseId: course.id }))).toBe("UNAUTHENTICATED");

    ok(await world.gql(EnrollDocument, { courseId: course.id }, { token }));
    ok(await world.gql(CompleteChapterDocument, { chapterId: course.chapters[0] }, { token }));
    expect(ok(await world.gql(UnenrollDocument, { courseId: course.id }, { token })).unenroll).toBe(true);
    expect(ok(await world.gql(UnenrollDocument, { courseId: course.id }, { token })).unenroll).toBe(false);
    const read = ok(await world.gql(MyProgressDocument, { id: course.id }, { token })).course;
    expect(read).toMatchObject({ enrollmentCount: 0, myProgress: null });
    const again = ok(await world.gql(EnrollDocument, { courseId: course.id }, { token })).enroll;
    expect(again.myProgress).toMatchObject({ completedChapters: 0 });
  });

  it("is null for visitors", async () => {
    const course = await publishedCourse(1);
    expect(ok(await world.gql(MyProgressDocument, { id: course.id })).course).toMatchObject({ myProgress: null });
  });

  it("two completions in one operation each answer the progress their own write left", async () => {
    const course = await publishedCourse(4);
    const token = learner.accessToken;
    ok(await world.gql(EnrollDocument, { courseId: course.id }, { token }));
    const both = `mutation Both($a: ID!, $b: ID!) {
      a: completeChapter(chapterId: $a) { myProgress { completedChapters } }
      b: completeChapter(chapterId: $b) { myProgress { completedChapters } }
    }`;
    const response = await fetch(world.server.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: both, variables: { a: course.chapters[0], b: course.chapters[1] } }),
    });
    expect(await response.json()).toEqual({ data: { a: { myProgress: { completedChapters: 1 } }, b: { myProgress: { completedChapters: 2 } } } });
  });

  it("completing or uncompleting a chapter reads the chapter and its course once each", async () => {
    const course = await publishedCourse(2);
    const token = learner.accessToken;
    ok(await world.gql(EnrollDocument, { courseId: course.id }, { token }));
    const reads = async (work: () => Promise<unknown>) => (await databaseCalls(work, ["chapters", "courses"])).filter((call) => /\.(find|findOne|aggregate)$/.test(call));
    let done: { completedChapters: number } | null | undefined;
    expect(await reads(async () => (done = ok(await world.gql(CompleteChapterDocument, { chapterId: course.chapters[1] }, { token })).completeChapter.myProgress))).toEqual(["chapters.findOne", "courses.find"]);
    expect(done?.completedChapters).toBe(1);
    expect(await reads(async () => (done = ok(await world.gql(UncompleteChapterDocument, { chapterId: course.chapters[1] }, { token })).uncompleteChapter.myProgress))).toEqual(["chapters.findOne", "courses.find"]);
    expect(done?.completedChapters).toBe(0);
  });
});
