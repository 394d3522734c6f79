import type { Types } from "mongoose";
import type { Context } from "../../lib/context";
import type { Loaders } from "../../lib/loaders";
import { alsoTo, type Reading } from "../../lib/raw-reads";
import { userSummaryLoader } from "../users/user.loaders";
import type { Quiz } from "./quiz.model";

/** Quizzes by id, unfiltered: callers decide what the viewer may see (`QuizPolicy`). */
export function quizLoader(ctx: Context) {
  return quizzesIn(ctx.loaders, ctx.services.quizzes);
}

/** `quizLoader` where a service holds the request's `loaders` but not its context. */
export function quizzesIn(loaders: Loaders, quizzes: { byIds(ids: readonly Types.ObjectId[]): Promise<(Quiz | null)[]> }) {
  return loaders.get("quiz", [], (ids: readonly Types.ObjectId[]) => quizzes.byIds(ids));
}

export function quizStatsLoader(ctx: Context) {
  return ctx.loaders.get("quizStats", [], (ids: readonly Types.ObjectId[]) => ctx.services.attempts.statsOf(ids));
}

/**
 * What a page reads besides its quiz, in the same commands as the quiz (`withQuiz`: what needs
 * only its id) and as its course (`withCourse`: what needs the quiz); their answers prime the
 * loaders the page's fields read (`alsoTo`).
 */
export interface ReadAlong {
  withQuiz?: (quizId: Types.ObjectId) => Record<string, Reading<unknown>>;
  withCourse?: (quiz: Quiz) => Record<string, Reading<unknown>>;
}

/**
 * A quiz page's statistics and author, when selected, read with its quiz and with its course
 * (`QuizService.readable`) into the loaders of the `stats` and `owner` fields: two commands
 * instead of four.
 */
export function quizPageReads(ctx: Context, selected: ReadonlySet<string>): ReadAlong {
  return {
    withQuiz: selected.has("stats") ? (quizId) => ({ stats: alsoTo(ctx.services.attempts.statsRead([quizId]), ([stats]) => quizStatsLoader(ctx).prime(quizId, stats)) }) : undefined,
    withCourse: selected.has("owner")
      ? (quiz) => ({ owner: alsoTo(ctx.services.users.summariesRead([quiz.owner_id]), ([owner]) => userSummaryLoader(ctx).prime(quiz.owner_id, owner)) })
      : undefined,
  };
}
