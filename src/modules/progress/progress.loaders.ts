import type { Types } from "mongoose";
import type { Context } from "../../lib/context";
import { inKeyOrder, type Loaders } from "../../lib/loaders";
import type { Enrollment } from "./progress.model";

export function enrollmentCountLoader(ctx: Context) {
  return ctx.loaders.get("enrollmentCount", [], (ids: readonly Types.ObjectId[]) => ctx.services.progress.enrollmentCounts(ids));
}

/**
 * One user's progress per course, keyed by course: a loader per user and execution. `read` is
 * used only by whoever creates it first (`knowAllProgressOfUser` answers from what it was given).
 */
export function progressOfUser(loaders: Loaders, userId: Types.ObjectId, read: (courseIds: readonly Types.ObjectId[]) => Promise<(Enrollment | null)[]>) {
  return loaders.get("progressOfUser", [userId], read);
}

export function progressOfUserLoader(ctx: Context, userId: Types.ObjectId) {
  return progressOfUser(ctx.loaders, userId, (ids) => ctx.services.progress.forUser(userId, ids));
}

/**
 * `all` is every enrollment of the user, just read in this request: the user's progress loader
 * answers from it (null where not enrolled) instead of reading again. Where the loader already
 * exists it keeps reading what it was not primed with.
 */
export function knowAllProgressOfUser(loaders: Loaders, userId: Types.ObjectId, all: readonly Enrollment[]): void {
  const loader = progressOfUser(loaders, userId, async (ids) => inKeyOrder(ids, all, (row) => row.course_id, null));
  for (const row of all) loader.prime(row.course_id, row);
  loaders.hold(ALL_PROGRESS, [userId], new Map(all.map((row) => [String(row.course_id), row])));
}

/**
 * The user's progress by course when this execution read every enrollment of theirs (absent: not
 * enrolled), for `myProgress` to answer at once; undefined otherwise, or once a write changed one.
 */
export function allProgressHeld(loaders: Loaders, userId: Types.ObjectId): ReadonlyMap<string, Enrollment> | undefined {
  return loaders.holding(ALL_PROGRESS, [userId]);
}

/** A write changed the user's progress: what `allProgressHeld` held of it no longer holds. */
export function forgetAllProgress(loaders: Loaders, userId: Types.ObjectId): void {
  loaders.hold(ALL_PROGRESS, [userId], undefined);
}

const ALL_PROGRESS = "allProgressOfUser";
