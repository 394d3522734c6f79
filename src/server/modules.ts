import type { ServicesOf } from "../modules/app-module";
import { accountsModule } from "../modules/accounts/accounts.module";
import { adminModule } from "../modules/admin/admin.module";
import { authModule } from "../modules/auth/auth.module";
import { chaptersModule } from "../modules/chapters/chapters.module";
import { classesModule } from "../modules/classes/classes.module";
import { chatModule } from "../modules/chat/chat.module";
import { coursesModule } from "../modules/courses/courses.module";
import { dashboardModule } from "../modules/dashboard/dashboard.module";
import { healthModule } from "../modules/health/health.module";
import { leaderboardModule } from "../modules/leaderboard/leaderboard.module";
import { progressModule } from "../modules/progress/progress.module";
import { quizzesModule } from "../modules/quizzes/quizzes.module";
import { searchModule } from "../modules/search/search.module";
import { studyModule } from "../modules/study/study.module";
import { uploadsModule } from "../modules/uploads/uploads.module";
import { usersModule } from "../modules/users/users.module";

/**
 * Every domain of the API, in dependency order: modules start in this order and stop in the
 * reverse one, and a domain's events reach the others' handlers in this order. Adding a domain
 * is its folder plus one line here.
 */
export const MODULES = [
  healthModule,
  usersModule,
  authModule,
  coursesModule,
  chaptersModule,
  progressModule,
  searchModule,
  uploadsModule,
  chatModule,
  quizzesModule,
  studyModule,
  leaderboardModule,
  classesModule,
  dashboardModule,
  adminModule,
  accountsModule,
] as const;

export type AppServices = ServicesOf<typeof MODULES>;

declare module "../lib/context" {
  /** `Context["services"]`: what the module list provides. */
  interface Services extends AppServices {}
}
