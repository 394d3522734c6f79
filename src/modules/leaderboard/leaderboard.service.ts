import type { PipelineStage, Types } from "mongoose";
import type { Logger } from "../../lib/logger";
import type { Page } from "../../lib/pagination";
import { QuizAttemptModel } from "../quizzes/attempt.model";
import type { AttemptListener } from "../quizzes/attempt.service";
import type { AttemptsRemovedListener } from "../quizzes/quiz-cleanup";
import type { LeaderboardCache } from "./leaderboard.cache";
import { LeaderboardPeriod, periodStart } from "./period";
import { competitionRanks, type RankedStanding, type Standing } from "./ranking";

export interface LeaderboardQuery {
  period: LeaderboardPeriod;
  courseId?: Types.ObjectId;
}

export interface LeaderboardView extends Page<RankedStanding> {
  /** The caller's own place, wherever it is. */
  me: RankedStanding | null;
  computedAt: Date;
}

export interface Ranking {
  /** Every ranked user, best first. */
  standings: RankedStanding[];
  /** When the ranking was computed (it may be served from the cache for a few seconds). */
  computedAt: Date;
}

/**
 * Points per user: the best attempt per quiz, summed, so retaking a quiz cannot farm points.
 * Computed by one aggregation over `quiz_history` (its time and course indexes select the
 * period), cached briefly, and invalidated by every new or removed attempt.
 */
export class LeaderboardService implements AttemptListener, AttemptsRemovedListener {
  constructor(private readonly deps: { cache: LeaderboardCache; log: Logger }) {}

  /** One page of the ranking and the caller's own place in it. */
  async board(userId: Types.ObjectId, query: LeaderboardQuery, page: { skip: number; limit: number }): Promise<LeaderboardView> {
    const { standings, computedAt } = await this.ranking(query);
    const items = standings.slice(page.skip, page.skip + page.limit);
    return {
      items,
      total: standings.length,
      hasMore: page.skip + items.length < standings.length,
      me: standings.find((standing) => standing.userId === String(userId)) ?? null,
      computedAt,
    };
  }

  async ranking(query: LeaderboardQuery, now = new Date()): Promise<Ranking> {
    const since = periodStart(query.period, now);
    const key = `${query.period}:${query.courseId ?? "all"}:${since?.toISOString() ?? "ever"}`;
    const generation = await this.cached(() => this.deps.cache.generation());
    if (generation !== undefined) {
      const hit = await this.cached(() => this.deps.cache.get(generation, key));
      if (hit) return decode(hit);
    }
    const ranking: Ranking = { standings: competitionRanks(await this.standings(since, query.courseId)), computedAt: now };
    if (generation !== undefined) await this.cached(() => this.deps.cache.set(generation, key, JSON.stringify(ranking)));
    return ranking;
  }

  async attemptSubmitted(): Promise<void> {
    await this.cached(() => this.deps.cache.invalidate());
  }

  async attemptsRemoved(): Promise<void> {
    await this.cached(() => this.deps.cache.invalidate());
  }

  close(): Promise<void> {
    return this.deps.cache.close();
  }

  private async standings(since: Date | undefined, courseId: Types.ObjectId | undefined): Promise<Standing[]> {
    const match: Record<string, unknown> = {};
    if (courseId) match.course_id = courseId;
    if (since) match.created_at = { $gte: since };
    const pipeline: PipelineStage[] = [
      { $match: match },
      {
        $group: {
          _id: { user: "$user_id", quiz: "$quiz_id" },
          points: { $max: "$points" },
          percent: { $max: "$percent" },
        },
      },
      {
        $group: {
          _id: "$_id.user",
          points: { $sum: "$points" },
          quizzesTaken: { $sum: 1 },
          averagePercent: { $avg: "$percent" },
        },
      },
      { $sort: { points: -1, _id: 1 } },
    ];
    const rows = await QuizAttemptModel.aggregate<{ _id: Types.ObjectId; points: number; quizzesTaken: number; averagePercent: number }>(pipeline)
      .allowDiskUse(true)
      .exec();
    return rows.map((row) => ({
      userId: String(row._id),
      points: row.points,
      quizzesTaken: row.quizzesTaken,
      averagePercent: Math.round(row.averagePercent * 10) / 10,
    }));
  }

  /** The cache only saves work: when it fails (Redis down), boards are computed every time. */
  private async cached<T>(operation: () => Promise<T>): Promise<T | undefined> {
    try {
      return await operation();
    } catch (error) {
      this.deps.log.warn({ err: (error as Error).message }, "leaderboard: cache unavailable");
      return undefined;
    }
  }
}

function decode(text: string): Ranking {
  const parsed = JSON.parse(text) as { standings: RankedStanding[]; computedAt: string };
  return { standings: parsed.standings, computedAt: new Date(parsed.computedAt) };
}

