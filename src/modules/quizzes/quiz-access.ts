import { raise } from "../../lib/errors";
import { isAdmin, type Actor } from "../courses/course.access";
import type { Course } from "../courses/course.model";
import type { Quiz } from "./quiz.model";

/** What quiz access needs from courses: the course if the actor may read it. */
export interface CourseLookup {
  readable(actor: Actor, id: string): Promise<Course | null>;
}

/** The same answer for "no such quiz" and "not yours to see". */
export function quizNotFound(): never {
  return raise("NOT_FOUND", "Quiz not found");
}

/**
 * Who may do what with a quiz. Readers: its owner, admins, and whoever may read its course (an
 * upload's quiz is its owner's alone). Authors (who edit it and read its keys and item
 * statistics): its owner, the owner of its course, and admins.
 */
export class QuizAccess {
  constructor(private readonly courses: CourseLookup) {}

  async canRead(actor: Actor, quiz: Quiz): Promise<boolean> {
    if (isAdmin(actor) || ownsQuiz(actor, quiz)) return true;
    return quiz.course_id !== undefined && (await this.courses.readable(actor, String(quiz.course_id))) !== null;
  }

  async canAuthor(actor: Actor, quiz: Quiz): Promise<boolean> {
    if (isAdmin(actor) || ownsQuiz(actor, quiz)) return true;
    if (!actor || quiz.course_id === undefined) return false;
    return isAuthor(actor, quiz, await this.courses.readable(actor, String(quiz.course_id)));
  }
}

/** `course` is the quiz's course (null when it has none or it is gone). */
export function isAuthor(actor: Actor, quiz: Quiz, course: Pick<Course, "owner_id"> | null): boolean {
  if (isAdmin(actor) || ownsQuiz(actor, quiz)) return true;
  return actor !== null && course !== null && course.owner_id.equals(actor._id);
}

export function ownsQuiz(actor: Actor, quiz: Pick<Quiz, "owner_id">): boolean {
  return actor !== null && quiz.owner_id.equals(actor._id);
}

