import type { Types } from "mongoose";
import type { Context } from "../../lib/context";

/** Each course's chapters in order: `Course.chapters`, `chapterCount` and `totalDurationMinutes` share it. */
export function chaptersByCourseLoader(ctx: Context) {
  return ctx.loaders.get("chaptersByCourse", [], (ids: readonly Types.ObjectId[]) => ctx.services.chapters.byCourses(ids));
}
