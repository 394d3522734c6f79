import type { QueryFilter } from "mongoose";
import type { Job } from "../../infra/jobs";
import { raise } from "../../lib/errors";
import { granted, grantedFilter, GrantRole, type Grantable } from "../../lib/grants";
import { isAdmin, UserRole, type Actor } from "../../lib/identity";
import type { Course } from "./course.model";

/**
 * Who may do what with a course, as pure rules: the course service applies them to queries and
 * documents, and field resolvers to courses from the request's loader.
 */
export const CoursePolicy = {
  isOwner(actor: Actor, course: Pick<Course, "owner_id">): boolean {
    return actor !== null && course.owner_id.equals(actor._id);
  },

  /**
   * The public catalog, one's own courses, courses shared with you or a class of yours (the one
   * place sharing is read: quizzes and decks of a course follow it), and everything for an admin.
   */
  canRead(actor: Actor, course: Pick<Course, "is_public" | "owner_id"> & Grantable): boolean {
    return course.is_public || CoursePolicy.isOwner(actor, course) || isAdmin(actor) || granted(actor, course, GrantRole.VIEWER);
  },

  /** `canRead` as a query filter. */
  readableFilter(actor: Actor): QueryFilter<Course> {
    if (isAdmin(actor)) return {};
    if (!actor) return { is_public: true };
    return { $or: [{ is_public: true }, { owner_id: actor._id }, grantedFilter(actor)] };
  },

  /** Its owner, its EDITOR shares (co-authors) and admins change a course, its chapters and its quizzes. */
  canEdit(actor: Actor, course: Pick<Course, "owner_id"> & Grantable): boolean {
    return CoursePolicy.isOwner(actor, course) || isAdmin(actor) || granted(actor, course, GrantRole.EDITOR);
  },

  /** Enrolling: a public course, or one of one's own or shared with one (reading it as an admin is not enough). */
  canEnroll(actor: Actor, course: Pick<Course, "is_public" | "owner_id"> & Grantable): boolean {
    return course.is_public || CoursePolicy.isOwner(actor, course) || granted(actor, course, GrantRole.VIEWER);
  },

  /** Sharing a course (with a class or users, or by assigning it) is its owner's and admins' decision. */
  canShare(actor: Actor, course: Pick<Course, "owner_id">): boolean {
    return CoursePolicy.isOwner(actor, course) || isAdmin(actor);
  },

  /** A course generation job is seen and followed by whoever asked for it, and by admins. */
  canSeeGenerationJob(actor: Actor, job: Pick<Job, "owner_id">): boolean {
    return CoursePolicy.isOwner(actor, job) || isAdmin(actor);
  },

  /** Students keep their courses private: only instructors and admins publish. */
  canPublish(actor: Actor): boolean {
    return actor !== null && actor.role !== UserRole.STUDENT;
  },
};

/** The same answer for "no such course" and "not yours to see": a private course's existence never leaks. */
export function courseNotFound(): never {
  return raise("NOT_FOUND", "Course not found");
}
