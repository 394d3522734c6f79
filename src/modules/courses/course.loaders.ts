import type { Types } from "mongoose";
import type { Context } from "../../lib/context";

/** Courses by id, unfiltered: callers decide what the viewer may see (`CoursePolicy`). */
export function courseLoader(ctx: Context) {
  return ctx.loaders.get("course", [], (ids: readonly Types.ObjectId[]) => ctx.services.courses.byIds(ids));
}
