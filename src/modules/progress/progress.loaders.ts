import type { Types } from "mongoose";
import type { Context } from "../../context";
import { perContext } from "../courses/course.loaders";

export function enrollmentCountLoader(ctx: Context) {
  return perContext("enrollmentCount", ctx, (ids) => ctx.services.progress.enrollmentCounts(ids));
}

/** The signed-in user's progress per course: the user is fixed per context, so courses are the keys. */
export function viewerProgressLoader(ctx: Context, userId: Types.ObjectId) {
  return perContext("viewerProgress", ctx, (ids) => ctx.services.progress.forUser(userId, ids));
}
