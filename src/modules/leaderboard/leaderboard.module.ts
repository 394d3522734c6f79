import type { AppModule } from "../app-module";
import { MemoryLeaderboardCache, RedisLeaderboardCache } from "./leaderboard.cache";
import { LeaderboardEntryResolver, LeaderboardResolver } from "./leaderboard.resolver";
import { LeaderboardService } from "./leaderboard.service";

/** Users ranked by quiz points, cached (in Redis when there is one, shared by every instance). */
export const leaderboardModule: AppModule<{ leaderboard: LeaderboardService }> = {
  name: "leaderboard",
  cachedQueries: ["leaderboard"],
  resolvers: [LeaderboardResolver, LeaderboardEntryResolver],
  create({ config, log }) {
    const { redisUrl, database } = config;
    const cache = redisUrl ? new RedisLeaderboardCache(redisUrl, database.name, log) : new MemoryLeaderboardCache();
    const leaderboard = new LeaderboardService({ cache, log, maxPointsPerQuiz: config.leaderboard.maxPointsPerQuiz });
    return {
      services: { leaderboard },
      handles: {
        "attempt.stored": ({ attempt }) => leaderboard.attemptSubmitted(attempt),
        "attempts.removed": ({ quizIds }) => leaderboard.attemptsRemoved(quizIds),
        "user.deleted": ({ userId }) => leaderboard.userDeleted(userId),
      },
      start: () => leaderboard.ready(),
      stop: () => leaderboard.close(),
    };
  },
};
