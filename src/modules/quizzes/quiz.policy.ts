import { raise } from "../../lib/errors";
import { granted, GrantRole } from "../../lib/grants";
import { isAdmin, type Actor } from "../../lib/identity";
import type { Course } from "../courses/course.model";
import { CoursePolicy } from "../courses/course.policy";
import type { Quiz } from "./quiz.model";

/**
 * Who may do what with a quiz, as pure rules over the quiz and its course (`course`: null when
 * it has none or it is gone). Readers: its owner, admins, whoever may read its course, and those
 * it is shared with (an upload's quiz is otherwise its owner's alone). Authors (who edit it and
 * read its keys and item statistics): its owner, the editors of its course (`CoursePolicy`), its
 * EDITOR shares, and admins.
 */
export const QuizPolicy = {
  owns(actor: Actor, quiz: Pick<Quiz, "owner_id">): boolean {
    return actor !== null && quiz.owner_id.equals(actor._id);
  },

  canRead(actor: Actor, quiz: Quiz, course: Course | null): boolean {
    if (isAdmin(actor) || QuizPolicy.owns(actor, quiz)) return true;
    return granted(actor, quiz, GrantRole.VIEWER) || (course !== null && CoursePolicy.canRead(actor, course));
  },

  /**
   * A course's quizzes are listed to every reader of the course, so only those who edit the
   * course (its owner, admins) add quizzes to it; reading it is not enough.
   */
  canAddTo(actor: Actor, course: Pick<Course, "owner_id">): boolean {
    return CoursePolicy.canEdit(actor, course);
  },

  /**
   * Whether a list of quizzes holds only the actor's own: when asked (`mine`), and whenever it is
   * not a course's list, except for an admin, who is shown everyone's.
   */
  listsOnlyOwn(actor: Actor, list: { mine?: boolean | null; courseId?: string | null }): boolean {
    return Boolean(list.mine) || (!list.courseId && !isAdmin(actor));
  },

  canAuthor(actor: Actor, quiz: Quiz, course: Pick<Course, "owner_id" | "grants"> | null): boolean {
    if (isAdmin(actor) || QuizPolicy.owns(actor, quiz) || granted(actor, quiz, GrantRole.EDITOR)) return true;
    return course !== null && CoursePolicy.canEdit(actor, course);
  },

  /**
   * Whether the actor takes the quiz only through a class assignment now: they belong to a class
   * it is assigned to (until its due date, or for good where late work counts) and do not author it.
   */
  takenThroughClass(actor: Actor, quiz: Quiz, course: Pick<Course, "owner_id" | "grants"> | null, now = new Date()): boolean {
    if (!actor || !quiz.assigned_to?.length || QuizPolicy.canAuthor(actor, quiz, course)) return false;
    const classes = new Set((actor.class_ids ?? []).map(String));
    return quiz.assigned_to.some((entry) => classes.has(String(entry.class_id)) && (!entry.until || entry.until.getTime() > now.getTime()));
  },

  /** Sharing a quiz (with a class or users, or by assigning it): whoever authors it. */
  canShare(actor: Actor, quiz: Quiz, course: Pick<Course, "owner_id" | "grants"> | null): boolean {
    return QuizPolicy.canAuthor(actor, quiz, course);
  },
};

/** The same answer for "no such quiz" and "not yours to see". */
export function quizNotFound(): never {
  return raise("NOT_FOUND", "Quiz not found");
}
