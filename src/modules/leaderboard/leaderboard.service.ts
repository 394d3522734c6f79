import type { PipelineStage, Types } from "mongoose";
import type { Logger } from "../../lib/logger";
import { toPage, type Page } from "../../lib/pagination";
import type { QuizAttempt } from "../quizzes/attempt.model";
import { BestScoreModel } from "./best-score.model";
import { announcementsHeard, announceWritten, noteRead, Tag, unrecorded } from "../../lib/read-tags";
import { LEADERBOARD_TTL_MS, type LeaderboardCache } from "./leaderboard.cache";
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

/** A ranking as this instance serves it: decoded once, each user's place found without a scan. */
interface Served extends Ranking {
  places: Map<string, RankedStanding>;
  /** The cache's own lifetime: past it, the shared cache is asked again. */
  until: number;
}

/** How many decoded boards (periods, courses) one instance keeps for the current generation. */
const MAX_SERVED = 256;

/**
 * What a cached answer showing one user's place on the all-time board (`place`) is tagged with:
 * `Tag.of(PLACES, "user_id", id)`. A new score changes few places (none, when it raises no one's
 * points), so such an answer is dropped only when its user's rank or points change, not by every
 * attempt as one tagged with every score would be.
 */
export const PLACES = "leaderboard_places";
/** Past this many changed places, every place is announced as changed. */
const MAX_ANNOUNCED_PLACES = 200;
const ALL_TIME: LeaderboardQuery = { period: LeaderboardPeriod.ALL_TIME };

/**
 * Every user with an attempt in the period is ranked. Points per user: the best counting attempt
 * per quiz (see `counts_for_leaderboard`: by default the first attempt at a quiz one cannot
 * author), at most `maxPointsPerQuiz` each, summed; attempts that do not count still show in
 * `quizzesTaken`, `attempts` and `averagePercent`, so a learner who only takes their own quizzes
 * is on the board with 0 points, after everyone who scored.
 * Computed by one aggregation over the scores kept per user, quiz and day (`BestScore`; its day
 * and course index selects the rows), cached briefly, and invalidated by every new or removed
 * attempt.
 */
export class LeaderboardService {
  private readonly inFlight = new Map<string, Promise<Served>>();
  /** By `generation:key`; only the current generation's, since an invalidation makes the others stale. */
  private readonly served = new Map<string, Served>();
  private servedGeneration: string | undefined;

  constructor(private readonly deps: { cache: LeaderboardCache; log: Logger; maxPointsPerQuiz: number }) {}

  /** One page of the ranking and the caller's own place in it. */
  async board(userId: Types.ObjectId, query: LeaderboardQuery, page: { skip: number; limit: number }): Promise<LeaderboardView> {
    // Often answered from memory or Redis, not the database: a response cached with it must still go with a new score.
    noteRead(Tag.all(BestScoreModel.collection.collectionName));
    const { standings, places, computedAt } = await this.ranking(query);
    const items = standings.slice(page.skip, page.skip + page.limit);
    return { ...toPage(items, standings.length, page), me: places.get(String(userId)) ?? null, computedAt };
  }

  /** The user's place on the all-time board (null: not on it): a cached answer showing it goes only when that place changes. */
  async place(userId: Types.ObjectId): Promise<RankedStanding | null> {
    noteRead(Tag.of(PLACES, "user_id", userId));
    return (await this.ranking(ALL_TIME)).places.get(String(userId)) ?? null;
  }

  /**
   * The ranking for `query`: decoded on this instance while the shared cache's generation stays
   * the same (a dashboard asks for it on every request), else from the shared cache, else computed.
   */
  private ranking(query: LeaderboardQuery, now = new Date()): Promise<Served> {
    // Shared by every request asking for it: each tags what it shows of it (`board`, `place`).
    return unrecorded(() => this.rankingOf(query, now));
  }

  private async rankingOf(query: LeaderboardQuery, now: Date): Promise<Served> {
    const since = periodStart(query.period, now);
    const key = `${query.period}:${query.courseId ?? "all"}:${since?.toISOString() ?? "ever"}`;
    const generation = await this.cached(() => this.deps.cache.generation());
    if (generation !== undefined) {
      if (generation !== this.servedGeneration) {
        this.served.clear();
        this.servedGeneration = generation;
      }
      const local = this.served.get(`${generation}:${key}`);
      if (local && local.until > Date.now()) return local;
      const hit = await this.cached(() => this.deps.cache.get(generation, key));
      if (hit) return this.serve(generation, key, decode(hit));
    }
    // Requests that miss together share one computation instead of each running the aggregation.
    const flightKey = `${generation ?? "uncached"}:${key}`;
    let flight = this.inFlight.get(flightKey);
    if (!flight) {
      flight = this.compute(since, query.courseId, now, generation, key).finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, flight);
    }
    return flight;
  }

  private async compute(since: Date | undefined, courseId: Types.ObjectId | undefined, now: Date, generation: string | undefined, key: string): Promise<Served> {
    const ranking: Ranking = { standings: competitionRanks(await this.standings(since, courseId)), computedAt: now };
    if (generation === undefined) return served(ranking);
    await this.cached(() => this.deps.cache.set(generation, key, JSON.stringify(ranking)));
    return this.serve(generation, key, ranking);
  }

  /** Kept only under the newest generation seen: a board computed before an invalidation is served to its own requests alone. */
  private serve(generation: string, key: string, ranking: Ranking): Served {
    const view = served(ranking);
    if (generation !== this.servedGeneration) return view;
    if (this.served.size >= MAX_SERVED) this.served.delete(this.served.keys().next().value!);
    this.served.set(`${generation}:${key}`, view);
    return view;
  }

  async ready(): Promise<void> {
    await BestScoreModel.init();
    // Rows kept before attempts were counted per row held one counted attempt each.
    await BestScoreModel.collection.updateMany({ attempts: { $exists: false } }, [{ $set: { attempts: 1, percent_sum: "$percent" } }]);
  }

  /** The points an attempt adds to the leaderboard: none unless it counts, and at most the cap per quiz. */
  pointsOf(attempt: Pick<QuizAttempt, "points" | "counts_for_leaderboard">): number {
    // A quiz of many questions must not be worth more than any other: that made a self-written 50-question quiz #1.
    return attempt.counts_for_leaderboard ? Math.min(attempt.points, this.deps.maxPointsPerQuiz) : 0;
  }

  /** Adds the attempt to the user's scores at the quiz (all time and that UTC day), then drops cached boards and announces the places it changed. */
  async attemptSubmitted(attempt: QuizAttempt): Promise<void> {
    const points = this.pointsOf(attempt);
    // Only the response cache wants to know which places moved; without it, no ranking is read here.
    // Nor for an attempt that earns nothing: no one's points change, so no one's rank does, and
    // only the attempter's own totals (attempts, average) move.
    const before = announcementsHeard() && points > 0 ? await this.ranking(ALL_TIME) : undefined;
    const day = new Date(Date.UTC(attempt.created_at.getUTCFullYear(), attempt.created_at.getUTCMonth(), attempt.created_at.getUTCDate()));
    const best = (when: Date | null) => ({
      updateOne: {
        filter: { user_id: attempt.user_id, quiz_id: attempt.quiz_id, day: when },
        update: {
          $max: { points, percent: attempt.percent },
          $inc: { attempts: 1, percent_sum: attempt.percent },
          ...(attempt.course_id && { $setOnInsert: { course_id: attempt.course_id } }),
        },
        upsert: true,
      },
    });
    await BestScoreModel.bulkWrite([best(null), best(day)], { ordered: false });
    await this.cached(() => this.deps.cache.invalidate());
    if (before) this.announcePlaces(movedPlaces(before, await this.ranking(ALL_TIME), String(attempt.user_id)));
    else if (announcementsHeard()) this.announcePlaces([String(attempt.user_id)]);
  }

  async attemptsRemoved(quizIds: Types.ObjectId[]): Promise<void> {
    await BestScoreModel.deleteMany({ quiz_id: { $in: quizIds } }).exec();
    await this.cached(() => this.deps.cache.invalidate());
    this.announcePlaces(undefined);
  }

  /**
   * After the write and the new generation, so that an answer read before is dropped (or, still
   * being computed, not kept) and one read after sees the new ranking. `undefined`: every place.
   */
  private announcePlaces(userIds: string[] | undefined): void {
    if (userIds?.length === 0) return;
    const keys: Record<string, string[]> = userIds && userIds.length <= MAX_ANNOUNCED_PLACES ? { user_id: userIds } : {};
    announceWritten([{ collection: PLACES, keys }]);
  }

  /** `user.deleted`: their scores leave every board at once. */
  async userDeleted(userId: Types.ObjectId): Promise<void> {
    await BestScoreModel.deleteMany({ user_id: userId }).exec();
    await this.cached(() => this.deps.cache.invalidate());
  }

  close(): Promise<void> {
    return this.deps.cache.close();
  }

  private async standings(since: Date | undefined, courseId: Types.ObjectId | undefined): Promise<Standing[]> {
    const match: Record<string, unknown> = { day: since ? { $gte: since } : null };
    if (courseId) match.course_id = courseId;
    const perUser = {
      $group: { _id: "$user_id", points: { $sum: "$points" }, quizzesTaken: { $sum: 1 }, attempts: { $sum: "$attempts" }, percentSum: { $sum: "$percent_sum" } },
    };
    // All time: one row per user and quiz already. A period: the best of its days per quiz first.
    const perQuiz = {
      $group: { _id: { user_id: "$user_id", quiz_id: "$quiz_id" }, points: { $max: "$points" }, attempts: { $sum: "$attempts" }, percent_sum: { $sum: "$percent_sum" } },
    };
    const pipeline: PipelineStage[] = since
      ? [{ $match: match }, perQuiz, { $project: { _id: 0, user_id: "$_id.user_id", points: 1, attempts: 1, percent_sum: 1 } }, perUser, { $sort: { points: -1, _id: 1 } }]
      : [{ $match: match }, perUser, { $sort: { points: -1, _id: 1 } }];
    const rows = await BestScoreModel.aggregate<{ _id: Types.ObjectId; points: number; quizzesTaken: number; attempts: number; percentSum: number }>(pipeline)
      .allowDiskUse(true)
      .exec();
    return rows.map((row) => ({
      userId: String(row._id),
      points: row.points,
      quizzesTaken: row.quizzesTaken,
      attempts: row.attempts,
      averagePercent: row.attempts === 0 ? 0 : Math.round((row.percentSum / row.attempts) * 10) / 10,
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

/**
 * Users whose rank or points differ between two rankings (or who are on one only), and the
 * one whose attempt it was, whose own totals changed either way. A ranking read before the write
 * and one computed after it: a change by another attempt in between is announced by that attempt too.
 */
function movedPlaces(before: Served, after: Served, attempter: string): string[] {
  const moved = new Set([attempter]);
  for (const [userId, now] of after.places) {
    const then = before.places.get(userId);
    if (!then || then.rank !== now.rank || then.points !== now.points) moved.add(userId);
  }
  for (const userId of before.places.keys()) if (!after.places.has(userId)) moved.add(userId);
  return [...moved];
}

function served(ranking: Ranking): Served {
  const places = new Map(ranking.standings.map((standing) => [standing.userId, standing]));
  return { ...ranking, places, until: Date.now() + LEADERBOARD_TTL_MS };
}

function decode(text: string): Ranking {
  const parsed = JSON.parse(text) as { standings: RankedStanding[]; computedAt: string };
  return { standings: parsed.standings, computedAt: new Date(parsed.computedAt) };
}

