import mongoose from "mongoose";
import type { AiProvider } from "../../infra/ai/provider";
import type { AppPubSub } from "../../infra/pubsub";
import { JobService } from "../../infra/jobs";
import type { Logger } from "../../lib/logger";
import { ChapterService } from "../chapters/chapter.service";
import { ProgressService } from "../progress/progress.service";
import { CourseAccess } from "./course.access";
import { CourseService, type CourseDependent } from "./course.service";
import { CourseGenerationService } from "./generation.service";

export interface CourseServices {
  courses: CourseService;
  chapters: ChapterService;
  progress: ProgressService;
  courseGeneration: CourseGenerationService;
}

export interface Courses {
  services: CourseServices;
  /**
   * Builds the indexes the rules rely on (unique chapter places, one enrollment per user and
   * course): at once when the database is connected, else on connection, so start-up never hangs.
   */
  start(log: Logger): Promise<void>;
  /** Stops the generation jobs of this process, recording them as interrupted. */
  close(): Promise<void>;
}

/** Courses, chapters, progress and generation, wired once per process. */
/** `dependents`: what other modules store per course, deleted with it. */
export function createCourses(deps: { ai: AiProvider; pubSub: AppPubSub; log: Logger; dependents?: CourseDependent[] }): Courses {
  const access = new CourseAccess();
  const chapters = new ChapterService(access);
  const progress = new ProgressService({ access, chapters });
  const courses = new CourseService({ access, enrollments: progress, dependents: [chapters, progress, ...(deps.dependents ?? [])] });
  const jobs = new JobService({ pubSub: deps.pubSub, log: deps.log });
  const courseGeneration = new CourseGenerationService({ ai: deps.ai, courses, chapters, jobs });
  return {
    services: { courses, chapters, progress, courseGeneration },
    async start(log) {
      const ready = () => Promise.all([courses.ready(), chapters.ready(), progress.ready()]).then(() => undefined);
      if (mongoose.connection.readyState === mongoose.ConnectionStates.connected) return ready();
      mongoose.connection.once("connected", () => {
        ready().catch((error: unknown) => log.error({ err: error }, "courses: building indexes failed"));
      });
    },
    close: () => jobs.close(),
  };
}
