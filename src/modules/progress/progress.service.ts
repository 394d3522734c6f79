import type { Types } from "mongoose";
import { raise } from "../../lib/errors";
import type { Chapter } from "../chapters/chapter.model";
import type { ChapterService } from "../chapters/chapter.service";
import type { Course } from "../courses/course.model";
import { CoursePolicy } from "../courses/course.policy";
import type { CourseService, EnrolledReading, EnrollmentLookup } from "../courses/course.service";
import type { DomainEventBus } from "../../lib/events";
import { inKeyOrder, type Loaders } from "../../lib/loaders";
import { findRaw } from "../../lib/raw-reads";
import { forgetAllProgress, knowAllProgressOfUser, progressOfUser } from "./progress.loaders";
import { ENROLLMENT_FIELDS, ProgressModel, type Enrollment, type Progress } from "./progress.model";
import type { CourseProgress } from "./progress.types";
import type { Actor } from "../../lib/identity";
import { asObjectId } from "../../lib/ids";

/**
 * What a progress record says about a course's chapters now. Completed ids are matched against
 * the current chapters rather than cleaned up when a chapter is deleted: a completion racing a
 * deletion then can never count a chapter that no longer exists.
 */
export function summarize(progress: Enrollment, chapters: Chapter[]): CourseProgress {
  const completed = new Set(progress.completed_chapter_ids.map(String));
  const completedChapterIds = chapters.filter((chapter) => completed.has(String(chapter._id))).map((chapter) => chapter._id);
  const total = chapters.length;
  return {
    completedChapters: completedChapterIds.length,
    totalChapters: total,
    percent: total === 0 ? 0 : Math.floor((completedChapterIds.length * 100) / total),
    completedChapterIds,
    enrolledAt: progress.created_at,
    lastActivityAt: progress.last_activity_at,
  };
}

declare module "../../lib/events" {
  interface DomainEvents {
    /**
     * A user completed a chapter (the dashboard counts learning days). `classIds` are the user's
     * classes as their user holds them (`User.class_ids`): none, no assignment to look up.
     */
    "progress.chapterCompleted": { userId: Types.ObjectId; classIds: readonly Types.ObjectId[]; chapter: Chapter; at: Date };
  }
}

/** Enrollments and completed chapters: the only code that reads or writes `progress`. */
export class ProgressService implements EnrollmentLookup {
  constructor(private readonly deps: { courses: CourseService; chapters: ChapterService; events: DomainEventBus }) {}

  async ready(): Promise<void> {
    await ProgressModel.init();
  }

  /** Anyone may enroll in a public course; in a private one its owner and those it is shared with. Enrolling again changes nothing. */
  async enroll(actor: Exclude<Actor, null>, courseId: string): Promise<Course> {
    const course = await this.deps.courses.readableOrFail(actor, courseId);
    if (!CoursePolicy.canEnroll(actor, course)) raise("FORBIDDEN", "Only the owner, and those it is shared with, may enroll in a private course");
    await this.addEnrollment(actor._id, course._id);
    return course;
  }

  /** Enrolls without an access check (a generated course's owner, or after `enroll` checked); again changes nothing. */
  async addEnrollment(userId: Types.ObjectId, courseId: Types.ObjectId): Promise<void> {
    await ProgressModel.updateOne(
      { user_id: userId, course_id: courseId },
      { $setOnInsert: { completed_chapter_ids: [], last_activity_at: new Date() } },
      { upsert: true },
    ).exec();
  }

  /**
   * True if you were enrolled; your progress in the course is forgotten. Works on courses you can
   * no longer see (made private after you enrolled), and tells nothing about courses you never joined.
   */
  async unenroll(actor: Exclude<Actor, null>, courseId: string): Promise<boolean> {
    const id = asObjectId(courseId);
    if (!id) return false;
    const deleted = await ProgressModel.deleteOne({ user_id: actor._id, course_id: id }).exec();
    return deleted.deletedCount === 1;
  }

  /**
   * The write returns the progress it leaves (one command, not a write and a read): with a
   * request's `loaders`, the answer's `myProgress` is read from it.
   */
  async completeChapter(actor: Exclude<Actor, null>, chapterId: string, completed: boolean, loaders?: Loaders): Promise<Course> {
    const { chapter, course } = await this.deps.chapters.readableWithCourseOrFail(actor, chapterId);
    const change = completed ? { $addToSet: { completed_chapter_ids: chapter._id } } : { $pull: { completed_chapter_ids: chapter._id } };
    const progress = await ProgressModel.findOneAndUpdate(
      { user_id: actor._id, course_id: course._id },
      { ...change, $set: { last_activity_at: new Date() } },
      { returnDocument: "after" },
    )
      .lean<Progress>()
      .exec();
    if (!progress) raise("FORBIDDEN", "Enroll in the course first");
    // Cleared first: an earlier field of the same operation may have read the progress before this write.
    if (loaders) {
      this.progressLoader(loaders, actor._id).clear(course._id).prime(course._id, progress);
      forgetAllProgress(loaders, actor._id);
    }
    if (completed) await this.deps.events.emit("progress.chapterCompleted", { userId: actor._id, classIds: actor.class_ids ?? [], chapter, at: new Date() });
    return course;
  }

  /**
   * This user's progress in each course, in key order; null where not enrolled. With a request's
   * `loaders`, through its loader, which `enrolledRead` may already have filled.
   */
  async forUser(userId: Types.ObjectId, courseIds: readonly Types.ObjectId[], loaders?: Loaders): Promise<(Enrollment | null)[]> {
    if (loaders) {
      const loader = this.progressLoader(loaders, userId);
      return Promise.all(courseIds.map((id) => loader.load(id)));
    }
    const found = await findRaw<Enrollment>(ProgressModel, { user_id: userId, course_id: { $in: courseIds } }, { projection: ENROLLMENT_FIELDS });
    return inKeyOrder(courseIds, found, (progress) => progress.course_id, null);
  }

  /** The request's loader of this user's progress by course. */
  private progressLoader(loaders: Loaders, userId: Types.ObjectId) {
    return progressOfUser(loaders, userId, (ids) => this.forUser(userId, ids));
  }

  /** For loaders: how many users are enrolled in each course, in key order. */
  async enrollmentCounts(courseIds: readonly Types.ObjectId[]): Promise<number[]> {
    const counts = await ProgressModel.aggregate<{ _id: Types.ObjectId; count: number }>([
      { $match: { course_id: { $in: courseIds } } },
      { $group: { _id: "$course_id", count: { $sum: 1 } } },
    ]).exec();
    return inKeyOrder(courseIds, counts, (row) => row._id, 0).map((row) => (typeof row === "number" ? row : row.count));
  }

  /** The courses the user is enrolled in. */
  async enrolledCourseIds(userId: Types.ObjectId): Promise<Types.ObjectId[]> {
    const rows = await findRaw<Pick<Progress, "course_id">>(ProgressModel, { user_id: userId }, { projection: { course_id: 1 } });
    return rows.map((row) => row.course_id);
  }

  /**
   * The user's enrollments as a read for `readTogether`, answered with their course ids. With
   * `loaders` (a request's), the enrollments go to that request's `progressOfUser` loader, so the
   * page's `myProgress` reads nothing more.
   */
  enrolledRead(userId: Types.ObjectId, loaders?: Loaders): EnrolledReading {
    return {
      read: { model: ProgressModel, filter: { user_id: userId }, projection: ENROLLMENT_FIELDS },
      answer: (rows: Enrollment[]) => {
        if (loaders) knowAllProgressOfUser(loaders, userId, rows);
        return rows.map((row) => row.course_id);
      },
      courseIdField: "course_id",
    };
  }

  async deleteForCourse(courseId: Types.ObjectId): Promise<void> {
    await ProgressModel.deleteMany({ course_id: courseId }).exec();
  }

  /** `user.deleted`: their enrollments and completed chapters. */
  async userDeleted(userId: Types.ObjectId): Promise<void> {
    await ProgressModel.deleteMany({ user_id: userId }).exec();
  }
}
