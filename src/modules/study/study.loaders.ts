import type { Types } from "mongoose";
import type { Context } from "../../lib/context";

/** One learner's schedules per card. */
export function reviewStatesLoader(ctx: Context, userId: Types.ObjectId) {
  return ctx.loaders.get("reviewStates", [userId], (ids: readonly Types.ObjectId[]) => ctx.services.reviews.statesOf(userId, ids));
}
