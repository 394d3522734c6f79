import type { Types } from "mongoose";
import type { Context } from "../../lib/context";
import type { Loaders } from "../../lib/loaders";
import type { CourseService } from "./course.service";

/** Courses by id, unfiltered: callers decide what the viewer may see (`CoursePolicy`). */
export function courseLoader(ctx: Context) {
  return coursesIn(ctx.loaders, ctx.services.courses);
}

/** `courseLoader` where a service holds the request's `loaders` but not its context. */
export function coursesIn(loaders: Loaders, courses: Pick<CourseService, "byIds">) {
  return loaders.get("course", [], (ids: readonly Types.ObjectId[]) => courses.byIds(ids));
}
