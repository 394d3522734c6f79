import { randomBytes } from "node:crypto";
import {
  AddChapterDocument,
  ChapterDocument,
  CompleteChapterDocument,
  CourseDocument,
  CoursesDocument,
  DeleteChapterDocument,
  DeleteCourseDocument,
  EnrollDocument,
  PublishCourseDocument,
  ReorderChaptersDocument,
  UpdateChapterDocument,
  UncompleteChapterDocument,
  UnenrollDocument,
  UpdateCourseDocument,
} from "../generated/graphql";
import type { GraphQLResponse } from "../helpers/graphql";
import { addChapters, createCourse, errorCode, ok, publish, startCourseWorld, type CourseWorld, type Session } from "./support";

let world: CourseWorld;
let owner: Session;
let other: Session;
let instructor: Session;
let privateCourse: string;
let privateChapters: string[];

const missingId = () => randomBytes(12).toString("hex");

beforeAll(async () => {
  world = await startCourseWorld();
  [owner, other, instructor] = await Promise.all([world.user(), world.user(), world.user("INSTRUCTOR")]);
  privateCourse = (await createCourse(world.gql, owner.accessToken, { title: "Owner's private notes" })).id;
  privateChapters = await addChapters(world.gql, owner.accessToken, privateCourse, 2);
});

afterAll(() => world.server.stop());

/** The error a caller gets for a course that does not exist at all. */
function expectSameAsMissing(hidden: GraphQLResponse<unknown>, missing: GraphQLResponse<unknown>): void {
  expect(errorCode(hidden)).toBe("NOT_FOUND");
  expect(hidden.errors?.[0]?.message).toBe(missing.errors?.[0]?.message);
  expect(hidden.data ?? null).toEqual(missing.data ?? null);
}

describe("a student's private course", () => {
  it("is readable by its owner and an admin only: others and visitors get null, as for a missing id", async () => {
    const read = (token?: string) => world.gql(CourseDocument, { id: privateCourse }, { token });
    expect(ok(await read(owner.accessToken)).course?.title).toBe("Owner's private notes");
    expect(ok(await read(world.admin.accessToken)).course?.chapters).toHaveLength(2);
    expect(ok(await read(other.accessToken)).course).toBeNull();
    expect(ok(await read()).course).toBeNull();

    const chapter = (token?: string) => world.gql(ChapterDocument, { id: privateChapters[0] }, { token });
    expect(ok(await chapter(owner.accessToken)).chapter?.title).toBe("Chapter 1");
    expect(ok(await chapter(world.admin.accessToken)).chapter?.title).toBe("Chapter 1");
    expect(ok(await chapter(other.accessToken)).chapter).toBeNull();
    expect(ok(await chapter()).chapter).toBeNull();
  });

  it("is listed under ALL and MINE for its owner, ALL for an admin, and never for anyone else", async () => {
    const ids = async (owner: "ALL" | "MINE" | "PUBLIC", token?: string) =>
      ok(await world.gql(CoursesDocument, { filter: { owner }, limit: 100 }, { token })).courses.items.map((course) => course.id);
    expect(await ids("ALL", owner.accessToken)).toContain(privateCourse);
    expect(await ids("MINE", owner.accessToken)).toContain(privateCourse);
    expect(await ids("ALL", world.admin.accessToken)).toContain(privateCourse);
    expect(await ids("MINE", world.admin.accessToken)).not.toContain(privateCourse);
    expect(await ids("ALL", other.accessToken)).not.toContain(privateCourse);
    expect(await ids("MINE", other.accessToken)).not.toContain(privateCourse);
    expect(await ids("PUBLIC", owner.accessToken)).not.toContain(privateCourse);
    expect(await ids("ALL")).not.toContain(privateCourse);
  });

  it("answers every mutation of another student exactly as if it did not exist", async () => {
    const token = other.accessToken;
    const attempts: [string, (id: string, chapterId: string) => Promise<GraphQLResponse<unknown>>][] = [
      ["updateCourse", (id) => world.gql(UpdateCourseDocument, { id, input: { title: "Mine now" } }, { token })],
      ["deleteCourse", (id) => world.gql(DeleteCourseDocument, { id }, { token })],
      ["publishCourse", (id) => world.gql(PublishCourseDocument, { id, isPublic: false }, { token })],
      ["addChapter", (id) => world.gql(AddChapterDocument, { input: { courseId: id, title: "Sneaky" } }, { token })],
      ["reorderChapters", (id) => world.gql(ReorderChaptersDocument, { courseId: id, chapterIds: [...privateChapters].reverse() }, { token })],
      ["enroll", (id) => world.gql(EnrollDocument, { courseId: id }, { token })],
    ];
    for (const [name, attempt] of attempts) {
      const hidden = await attempt(privateCourse, privateChapters[0]);
      const missing = await attempt(missingId(), privateChapters[0]);
      expect([name, errorCode(hidden)]).toEqual([name, "NOT_FOUND"]);
      expectSameAsMissing(hidden, missing);
    }
    const chapterAttempts = [
      (id: string) => world.gql(UpdateChapterDocument, { id, input: { title: "Mine" } }, { token }),
      (id: string) => world.gql(DeleteChapterDocument, { id }, { token }),
      (id: string) => world.gql(CompleteChapterDocument, { chapterId: id }, { token }),
      (id: string) => world.gql(UncompleteChapterDocument, { chapterId: id }, { token }),
    ];
    for (const attempt of chapterAttempts) {
      expectSameAsMissing(await attempt(privateChapters[0]), await attempt(missingId()));
    }
    const course = ok(await world.gql(CourseDocument, { id: privateCourse }, { token: owner.accessToken })).course!;
    expect(course).toMatchObject({ title: "Owner's private notes", chapterCount: 2 });
  });

  it("can be edited by an admin, but only its owner may enroll in it", async () => {
    const token = world.admin.accessToken;
    const [, added] = await Promise.all([
      world.gql(UpdateCourseDocument, { id: privateCourse, input: { description: "checked by an admin" } }, { token }),
      world.gql(AddChapterDocument, { input: { courseId: privateCourse, title: "Admin's note" } }, { token }),
    ]);
    const adminChapter = ok(added).addChapter.id;
    ok(await world.gql(DeleteChapterDocument, { id: adminChapter }, { token }));
    expect(errorCode(await world.gql(EnrollDocument, { courseId: privateCourse }, { token }))).toBe("FORBIDDEN");
    const enrolled = ok(await world.gql(EnrollDocument, { courseId: privateCourse }, { token: owner.accessToken })).enroll;
    expect(enrolled.myProgress).toMatchObject({ completedChapters: 0, totalChapters: 2, percent: 0 });
  });

  it("stays private: a student may not publish, even their own course", async () => {
    const response = await world.gql(PublishCourseDocument, { id: privateCourse, isPublic: true }, { token: owner.accessToken });
    expect(errorCode(response)).toBe("FORBIDDEN");
    expect(ok(await world.gql(CourseDocument, { id: privateCourse }, { token: owner.accessToken })).course?.isPublic).toBe(false);
  });
});

describe("a published course", () => {
  it("is readable by everyone, changeable only by its owner or an admin, and open for enrollment", async () => {
    const course = await createCourse(world.gql, instructor.accessToken, { title: "Open to all" });
    const [chapter] = await addChapters(world.gql, instructor.accessToken, course.id, 1);
    expect(errorCode(await world.gql(PublishCourseDocument, { id: course.id, isPublic: true }))).toBe("UNAUTHENTICATED");
    await publish(world.gql, instructor.accessToken, course.id);

    expect(ok(await world.gql(CourseDocument, { id: course.id })).course?.title).toBe("Open to all");
    expect(ok(await world.gql(ChapterDocument, { id: chapter })).chapter?.title).toBe("Chapter 1");
    const publicIds = ok(await world.gql(CoursesDocument, { filter: { owner: "PUBLIC" }, limit: 100 })).courses.items.map((c) => c.id);
    expect(publicIds).toContain(course.id);

    const token = other.accessToken;
    expect(errorCode(await world.gql(UpdateCourseDocument, { id: course.id, input: { title: "Taken" } }, { token }))).toBe("FORBIDDEN");
    expect(errorCode(await world.gql(DeleteCourseDocument, { id: course.id }, { token }))).toBe("FORBIDDEN");
    expect(errorCode(await world.gql(PublishCourseDocument, { id: course.id, isPublic: false }, { token }))).toBe("FORBIDDEN");
    expect(errorCode(await world.gql(AddChapterDocument, { input: { courseId: course.id, title: "Spam" } }, { token }))).toBe("FORBIDDEN");
    expect(errorCode(await world.gql(UpdateChapterDocument, { id: chapter, input: { title: "Spam" } }, { token }))).toBe("FORBIDDEN");
    expect(errorCode(await world.gql(DeleteChapterDocument, { id: chapter }, { token }))).toBe("FORBIDDEN");
    expect(errorCode(await world.gql(ReorderChaptersDocument, { courseId: course.id, chapterIds: [chapter] }, { token }))).toBe("FORBIDDEN");

    const enrolled = ok(await world.gql(EnrollDocument, { courseId: course.id }, { token })).enroll;
    expect(enrolled).toMatchObject({ enrollmentCount: 1, myProgress: { totalChapters: 1, percent: 0 } });
    expect(ok(await world.gql(CoursesDocument, { filter: { owner: "MINE" } }, { token })).courses.items.map((c) => c.id)).toContain(course.id);

    // Taken out of the catalog by an admin: the student's enrollment no longer shows it.
    ok(await world.gql(PublishCourseDocument, { id: course.id, isPublic: false }, { token: world.admin.accessToken }));
    expect(ok(await world.gql(CourseDocument, { id: course.id }, { token })).course).toBeNull();
    expect(ok(await world.gql(CoursesDocument, { filter: { owner: "MINE" } }, { token })).courses.items.map((c) => c.id)).not.toContain(course.id);
    // Leaving it still works, and nothing of it shows when it is published again.
    expect(ok(await world.gql(UnenrollDocument, { courseId: course.id }, { token })).unenroll).toBe(true);
    ok(await world.gql(PublishCourseDocument, { id: course.id, isPublic: true }, { token: instructor.accessToken }));
    expect(ok(await world.gql(CourseDocument, { id: course.id }, { token })).course).toMatchObject({ enrollmentCount: 0 });
  });

  it("never shows its owner's e-mail address", async () => {
    const response = await fetch(world.server.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ courses(filter: { owner: PUBLIC }) { items { owner { email } } } }" }),
    });
    const body = (await response.json()) as { errors?: { message: string }[] };
    expect(body.errors?.[0]?.message).toMatch(/Cannot query field "email"/);
  });
});
