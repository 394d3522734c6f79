import mongoose from "mongoose";
import type { Config } from "../../config";
import type { AiProvider } from "../../infra/ai/provider";
import type { Logger } from "../../lib/logger";
import { AdminStatsResolver } from "../admin/admin-stats.resolver";
import { AdminStatsService } from "../admin/admin-stats.service";
import type { CourseServices } from "../courses/courses.module";
import { MemoryLeaderboardCache, RedisLeaderboardCache } from "../leaderboard/leaderboard.cache";
import { LeaderboardEntryResolver, LeaderboardResolver } from "../leaderboard/leaderboard.resolver";
import { LeaderboardService } from "../leaderboard/leaderboard.service";
import { AttemptResolver, GradedAnswerResolver } from "../quizzes/attempt.resolver";
import { QuestionResolver } from "../quizzes/question.resolver";
import { ChapterQuizCleanup } from "../quizzes/chapter-quiz-cleanup";
import type { QuizCleanup } from "../quizzes/quiz-cleanup";
import { QuizResolver } from "../quizzes/quiz.resolver";
import { createQuizzes, type QuizServices } from "../quizzes/quizzes.module";
import type { UploadServices } from "../uploads/uploads.module";
import { ActivityService } from "./activity.service";
import { DashboardResolver } from "./dashboard.resolver";
import { DashboardService } from "./dashboard.service";

export interface LearningServices extends QuizServices {
  leaderboard: LeaderboardService;
  dashboard: DashboardService;
  adminStats: AdminStatsService;
}

export interface Learning {
  services: LearningServices;
  /** Builds the indexes: at once when the database is connected, else on connection. */
  start(log: Logger): Promise<void>;
  /** Finishes deleting the quizzes of deleted chapters, and closes the leaderboard cache's Redis connection. */
  close(): Promise<void>;
}

export const LEARNING_RESOLVERS = [
  QuizResolver,
  QuestionResolver,
  AttemptResolver,
  GradedAnswerResolver,
  LeaderboardResolver,
  LeaderboardEntryResolver,
  DashboardResolver,
  AdminStatsResolver,
] as const;

/**
 * Quizzes, attempts, the leaderboard, the dashboard and admin statistics, wired once per process.
 * `cleanup` is made before the course module, which deletes a course's quizzes through it.
 */
export function createLearning(deps: {
  config: Config;
  ai: AiProvider;
  log: Logger;
  courses: CourseServices;
  uploads: UploadServices;
  cleanup: QuizCleanup;
}): Learning {
  const quizzes = createQuizzes({ ai: deps.ai, courses: deps.courses, uploads: deps.uploads, cleanup: deps.cleanup });
  const { redisUrl, database } = deps.config;
  const cache = redisUrl ? new RedisLeaderboardCache(redisUrl, database.name, deps.log) : new MemoryLeaderboardCache();
  const leaderboard = new LeaderboardService({ cache, log: deps.log });
  const activity = new ActivityService();
  const { attempts } = quizzes.services;
  attempts.listen(leaderboard);
  attempts.listen(activity);
  deps.cleanup.listen(leaderboard);
  deps.courses.progress.listen(activity);
  const chapterCleanup = new ChapterQuizCleanup(deps.cleanup, deps.log);
  deps.courses.chapters.listen(chapterCleanup);
  const dashboard = new DashboardService({ ...deps.courses, attempts, leaderboard, activity });
  return {
    services: { ...quizzes.services, leaderboard, dashboard, adminStats: new AdminStatsService() },
    async start(log) {
      await quizzes.start(log);
      const ready = () => Promise.all([activity.ready(), leaderboard.ready()]).then(() => undefined);
      if (mongoose.connection.readyState === mongoose.ConnectionStates.connected) return ready();
      mongoose.connection.once("connected", () => {
        ready().catch((error: unknown) => log.error({ err: error }, "dashboard: building indexes failed"));
      });
    },
    async close() {
      await chapterCleanup.idle();
      await leaderboard.close();
    },
  };
}
