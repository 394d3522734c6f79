import "reflect-metadata";
import mongoose, { Types } from "mongoose";
import { startEmbeddedMongo } from "../src/embedded-mongo";
import { createPubSub } from "../src/infra/pubsub";
import { DomainEventBus } from "../src/lib/events";
import { GrantRole } from "../src/lib/grants";
import { UserRole, type SignedIn } from "../src/lib/identity";
import { findPage } from "../src/lib/pagination";
import { AssignmentModel, AssignmentWorkModel, ScorePolicy, type Assignment } from "../src/modules/classes/assignment.model";
import { AssignmentService } from "../src/modules/classes/assignment.service";
import { ClassMemberModel, ClassModel, ClassRole } from "../src/modules/classes/class.model";
import { ClassService } from "../src/modules/classes/class.service";
import type { Chapter } from "../src/modules/chapters/chapter.model";
import { bookAt, type ClassBook } from "../src/modules/classes/gradebook-book";
import { GradebookCache } from "../src/modules/classes/gradebook-cache";
import { GradebookService } from "../src/modules/classes/gradebook.service";
import { createLogger } from "../src/lib/logger";
import { SharedKind } from "../src/modules/classes/sharing.types";
import { CourseLevel, CourseModel, type Course } from "../src/modules/courses/course.model";
import { CourseService } from "../src/modules/courses/course.service";
import { UserModel } from "../src/modules/users/user.model";
import { UserService } from "../src/modules/users/user.service";

const STUDENTS = 500;
const ASSIGNMENTS = 40;
const PUBLIC_COURSES = 2_000;
const PRIVATE_COURSES = 8_000;
const SHARED_COURSES = 40;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timed(runs: number, run: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 3; i++) await run();
  const latencies: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await run();
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

/** `a` and `b` run in turns; also the median of `b`'s time over `a`'s in each turn, which the machine's load affects least. */
async function alternated(runs: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[{ p50: number; p95: number }, { p50: number; p95: number }, number]> {
  for (let i = 0; i < 3; i++) {
    await a();
    await b();
  }
  const latencies: [number[], number[]] = [[], []];
  for (let i = 0; i < runs; i++) {
    for (const [k, run] of [a, b].entries()) {
      const t0 = process.hrtime.bigint();
      await run();
      latencies[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  const stats = (values: number[]) => {
    values.sort((x, y) => x - y);
    return { p50: percentile(values, 50), p95: percentile(values, 95) };
  };
  const ratios = latencies[0].map((x, i) => latencies[1][i] / x).sort((x, y) => x - y);
  return [stats(latencies[0]), stats(latencies[1]), percentile(ratios, 50)];
}

/** A class of 500 students, 40 assignments (half quizzes, half courses) with everyone's work on each. */
async function fillClass(teacherId: Types.ObjectId): Promise<{ classId: Types.ObjectId; studentIds: Types.ObjectId[] }> {
  const classId = new Types.ObjectId();
  await ClassModel.collection.insertOne({ _id: classId, name: "Bench class", description: "", owner_id: teacherId, retired_codes: [], created_at: new Date(), updated_at: new Date() });
  const studentIds = Array.from({ length: STUDENTS }, () => new Types.ObjectId());
  const now = Date.now();
  await UserModel.collection.insertMany(
    studentIds.map((id, i) => ({ _id: id, name: `Student ${i}`, email: `student-${i}@example.com`, role: UserRole.STUDENT, is_active: true, class_ids: [classId], created_at: new Date(), updated_at: new Date() })),
  );
  await ClassMemberModel.collection.insertMany([
    { class_id: classId, user_id: teacherId, role: ClassRole.TEACHER, joined_at: new Date(now - 1_000_000) },
    ...studentIds.map((id, i) => ({ class_id: classId, user_id: id, role: ClassRole.STUDENT, joined_at: new Date(now - 900_000 + i) })),
  ]);
  const assignments = Array.from({ length: ASSIGNMENTS }, (_, j) => ({
    _id: new Types.ObjectId(),
    class_id: classId,
    kind: j % 2 === 0 ? SharedKind.QUIZ : SharedKind.COURSE,
    target_id: new Types.ObjectId(),
    title: `Assignment ${j}`,
    opens_at: new Date(now - 30 * 86_400_000),
    due_at: new Date(now + (j - 20) * 86_400_000),
    attempts_allowed: 2,
    accept_late: true,
    score_policy: ScorePolicy.BEST,
    hide_keys_until_due: false,
    created_by: teacherId,
    created_at: new Date(),
    updated_at: new Date(),
  }));
  await AssignmentModel.collection.insertMany(assignments);
  const work = studentIds.flatMap((userId, i) =>
    assignments.flatMap((assignment, j) => {
      if ((i + j) % 7 === 0) return [];
      const quiz = assignment.kind === SharedKind.QUIZ;
      const at = new Date(assignment.due_at.getTime() - ((i * 13 + j) % 5) * 3_600_000 + 7_200_000);
      return [
        {
          assignment_id: assignment._id,
          class_id: classId,
          user_id: userId,
          started_at: at,
          attempts: quiz ? [{ attempt_id: new Types.ObjectId(), percent: (i * 7 + j * 3) % 101, submitted_at: at, late: at > assignment.due_at }] : [],
          completion_percent: quiz ? 100 : (i * 11 + j) % 101,
          reviews_done: 0,
          ...(quiz || (i * 11 + j) % 101 === 100 ? { completed_at: at } : {}),
        },
      ];
    }),
  );
  for (let start = 0; start < work.length; start += 5_000) await AssignmentWorkModel.collection.insertMany(work.slice(start, start + 5_000));
  return { classId, studentIds };
}

/** 2000 public and 8000 private courses of 500 owners; 40 private ones shared with the class. */
async function fillCourses(classId: Types.ObjectId): Promise<void> {
  const owners = Array.from({ length: 500 }, () => new Types.ObjectId());
  const now = Date.now();
  const rows = Array.from({ length: PUBLIC_COURSES + PRIVATE_COURSES }, (_, i) => ({
    title: `Course ${i}`,
    description: "",
    outline: "",
    level: CourseLevel.BEGINNER,
    tags: [],
    owner_id: owners[i % owners.length],
    source: "manual",
    is_public: i < PUBLIC_COURSES,
    grants: i >= PUBLIC_COURSES && i < PUBLIC_COURSES + SHARED_COURSES ? [{ principal: classId, role: GrantRole.VIEWER }] : [],
    created_at: new Date(now - i * 60_000),
    updated_at: new Date(now - i * 60_000),
  }));
  for (let start = 0; start < rows.length; start += 5_000) await CourseModel.collection.insertMany(rows.slice(start, start + 5_000));
}

/** One API instance's classes services over the shared database and pub/sub; only what the gradebook and its changes read is wired. */
function instance(pubSub: ReturnType<typeof createPubSub>, users: UserService, course: { chapters: Chapter[]; done: number }) {
  const cache = new GradebookCache<ClassBook>({ pubSub, log: createLogger({ level: "silent" }) });
  cache.start();
  const classes = new ClassService({ users, pubSub, gradebooks: cache });
  // A chapter completed: the student has done the first `done` of the course's chapters.
  const progress = { forUser: async (_userId: Types.ObjectId, courseIds: Types.ObjectId[]) => courseIds.map(() => ({ completed_chapter_ids: course.chapters.slice(0, course.done).map((c) => c._id) })) };
  const chapters = { byCourses: async (courseIds: Types.ObjectId[]) => courseIds.map(() => course.chapters) };
  const assignments = new AssignmentService({ classes, users, progress, chapters, gradebooks: cache, graceSeconds: 10 } as unknown as ConstructorParameters<typeof AssignmentService>[0]);
  const gradebook = new GradebookService({ classes, assignments, users, cache } as unknown as ConstructorParameters<typeof GradebookService>[0]);
  return { cache, classes, assignments, gradebook };
}

/** `read`'s latency right after each of `runs` changes (`change(i)`), the change itself not counted. */
async function afterChanges(runs: number, change: (i: number) => Promise<unknown>, read: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const latencies: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    await change(i);
    const t0 = process.hrtime.bigint();
    await read();
    if (i >= 3) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

/** `npm run bench -- classes`: the gradebook of a 500-student, 40-assignment class on two instances, and a student's catalog with sharing grants. */
export async function benchClasses(): Promise<string[]> {
  const engine = await startEmbeddedMongo();
  await mongoose.connect(engine.uri, { dbName: "bench-classes" });
  try {
    await Promise.all([UserModel.init(), ClassModel.init(), ClassMemberModel.init(), AssignmentModel.init(), AssignmentWorkModel.init(), CourseModel.init()]);
    const teacherId = new Types.ObjectId();
    const { classId, studentIds } = await fillClass(teacherId);
    await fillCourses(classId);

    const events = new DomainEventBus();
    const users = new UserService({ bcryptCost: 4, events });
    // Two instances of one deployment: one database, one pub/sub.
    const pubSub = createPubSub();
    const course = { chapters: Array.from({ length: 4 }, () => ({ _id: new Types.ObjectId() }) as Chapter), done: 1 };
    const a = instance(pubSub, users, course);
    const b = instance(pubSub, users, course);
    const teacher = { _id: teacherId, role: UserRole.INSTRUCTOR } as SignedIn;
    const access = await a.classes.staffOrFail(teacher, classId);
    const courseAssignments = await AssignmentModel.find({ class_id: classId, kind: SharedKind.COURSE }).lean<Assignment[]>().exec();

    const book = await a.gradebook.gradebook(access);
    await b.gradebook.gradebook(access);
    const cells = book.rows.reduce((sum, row) => sum + row.cells.length, 0);
    // After one change on A (a chapter completed: one work record), read on A and then on B (which heard it over pub/sub).
    const chapterDone = (i: number) => {
      course.done = 1 + (i % 4);
      const target = courseAssignments[i % courseAssignments.length];
      return a.assignments.chapterCompleted(studentIds[(i * 37) % STUDENTS], [classId], { _id: course.chapters[0]._id, course_id: target.target_id } as Chapter, new Date());
    };
    const changedOnA = await afterChanges(30, chapterDone, () => a.gradebook.gradebook(access));
    const changedOnB = await afterChanges(30, async (i) => {
      await chapterDone(1_000 + i);
      await new Promise(setImmediate);
    }, () => b.gradebook.gradebook(access));
    // After a roster change on A: a student removed and joining again (their row).
    await ClassModel.updateOne({ _id: classId }, { $set: { join_code: "BENCH234" } }).exec();
    const member = (i: number) => ({ _id: studentIds[(i * 53) % STUDENTS], role: UserRole.STUDENT }) as SignedIn;
    const rosterOnA = await afterChanges(20, async (i) => {
      await a.classes.removeMember(teacher, String(classId), String(member(i)._id));
      await a.classes.join(member(i), "BENCH234");
    }, () => a.gradebook.gradebook(access));
    // Reloaded while nothing changed.
    const served = await timed(200, () => a.gradebook.gradebook(access));
    const csv = await timed(20, () => a.gradebook.csv(access));
    const csvChanged = await afterChanges(10, chapterDone, () => a.gradebook.csv(access));
    // Cold: an instance's first read of the class reads all its work (last, so that its garbage weighs on no other figure).
    const cold = await timed(5, async () => bookAt(await a.gradebook.load(classId), new Date()));
    // Both patched copies say what a full recompute says.
    await new Promise(setImmediate);
    const now = new Date();
    const full = JSON.stringify(bookAt(await a.gradebook.load(classId), now));
    const copies = await Promise.all([a, b].map((side) => side.gradebook.gradebook(access)));
    const same = copies.every((copy) => JSON.stringify(copy) === full);
    await Promise.all([a.cache.stop(), b.cache.stop()]);

    const courses = new CourseService({ progress: { enrolledRead: () => { throw new Error("bench: no MINE list here"); } }, chapters: { byCourses: async (ids) => ids.map(() => []) }, users, events });
    const student = { _id: studentIds[0], role: UserRole.STUDENT, class_ids: [classId] } as SignedIn;
    const page = { skip: 0, limit: 20 };
    const fields = ["title", "description", "level", "tags"];
    // What the list reads (`CourseService.list`: its policy fields and the page's).
    const projection = ["_id", "owner_id", "is_public", "grants", "created_at", ...fields];
    // Today's catalog: the filter before sharing existed, on the same data, read the way the list reads (through the driver).
    const before = () => findPage<Course>(CourseModel, { $and: [{ $or: [{ is_public: true }, { owner_id: student._id }] }] }, { created_at: -1, _id: -1 }, page, projection, undefined, true);
    const withGrants = () => courses.list(student, {}, page, { fields });
    const listed = await withGrants();
    const shared = await courses.list(student, { search: "Course 20" }, { skip: 0, limit: 100 }, { fields });
    // Alternated, so that neither filter gets the warmer engine.
    const [today, granted, ratio] = await alternated(100, before, withGrants);
    return [
      `classes (${STUDENTS} students, ${ASSIGNMENTS} assignments, ${cells} gradebook cells; ${PUBLIC_COURSES + PRIVATE_COURSES} courses, ${SHARED_COURSES} shared with the class; embedded engine; two instances on one pub/sub)`,
      `  gradebook, cold (first read on an instance)   p50 ${cold.p50.toFixed(2)} ms, p95 ${cold.p95.toFixed(2)} ms`,
      `  gradebook after a chapter completed, on A     p50 ${changedOnA.p50.toFixed(2)} ms, p95 ${changedOnA.p95.toFixed(2)} ms   (target p95 <= 150 ms)`,
      `  the same change read on B (heard over pub/sub) p50 ${changedOnB.p50.toFixed(2)} ms, p95 ${changedOnB.p95.toFixed(2)} ms   (target p95 <= 150 ms)`,
      `  gradebook after a student left and rejoined   p50 ${rosterOnA.p50.toFixed(2)} ms, p95 ${rosterOnA.p95.toFixed(2)} ms   (target p95 <= 150 ms)`,
      `  gradebook reloaded, nothing changed           p50 ${served.p50.toFixed(2)} ms, p95 ${served.p95.toFixed(2)} ms`,
      `  gradebook CSV, nothing changed                p50 ${csv.p50.toFixed(2)} ms, p95 ${csv.p95.toFixed(2)} ms`,
      `  gradebook CSV after a chapter completed       p50 ${csvChanged.p50.toFixed(2)} ms, p95 ${csvChanged.p95.toFixed(2)} ms`,
      `  patched copies on A and B equal a full recompute: ${same ? "yes" : "NO"}`,
      `  catalog, today's filter         p50 ${today.p50.toFixed(2)} ms, p95 ${today.p95.toFixed(2)} ms`,
      `  catalog with sharing grants     p50 ${granted.p50.toFixed(2)} ms, p95 ${granted.p95.toFixed(2)} ms   (total ${listed.total}; ${shared.items.filter((c) => !c.is_public).length} shared ones match "Course 20")`,
      `  ratio, median of paired runs    ${ratio.toFixed(2)}x   (target <= 1.2x; p50 over p50: ${(granted.p50 / today.p50).toFixed(2)}x)`,
    ];
  } finally {
    await mongoose.disconnect();
    await engine.stop();
  }
}
