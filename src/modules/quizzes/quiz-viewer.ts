import type { Context } from "../../context";
import { actorOf } from "../courses/actor";
import { CourseAccess, isAdmin } from "../courses/course.access";
import { courseLoader } from "../courses/course.loaders";
import { isAuthor, ownsQuiz } from "./quiz-access";
import type { Question, Quiz } from "./quiz.model";

/**
 * A question on its way to the client, marked with whether this viewer may read its key:
 * `QuestionResolver` returns null for the key, explanation and citation when they may not.
 */
export type ShownQuestion = Question & { keys_visible: boolean };

/** Whether the viewer is one of the quiz's authors (its owner, its course's owner, an admin). */
export async function viewerAuthors(ctx: Context, quiz: Quiz): Promise<boolean> {
  const actor = await actorOf(ctx);
  if (!actor) return false;
  const course = quiz.course_id ? await courseLoader(ctx).load(quiz.course_id) : null;
  return isAuthor(actor, quiz, course);
}

/** The course visibility rules alone (no lock is used here), applied to courses from the request's loader. */
const courseRules = new CourseAccess();

/** `QuizAccess.canRead` with the quiz's course from the request's loader, for lists of quizzes. */
export async function viewerReads(ctx: Context, quiz: Quiz): Promise<boolean> {
  const actor = await actorOf(ctx);
  if (isAdmin(actor) || ownsQuiz(actor, quiz)) return true;
  const course = quiz.course_id ? await courseLoader(ctx).load(quiz.course_id) : null;
  return course !== null && courseRules.canRead(actor, course);
}

export async function shownQuestions(ctx: Context, quiz: Quiz): Promise<ShownQuestion[]> {
  const keysVisible = await viewerAuthors(ctx, quiz);
  return quiz.questions.map((question) => ({ ...question, keys_visible: keysVisible }));
}
