import { peers, type AppModule } from "../app-module";
import { ActivityService } from "./activity.service";
import { DashboardResolver } from "./dashboard.resolver";
import { DashboardService } from "./dashboard.service";

/** A learner's dashboard: courses in progress, quiz results, weak spots, streaks. */
export const dashboardModule: AppModule<{ dashboard: DashboardService }> = {
  name: "dashboard",
  cachedQueries: ["dashboard"],
  resolvers: [DashboardResolver],
  create({ services }) {
    const activity = new ActivityService();
    const dashboard = new DashboardService(peers(services, ["courses", "chapters", "progress", "attempts", "leaderboard", "reviews"], { activity }));
    return {
      services: { dashboard },
      handles: {
        "attempt.stored": ({ attempt, quiz }) => activity.attemptSubmitted(attempt, quiz),
        "progress.chapterCompleted": ({ userId, chapter, at }) => activity.chapterCompleted(userId, chapter, at),
        "user.deleted": ({ userId }) => activity.userDeleted(userId),
      },
      start: () => activity.ready(),
    };
  },
};
