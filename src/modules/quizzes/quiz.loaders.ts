import type { Types } from "mongoose";
import type { Context } from "../../lib/context";
import type { Loaders } from "../../lib/loaders";
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
