import type { Context } from "../../lib/context";
import { actorOf } from "../../lib/identity";
import { courseLoader } from "../courses/course.loaders";
import { QuizPolicy } from "./quiz.policy";
import type { Question, Quiz } from "./quiz.model";

/**
 * A question on its way to the client, marked with whether this viewer may read its key:
 * `QuestionResolver` returns null for the key, explanation and citation when they may not.
 */
export type ShownQuestion = Question & { keys_visible: boolean };

/** `QuizPolicy.canAuthor` for the request's viewer, with the quiz's course from the request's loader. */
export async function viewerAuthors(ctx: Context, quiz: Quiz): Promise<boolean> {
  const actor = await actorOf(ctx);
  return actor !== null && QuizPolicy.canAuthor(actor, quiz, await courseOf(ctx, quiz));
}

/** `QuizPolicy.canRead` for the request's viewer, for lists of quizzes. */
export async function viewerReads(ctx: Context, quiz: Quiz): Promise<boolean> {
  return QuizPolicy.canRead(await actorOf(ctx), quiz, await courseOf(ctx, quiz));
}

export async function shownQuestions(ctx: Context, quiz: Quiz): Promise<ShownQuestion[]> {
  const keysVisible = await viewerAuthors(ctx, quiz);
  return quiz.questions.map((question) => ({ ...question, keys_visible: keysVisible }));
}

function courseOf(ctx: Context, quiz: Quiz) {
  return quiz.course_id ? courseLoader(ctx).load(quiz.course_id) : Promise.resolve(null);
}
