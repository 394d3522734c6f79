import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { QueryFilter } from "mongoose";
import { Types } from "mongoose";
import { raise } from "../../lib/errors";
import { UserRole, type User } from "../users/user.model";
import { CourseModel, type Course } from "./course.model";

/** Who is asking: the signed-in user, or null for an anonymous visitor. */
export type Actor = Pick<User, "_id" | "role"> | null;

/** Long enough for any chapter rewrite; bounds how long a crashed holder blocks the course. */
const CHAPTER_LOCK_LEASE_MS = 15_000;
/** How long a request queues behind others before giving up with CONFLICT. */
const CHAPTER_LOCK_WAIT_MS = 10_000;
const CHAPTER_LOCK_RETRY_MS = { min: 2, max: 40 };

export function isAdmin(actor: Actor): boolean {
  return actor?.role === UserRole.ADMIN;
}

export function isOwner(actor: Actor, course: Pick<Course, "owner_id">): boolean {
  return actor !== null && course.owner_id.equals(actor._id);
}

/** The same answer for "no such course" and "not yours to see": a private course's existence never leaks. */
export function courseNotFound(): never {
  return raise("NOT_FOUND", "Course not found");
}

export function asObjectId(id: Types.ObjectId | string): Types.ObjectId | null {
  if (id instanceof Types.ObjectId) return id;
  return /^[0-9a-f]{24}$/i.test(id) ? new Types.ObjectId(id) : null;
}

/**
 * Who may read and change which course, and the per-course lock that serialises rewrites of its
 * chapters' orders. Shared by the course, chapter and progress services.
 */
export class CourseAccess {
  /** Courses the actor may read: the public catalog, their own, and everything for an admin. */
  readableFilter(actor: Actor): QueryFilter<Course> {
    if (isAdmin(actor)) return {};
    if (!actor) return { is_public: true };
    return { $or: [{ is_public: true }, { owner_id: actor._id }] };
  }

  canRead(actor: Actor, course: Pick<Course, "is_public" | "owner_id">): boolean {
    return course.is_public || isOwner(actor, course) || isAdmin(actor);
  }

  /** The course if the actor may read it, else null (missing, hidden and malformed ids alike). */
  async readable(actor: Actor, id: Types.ObjectId | string): Promise<Course | null> {
    const courseId = asObjectId(id);
    if (!courseId) return null;
    const course = await CourseModel.findById(courseId).lean<Course>().exec();
    return course && this.canRead(actor, course) ? course : null;
  }

  async readableOrFail(actor: Actor, id: Types.ObjectId | string): Promise<Course> {
    return (await this.readable(actor, id)) ?? courseNotFound();
  }

  /** The course if the actor owns it or is an admin; FORBIDDEN only where they may already see it. */
  async editableOrFail(actor: Actor, id: Types.ObjectId | string): Promise<Course> {
    const course = await this.readableOrFail(actor, id);
    if (!isOwner(actor, course) && !isAdmin(actor)) raise("FORBIDDEN", "Only the course's owner or an admin may change it");
    return course;
  }

  /**
   * Runs `work` while holding the course's chapter lock. The embedded engine (and a standalone
   * mongod) has no transactions, and renumbering n chapters is n writes, so two concurrent
   * reorders could interleave into duplicate or missing places. Instead every write that changes
   * orders (add, delete, reorder) takes this lease first with one atomic compare-and-set on the
   * course document, and others retry until it is released. The lease expires, so a process that
   * dies while holding it blocks the course for seconds, not forever; the next holder rewrites all
   * orders from scratch, which also repairs a half-finished renumber.
   */
  async withChapterLock<T>(courseId: Types.ObjectId, work: () => Promise<T>): Promise<T> {
    const token = randomUUID();
    const deadline = Date.now() + CHAPTER_LOCK_WAIT_MS;
    for (;;) {
      const now = new Date();
      const taken = await CourseModel.updateOne(
        { _id: courseId, $or: [{ chapters_lock: { $exists: false } }, { "chapters_lock.until": { $lt: now } }] },
        { $set: { chapters_lock: { token, until: new Date(now.getTime() + CHAPTER_LOCK_LEASE_MS) } } },
        { timestamps: false },
      ).exec();
      if (taken.matchedCount === 1) break;
      if (!(await CourseModel.exists({ _id: courseId }).exec())) courseNotFound();
      if (Date.now() > deadline) raise("CONFLICT", "The course's chapters are being changed by another request; try again");
      const { min, max } = CHAPTER_LOCK_RETRY_MS;
      await sleep(min + Math.random() * (max - min));
    }
    try {
      return await work();
    } finally {
      await CourseModel.updateOne(
        { _id: courseId, "chapters_lock.token": token },
        { $unset: { chapters_lock: 1 } },
        { timestamps: false },
      ).exec();
    }
  }
}
