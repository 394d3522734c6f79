import {
  ChapterDocument,
  CourseDocument,
  CoursesDocument,
  CreateCourseDocument,
  DeleteChapterDocument,
  DeleteCourseDocument,
  EnrollDocument,
  MyProgressDocument,
  UpdateChapterDocument,
  UpdateCourseDocument,
  AddChapterDocument,
} from "../generated/graphql";
import { addChapters, createCourse, errorCode, failedFields, ok, publish, startCourseWorld, type CourseWorld, type Session } from "./support";

let world: CourseWorld;
let author: Session;

beforeAll(async () => {
  world = await startCourseWorld();
  author = await world.user("INSTRUCTOR");
});

afterAll(() => world.server.stop());

describe("creating and updating a course", () => {
  it("creates a private, manual course with normalised tags, owned by the caller", async () => {
    const course = await createCourse(world.gql, author.accessToken, {
      title: "Linear algebra",
      description: "Vectors and matrices",
      outline: "1. Vectors\n2. Matrices",
      level: "INTERMEDIATE",
      tags: ["  Math ", "ALGEBRA", "math"],
    });
    expect(course).toMatchObject({
      title: "Linear algebra",
      description: "Vectors and matrices",
      outline: "1. Vectors\n2. Matrices",
      level: "INTERMEDIATE",
      tags: ["math", "algebra"],
      source: "MANUAL",
      isPublic: false,
      owner: { id: author.user.id, name: author.user.name },
      chapterCount: 0,
      totalDurationMinutes: 0,
      enrollmentCount: 0,
    });
  });

  it.each([
    ["title", { title: "" }],
    ["title", { title: "   " }],
    ["title", { title: "x".repeat(201) }],
    ["description", { description: "x".repeat(1001) }],
    ["tags", { tags: Array.from({ length: 11 }, (_, i) => `tag${i}`) }],
    ["tags", { tags: ["ok", "   "] }],
    ["tags", { tags: ["x".repeat(41)] }],
  ])("refuses a bad %s with BAD_USER_INPUT naming it", async (field, input) => {
    const response = await world.gql(CreateCourseDocument, { input: { title: "T", level: "BEGINNER", ...input } }, { token: author.accessToken });
    expect(errorCode(response)).toBe("BAD_USER_INPUT");
    expect(failedFields(response)).toContain(field);
  });

  it("needs a sign-in", async () => {
    const response = await world.gql(CreateCourseDocument, { input: { title: "T", level: "BEGINNER" } });
    expect(errorCode(response)).toBe("UNAUTHENTICATED");
  });

  it("updates only the fields given, and validates them", async () => {
    const course = await createCourse(world.gql, author.accessToken, { title: "Before", description: "kept", tags: ["a"] });
    const updated = ok(await world.gql(UpdateCourseDocument, { id: course.id, input: { title: "After", tags: [" B "] } }, { token: author.accessToken }));
    expect(updated.updateCourse).toMatchObject({ title: "After", description: "kept", tags: ["b"], level: "BEGINNER" });

    const cleared = ok(await world.gql(UpdateCourseDocument, { id: course.id, input: { description: null } }, { token: author.accessToken }));
    expect(cleared.updateCourse.description).toBe("");

    const bad = await world.gql(UpdateCourseDocument, { id: course.id, input: { title: "" } }, { token: author.accessToken });
    expect(errorCode(bad)).toBe("BAD_USER_INPUT");
    expect(failedFields(bad)).toContain("title");
  });
});

describe("chapters", () => {
  it("are numbered 1..n as they are added, and close the gap when one is deleted", async () => {
    const course = await createCourse(world.gql, author.accessToken);
    const [first, second, third] = await addChapters(world.gql, author.accessToken, course.id, 3, 20);
    let read = ok(await world.gql(CourseDocument, { id: course.id }, { token: author.accessToken })).course!;
    expect(read.chapters.map((c) => [c.id, c.order])).toEqual([[first, 1], [second, 2], [third, 3]]);
    expect(read).toMatchObject({ chapterCount: 3, totalDurationMinutes: 60 });

    expect(ok(await world.gql(DeleteChapterDocument, { id: second }, { token: author.accessToken })).deleteChapter).toBe(true);
    read = ok(await world.gql(CourseDocument, { id: course.id }, { token: author.accessToken })).course!;
    expect(read.chapters.map((c) => [c.id, c.order])).toEqual([[first, 1], [third, 2]]);
    expect(ok(await world.gql(ChapterDocument, { id: second }, { token: author.accessToken })).chapter).toBeNull();
  });

  it("updates a chapter and shows its course", async () => {
    const course = await createCourse(world.gql, author.accessToken, { title: "Owner of chapters" });
    const [id] = await addChapters(world.gql, author.accessToken, course.id, 1);
    const updated = ok(await world.gql(UpdateChapterDocument, { id, input: { title: "Renamed", durationMinutes: 45 } }, { token: author.accessToken }));
    expect(updated.updateChapter).toMatchObject({ title: "Renamed", content: "# Chapter 1", durationMinutes: 45, order: 1 });
    const read = ok(await world.gql(ChapterDocument, { id }, { token: author.accessToken }));
    expect(read.chapter?.course).toEqual({ id: course.id, title: "Owner of chapters" });
  });

  it.each([
    ["title", { title: "" }],
    ["durationMinutes", { durationMinutes: -1 }],
    ["durationMinutes", { durationMinutes: 601 }],
  ])("refuses a bad %s with BAD_USER_INPUT naming it", async (field, input) => {
    const course = await createCourse(world.gql, author.accessToken);
    const response = await world.gql(AddChapterDocument, { input: { courseId: course.id, title: "T", ...input } }, { token: author.accessToken });
    expect(errorCode(response)).toBe("BAD_USER_INPUT");
    expect(failedFields(response)).toContain(field);
  });
});

describe("deleting a course", () => {
  it("removes its chapters and everyone's progress with it", async () => {
    const course = await createCourse(world.gql, author.accessToken);
    const chapterIds = await addChapters(world.gql, author.accessToken, course.id, 2);
    await publish(world.gql, author.accessToken, course.id);
    const learner = await world.user();
    ok(await world.gql(EnrollDocument, { courseId: course.id }, { token: learner.accessToken }));
    const { ChapterModel } = await import("../../src/modules/chapters/chapter.model");
    const { ProgressModel } = await import("../../src/modules/progress/progress.model");
    expect(await ChapterModel.countDocuments({ course_id: course.id })).toBe(2);
    expect(await ProgressModel.countDocuments({ course_id: course.id })).toBe(1);

    expect(ok(await world.gql(DeleteCourseDocument, { id: course.id }, { token: author.accessToken })).deleteCourse).toBe(true);

    expect(ok(await world.gql(CourseDocument, { id: course.id }, { token: author.accessToken })).course).toBeNull();
    for (const id of chapterIds) {
      expect(ok(await world.gql(ChapterDocument, { id }, { token: world.admin.accessToken })).chapter).toBeNull();
    }
    expect(ok(await world.gql(MyProgressDocument, { id: course.id }, { token: learner.accessToken })).course).toBeNull();
    // Nothing is left behind to reappear: the database itself holds none of it.
    expect(await ChapterModel.countDocuments({ course_id: course.id })).toBe(0);
    expect(await ProgressModel.countDocuments({ course_id: course.id })).toBe(0);
    const again = await world.gql(DeleteCourseDocument, { id: course.id }, { token: author.accessToken });
    expect(errorCode(again)).toBe("NOT_FOUND");
  });
});

describe("listing", () => {
  it("pages through the catalog with totals, filters by level, tags and search, and needs no token for PUBLIC", async () => {
    const lister = await world.user("INSTRUCTOR");
    const marker = `zebra${Date.now()}`;
    for (let i = 0; i < 7; i++) {
      const course = await createCourse(world.gql, lister.accessToken, {
        title: `${marker} course ${i}`,
        level: i % 2 === 0 ? "BEGINNER" : "ADVANCED",
        tags: i < 3 ? ["Stripes", "animals"] : ["animals"],
      });
      if (i < 6) await publish(world.gql, lister.accessToken, course.id);
    }
    const filter = { owner: "PUBLIC" as const, search: marker.toUpperCase() };
    const first = ok(await world.gql(CoursesDocument, { filter, skip: 0, limit: 4 })).courses;
    expect(first).toMatchObject({ total: 6, hasMore: true });
    expect(first.items).toHaveLength(4);
    const second = ok(await world.gql(CoursesDocument, { filter, skip: 4, limit: 4 })).courses;
    expect(second).toMatchObject({ total: 6, hasMore: false });
    expect(second.items).toHaveLength(2);
    // Newest first, and the pages do not overlap.
    const titles = [...first.items, ...second.items].map((course) => course.title);
    expect(titles).toEqual([5, 4, 3, 2, 1, 0].map((i) => `${marker} course ${i}`));

    const advanced = ok(await world.gql(CoursesDocument, { filter: { ...filter, level: "ADVANCED" } })).courses;
    expect(advanced.total).toBe(3);
    const striped = ok(await world.gql(CoursesDocument, { filter: { ...filter, tags: ["STRIPES"] } })).courses;
    expect(striped.total).toBe(3);
    const byTag = ok(await world.gql(CoursesDocument, { filter: { owner: "PUBLIC", search: "stripe" } })).courses;
    expect(byTag.items.every((course) => course.tags.includes("stripes"))).toBe(true);

    const mine = ok(await world.gql(CoursesDocument, { filter: { owner: "MINE", search: marker } }, { token: lister.accessToken })).courses;
    expect(mine.total).toBe(7);
  });

  it("pages through MINE: owned and enrolled courses newest first, each once, none that became private to the learner", async () => {
    const author = await world.user("INSTRUCTOR");
    const learner = await world.user("INSTRUCTOR");
    const marker = `okapi${Date.now()}`;
    const titles: string[] = [];
    const made = async (by: Session, name: string, level: "BEGINNER" | "ADVANCED") => {
      const course = await createCourse(world.gql, by.accessToken, { title: `${marker} ${name}`, level });
      titles.push(course.title);
      if (by === author) await publish(world.gql, author.accessToken, course.id);
      return course.id;
    };
    const enroll = async (id: string) => ok(await world.gql(EnrollDocument, { courseId: id }, { token: learner.accessToken }));
    const a0 = await made(author, "A0", "BEGINNER");
    await made(learner, "L0", "ADVANCED");
    const a1 = await made(author, "A1", "ADVANCED");
    const l1 = await made(learner, "L1", "BEGINNER");
    const a2 = await made(author, "A2", "BEGINNER");
    await made(learner, "L2", "ADVANCED");
    const a3 = await made(author, "A3", "ADVANCED");
    const a4 = await made(author, "A4", "BEGINNER");
    await made(author, "A5 not enrolled", "BEGINNER");
    for (const id of [a0, a1, a2, a3, a4, l1]) await enroll(id);
    await publish(world.gql, author.accessToken, a3, false);

    const list = async (skip: number, limit: number, level?: "BEGINNER" | "ADVANCED") =>
      ok(await world.gql(CoursesDocument, { filter: { owner: "MINE", search: marker, ...(level && { level }) }, skip, limit }, { token: learner.accessToken })).courses;
    const expected = ["A4", "L2", "A2", "L1", "A1", "L0", "A0"].map((name) => `${marker} ${name}`);
    expect(titles.filter((title) => expected.includes(title)).reverse()).toEqual(expected);
    const pages = [await list(0, 3), await list(3, 3), await list(6, 3)];
    expect(pages.map(({ total, hasMore, items }) => ({ total, hasMore, items: items.length }))).toEqual([
      { total: 7, hasMore: true, items: 3 },
      { total: 7, hasMore: true, items: 3 },
      { total: 7, hasMore: false, items: 1 },
    ]);
    expect(pages.flatMap((page) => page.items.map((course) => course.title))).toEqual(expected);
    expect((await list(0, 100)).items.map((course) => course.title)).toEqual(expected);
    expect(await list(7, 3)).toMatchObject({ total: 7, hasMore: false, items: [] });
    const advanced = await list(0, 2, "ADVANCED");
    expect(advanced).toMatchObject({ total: 3, hasMore: true });
    expect(advanced.items.map((course) => course.title)).toEqual(["L2", "A1"].map((name) => `${marker} ${name}`));
  });

  it("refuses a limit outside 1..100 and MINE without a sign-in", async () => {
    expect(errorCode(await world.gql(CoursesDocument, { limit: 101 }))).toBe("BAD_USER_INPUT");
    expect(errorCode(await world.gql(CoursesDocument, { filter: { owner: "MINE" } }))).toBe("UNAUTHENTICATED");
  });
});
