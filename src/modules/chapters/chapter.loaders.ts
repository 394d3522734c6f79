import type { Context } from "../../context";
import { perContext } from "../courses/course.loaders";

/** Each course's chapters in order: `Course.chapters`, `chapterCount` and `totalDurationMinutes` share it. */
export function chaptersByCourseLoader(ctx: Context) {
  return perContext("chaptersByCourse", ctx, (ids) => ctx.services.chapters.byCourses(ids));
}
