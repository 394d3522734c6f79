import type { Types } from "mongoose";
import type { Context } from "../../lib/context";

export function enrollmentCountLoader(ctx: Context) {
  return ctx.loaders.get("enrollmentCount", [], (ids: readonly Types.ObjectId[]) => ctx.services.progress.enrollmentCounts(ids));
}

/** One user's progress per course, keyed by course: a loader per user. */
export function progressOfUserLoader(ctx: Context, userId: Types.ObjectId) {
  return ctx.loaders.get("progressOfUser", [userId], (ids: readonly Types.ObjectId[]) => ctx.services.progress.forUser(userId, ids));
}
