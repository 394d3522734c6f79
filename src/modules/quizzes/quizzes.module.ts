import mongoose from "mongoose";
import type { AiProvider } from "../../infra/ai/provider";
import type { Logger } from "../../lib/logger";
import type { CourseServices } from "../courses/courses.module";
import { PassageStore } from "../search/passage-store";
import type { UploadServices } from "../uploads/uploads.module";
import { AttemptService } from "./attempt.service";
import type { QuizCleanup } from "./quiz-cleanup";
import { QuizSources } from "./quiz-sources";
import { QuizService } from "./quiz.service";

export interface QuizServices {
  quizzes: QuizService;
  attempts: AttemptService;
}

export interface Quizzes {
  services: QuizServices;
  /** Builds the indexes (leaderboard aggregation relies on them): at once when connected, else on connection. */
  start(log: Logger): Promise<void>;
}

/** Quizzes and attempts, wired once per process; `cleanup` is made first, for the course and upload cascades. */
export function createQuizzes(deps: { ai: AiProvider; courses: CourseServices; uploads: UploadServices; cleanup: QuizCleanup }): Quizzes {
  const sources = new QuizSources({
    courses: deps.courses.courses,
    chapters: deps.courses.chapters,
    uploads: deps.uploads.uploads,
    passages: new PassageStore(deps.ai),
  });
  const quizzes = new QuizService({ ai: deps.ai, courses: deps.courses.courses, sources, cleanup: deps.cleanup });
  const attempts = new AttemptService({ ai: deps.ai, quizzes });
  return {
    services: { quizzes, attempts },
    async start(log) {
      const ready = () => Promise.all([quizzes.ready(), attempts.ready()]).then(() => undefined);
      if (mongoose.connection.readyState === mongoose.ConnectionStates.connected) return ready();
      mongoose.connection.once("connected", () => {
        ready().catch((error: unknown) => log.error({ err: error }, "quizzes: building indexes failed"));
      });
    },
  };
}
