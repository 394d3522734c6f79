import { registerEnumType } from "type-graphql";

export enum LeaderboardPeriod {
  ALL_TIME = "ALL_TIME",
  MONTH = "MONTH",
  WEEK = "WEEK",
}

registerEnumType(LeaderboardPeriod, {
  name: "LeaderboardPeriod",
  description: "Which attempts a leaderboard counts, by calendar periods in UTC.",
  valuesConfig: {
    ALL_TIME: { description: "Every attempt ever." },
    MONTH: { description: "Attempts since the first of this month, 00:00 UTC." },
    WEEK: { description: "Attempts since Monday of this week, 00:00 UTC." },
  },
});

/** Start of the period containing `now`, in UTC; undefined for all time. */
export function periodStart(period: LeaderboardPeriod, now: Date): Date | undefined {
  if (period === LeaderboardPeriod.MONTH) return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  if (period === LeaderboardPeriod.WEEK) {
    const daysSinceMonday = (now.getUTCDay() + 6) % 7;
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - daysSinceMonday));
  }
  return undefined;
}
