import { AddChapterDocument, CourseDocument, DeleteChapterDocument, ReorderChaptersDocument } from "../generated/graphql";
import { addChapters, createCourse, errorCode, failedFields, ok, startCourseWorld, type CourseWorld, type Session } from "./support";

let world: CourseWorld;
let author: Session;

beforeAll(async () => {
  world = await startCourseWorld();
  author = await world.user("INSTRUCTOR");
});

afterAll(() => world.server.stop());

async function chapterOrder(courseId: string): Promise<{ id: string; order: number }[]> {
  const course = ok(await world.gql(CourseDocument, { id: courseId }, { token: author.accessToken })).course!;
  return course.chapters.map(({ id, order }) => ({ id, order }));
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

describe("reorderChapters", () => {
  it("puts the chapters in the given order, numbered 1..n", async () => {
    const course = await createCourse(world.gql, author.accessToken);
    const ids = await addChapters(world.gql, author.accessToken, course.id, 4);
    const wanted = [ids[2], ids[0], ids[3], ids[1]];
    const reordered = ok(await world.gql(ReorderChaptersDocument, { courseId: course.id, chapterIds: wanted }, { token: author.accessToken }));
    expect(reordered.reorderChapters).toEqual(wanted.map((id, i) => ({ id, order: i + 1 })));
    expect(await chapterOrder(course.id)).toEqual(wanted.map((id, i) => ({ id, order: i + 1 })));
  });

  it.each([
    ["a chapter missing", (ids: string[]) => ids.slice(1)],
    ["a chapter twice", (ids: string[]) => [ids[0], ...ids.slice(0, -1)]],
    ["a chapter of another course", (ids: string[], foreign: string) => [...ids.slice(1), foreign]],
  ])("refuses a list with %s, naming chapterIds, and changes nothing", async (_case, list) => {
    const course = await createCourse(world.gql, author.accessToken);
    const ids = await addChapters(world.gql, author.accessToken, course.id, 3);
    const other = await createCourse(world.gql, author.accessToken);
    const [foreign] = await addChapters(world.gql, author.accessToken, other.id, 1);
    const response = await world.gql(ReorderChaptersDocument, { courseId: course.id, chapterIds: list(ids, foreign) }, { token: author.accessToken });
    expect(errorCode(response)).toBe("BAD_USER_INPUT");
    expect(failedFields(response)).toEqual(["chapterIds"]);
    expect(await chapterOrder(course.id)).toEqual(ids.map((id, i) => ({ id, order: i + 1 })));
  });

  it("keeps orders 1..n with no gaps or duplicates under concurrent reorders, adds and deletes", async () => {
    const course = await createCourse(world.gql, author.accessToken);
    const ids = await addChapters(world.gql, author.accessToken, course.id, 8);
    const token = author.accessToken;
    const doomed = ids.slice(0, 2);
    const survivors = ids.slice(2);

    // Reorders name the chapters that survive: a reorder that runs before a delete is refused
    // (BAD_USER_INPUT) as it no longer lists every chapter, one that runs after succeeds.
    const reorders = Array.from({ length: 12 }, () =>
      world.gql(ReorderChaptersDocument, { courseId: course.id, chapterIds: shuffled(survivors) }, { token }),
    );
    const deletes = doomed.map((id) => world.gql(DeleteChapterDocument, { id }, { token }));
    const adds = Array.from({ length: 3 }, (_, i) =>
      world.gql(AddChapterDocument, { input: { courseId: course.id, title: `Added ${i}` } }, { token }),
    );
    const results = await Promise.all([...reorders, ...deletes, ...adds]);
    for (const result of results) {
      expect([undefined, "BAD_USER_INPUT"]).toContain(errorCode(result));
    }
    for (const result of [...deletes, ...adds].map((_, i) => results[reorders.length + i])) {
      expect(result.errors).toBeUndefined();
    }

    const final = await chapterOrder(course.id);
    expect(final.map((chapter) => chapter.order)).toEqual(Array.from({ length: 9 }, (_, i) => i + 1));
    expect(new Set(final.map((chapter) => chapter.id)).size).toBe(9);
    expect(final.map((chapter) => chapter.id)).toEqual(expect.arrayContaining(survivors));
    for (const id of doomed) expect(final.map((chapter) => chapter.id)).not.toContain(id);
  });

  it("lets the last of many concurrent reorders of the same chapters win whole, never a mix", async () => {
    const course = await createCourse(world.gql, author.accessToken);
    const ids = await addChapters(world.gql, author.accessToken, course.id, 6);
    const orders = Array.from({ length: 10 }, () => shuffled(ids));
    const results = await Promise.all(
      orders.map((chapterIds) => world.gql(ReorderChaptersDocument, { courseId: course.id, chapterIds }, { token: author.accessToken })),
    );
    results.forEach((result) => expect(result.errors).toBeUndefined());
    const final = (await chapterOrder(course.id)).map((chapter) => chapter.id);
    expect(orders).toContainEqual(final);
    // Every answer showed a consistent course too: six chapters at places 1..6.
    for (const result of results) expect(ok(result).reorderChapters.map((c) => c.order)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe("the chapter lock", () => {
  it("expires when its holder died, and the next writer repairs a renumber cut short", async () => {
    const { ChapterLockModel } = await import("../../src/modules/chapters/chapter-lock.model");
    const { ChapterModel } = await import("../../src/modules/chapters/chapter.model");
    const course = await createCourse(world.gql, author.accessToken);
    const [a, b, c] = await addChapters(world.gql, author.accessToken, course.id, 3);
    // A process died holding the lock in the middle of renumbering to c, a, b: c already moved to -1.
    await ChapterLockModel.create({ _id: course.id, token: "dead", until: new Date(Date.now() - 1000) });
    await ChapterModel.updateOne({ _id: c }, { $set: { order: -1 } });

    const response = await world.gql(DeleteChapterDocument, { id: b }, { token: author.accessToken });
    expect(response.errors).toBeUndefined();
    const final = await chapterOrder(course.id);
    expect(final.map((chapter) => chapter.order)).toEqual([1, 2]);
    expect(final.map((chapter) => chapter.id).sort()).toEqual([a, c].sort());
    expect(await ChapterLockModel.findById(course.id).lean()).toBeNull();
  });
});
