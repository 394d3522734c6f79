import type { Types } from "mongoose";
import type { Context } from "../../lib/context";
import { inKeyOrder, type Loaders } from "../../lib/loaders";
import type { Progress } from "./progress.model";

export function enrollmentCountLoader(ctx: Context) {
  return ctx.loaders.get("enrollmentCount", [], (ids: readonly Types.ObjectId[]) => ctx.services.progress.enrollmentCounts(ids));
}

/** One user's progress per course, keyed by course: a loader per user. */
export function progressOfUserLoader(ctx: Context, userId: Types.ObjectId) {
  return ctx.loaders.get("progressOfUser", [userId], (ids: readonly Types.ObjectId[]) => ctx.services.progress.forUser(userId, ids));
}

/**
 * `all` is every enrollment of the user, just read in this request: the user's progress loader
 * answers from it (null where not enrolled) instead of reading again. Where the loader already
 * exists it keeps reading what it was not primed with.
 */
export function knowAllProgressOfUser(loaders: Loaders, userId: Types.ObjectId, all: readonly Progress[]): void {
  const loader = loaders.get("progressOfUser", [userId], async (ids: readonly Types.ObjectId[]) => inKeyOrder(ids, all, (row) => row.course_id, null));
  for (const row of all) loader.prime(row.course_id, row);
}
