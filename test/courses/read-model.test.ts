import mongoose from "mongoose";
import {
  CourseListPageDocument,
  DeleteChapterDocument,
  EnrollDocument,
  CompleteChapterDocument,
  RepairCourseSummariesDocument,
  ReorderChaptersDocument,
  UpdateChapterDocument,
  UpdateProfileDocument,
} from "../generated/graphql";
import { databaseCommands } from "../helpers/database-calls";
import { addChapters, createCourse, errorCode, ok, publish, startCourseWorld, type CourseWorld, type Session } from "./support";

let world: CourseWorld;
let owner: Session;
let learner: Session;
const TAG = "read-model";

beforeAll(async () => {
  world = await startCourseWorld({ DB_COMMAND_MONITORING: "true" });
  owner = await world.user("INSTRUCTOR");
  learner = await world.user();
});

afterAll(() => world.server.stop());

const listPage = (session: Session, filter: { owner?: "MINE" | "PUBLIC"; tags?: string[] } = { owner: "PUBLIC", tags: [TAG] }) =>
  world.gql(CourseListPageDocument, { filter, limit: 20 }, { token: session.accessToken });

async function item(session: Session, courseId: string) {
  const items = ok(await listPage(session)).courses.items;
  return items.find((course) => course.id === courseId)!;
}

describe("what a course carries of its chapters and owner", () => {
  it("follows every chapter change and the owner's renaming, and the list reads only courses and enrollments", async () => {
    const course = await createCourse(world.gql, owner.accessToken, { title: "Carried", tags: [TAG] });
    const [first, second, third] = await addChapters(world.gql, owner.accessToken, course.id, 3, 7);
    await publish(world.gql, owner.accessToken, course.id);
    ok(await world.gql(EnrollDocument, { courseId: course.id }, { token: learner.accessToken }));
    ok(await world.gql(CompleteChapterDocument, { chapterId: second }, { token: learner.accessToken }));

    let shown = await item(learner, course.id);
    expect(shown.chapters.map((chapter) => [chapter.id, chapter.title, chapter.order, chapter.durationMinutes])).toEqual([
      [first, "Chapter 1", 1, 7],
      [second, "Chapter 2", 2, 7],
      [third, "Chapter 3", 3, 7],
    ]);
    expect([shown.chapterCount, shown.totalDurationMinutes, shown.myProgress]).toEqual([3, 21, { percent: 33, completedChapters: 1 }]);
    expect(shown.owner).toEqual({ id: owner.user.id, name: owner.user.name });

    ok(await world.gql(UpdateChapterDocument, { id: first, input: { title: "Renamed", durationMinutes: 10 } }, { token: owner.accessToken }));
    ok(await world.gql(ReorderChaptersDocument, { courseId: course.id, chapterIds: [third, first, second] }, { token: owner.accessToken }));
    ok(await world.gql(UpdateProfileDocument, { input: { name: "Owner Renamed" } }, { token: owner.accessToken }));
    shown = await item(learner, course.id);
    expect(shown.chapters.map((chapter) => [chapter.title, chapter.order])).toEqual([
      ["Chapter 3", 1],
      ["Renamed", 2],
      ["Chapter 2", 3],
    ]);
    expect([shown.chapterCount, shown.totalDurationMinutes]).toEqual([3, 24]);
    expect(shown.owner?.name).toBe("Owner Renamed");

    ok(await world.gql(DeleteChapterDocument, { id: second }, { token: owner.accessToken }));
    shown = await item(learner, course.id);
    expect(shown.chapters.map((chapter) => [chapter.title, chapter.order])).toEqual([
      ["Chapter 3", 1],
      ["Renamed", 2],
    ]);
    expect([shown.chapterCount, shown.totalDurationMinutes, shown.myProgress]).toEqual([2, 17, { percent: 0, completedChapters: 0 }]);

    // Issue 30: the page is the enrollments and the courses (owned, and by the enrollments) in one
    // command; chapters and owners are not read.
    const commands = await databaseCommands(() => listPage(learner, { owner: "MINE" }));
    expect(commands).toEqual(["1.aggregate(progress,courses,courses)"]);
  });

  it("is rebuilt by `repairCourseSummaries` when out of step, and only where it is", async () => {
    const course = await createCourse(world.gql, owner.accessToken, { title: "Repaired", tags: [TAG] });
    await addChapters(world.gql, owner.accessToken, course.id, 2, 5);
    await publish(world.gql, owner.accessToken, course.id);
    expect(ok(await world.gql(RepairCourseSummariesDocument, {}, { token: world.admin.accessToken })).repairCourseSummaries).toBe(0);

    // As a course stored before the read model existed, and one whose copy went wrong.
    const courses = mongoose.connection.collection("courses");
    const id = new mongoose.Types.ObjectId(course.id);
    await courses.updateOne({ _id: id }, { $unset: { chapter_summaries: "", chapter_count: "", total_minutes: "", owner_name: "" } });
    // Without the copy the list still answers, from the chapters and users.
    const fallback = await item(learner, course.id);
    expect([fallback.chapterCount, fallback.totalDurationMinutes, fallback.chapters.length, fallback.owner?.id]).toEqual([2, 10, 2, owner.user.id]);
    const other = await createCourse(world.gql, owner.accessToken, { title: "Wrong copy", tags: [TAG] });
    await publish(world.gql, owner.accessToken, other.id);
    await courses.updateOne({ _id: new mongoose.Types.ObjectId(other.id) }, { $set: { chapter_count: 9, owner_name: "Someone Else" } });

    expect(ok(await world.gql(RepairCourseSummariesDocument, {}, { token: world.admin.accessToken })).repairCourseSummaries).toBe(2);
    const repaired = await item(learner, course.id);
    expect(repaired).toEqual(fallback);
    const stored = await courses.findOne({ _id: id });
    expect(stored?.chapter_summaries).toHaveLength(2);
    const otherShown = await item(learner, other.id);
    expect([otherShown.chapterCount, otherShown.owner?.name]).toEqual([0, repaired.owner?.name]);
    expect(ok(await world.gql(RepairCourseSummariesDocument, {}, { token: world.admin.accessToken })).repairCourseSummaries).toBe(0);

    expect(errorCode(await world.gql(RepairCourseSummariesDocument, {}, { token: learner.accessToken }))).toBe("FORBIDDEN");
  });
});
