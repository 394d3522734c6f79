import { JobService } from "../../infra/jobs";
import { peers, type AppModule } from "../app-module";
import { CourseResolver } from "./course.resolver";
import { CourseService } from "./course.service";
import { GenerationResolver } from "./generation.resolver";
import { CourseGenerationService } from "./generation.service";

/** Courses and their generation from a topic. */
export const coursesModule: AppModule<{ courses: CourseService; courseGeneration: CourseGenerationService }> = {
  name: "courses",
  cachedQueries: ["courses", "course"],
  resolvers: [CourseResolver, GenerationResolver],
  create({ ai, aiWork, pubSub, log, events, services }) {
    const courses = new CourseService(peers(services, ["progress", "chapters", "users"], { events }));
    const jobs = new JobService({ pubSub, log });
    const courseGeneration = new CourseGenerationService(peers(services, ["courses", "chapters"], { ai, aiWork, jobs }));
    return {
      services: { courses, courseGeneration },
      // The course's copy of its chapters and of its owner's name (`Course.chapter_summaries`).
      handles: {
        "chapter.saved": ({ chapter }) => courses.syncChapters(chapter.course_id),
        "chapter.deleted": ({ courseId }) => courses.syncChapters(courseId),
        "chapters.reordered": ({ courseId }) => courses.syncChapters(courseId),
        "user.changed": ({ userId }) => courses.syncOwnerName(userId),
        "user.deleted": async ({ userId }) => {
          await jobs.removeOwnedBy(userId);
          await courses.userDeleted(userId);
        },
      },
      start: () => courses.ready(),
      /** Stops this process's generation jobs, recording them as interrupted. */
      stop: () => jobs.close(),
    };
  },
};
