import type { Types } from "mongoose";
import type { Context } from "../../lib/context";

/** Quizzes by id, unfiltered: callers decide what the viewer may see (`QuizPolicy`). */
export function quizLoader(ctx: Context) {
  return ctx.loaders.get("quiz", [], (ids: readonly Types.ObjectId[]) => ctx.services.quizzes.byIds(ids));
}

export function quizStatsLoader(ctx: Context) {
  return ctx.loaders.get("quizStats", [], (ids: readonly Types.ObjectId[]) => ctx.services.attempts.statsOf(ids));
}
