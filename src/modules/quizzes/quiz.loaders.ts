import type { Context } from "../../context";
import { perContext } from "../courses/course.loaders";

/** Quizzes by id, unfiltered: callers decide what the viewer may see. */
export function quizLoader(ctx: Context) {
  return perContext("quiz", ctx, (ids) => ctx.services.quizzes.byIds(ids));
}

export function quizStatsLoader(ctx: Context) {
  return perContext("quizStats", ctx, (ids) => ctx.services.attempts.statsOf(ids));
}
