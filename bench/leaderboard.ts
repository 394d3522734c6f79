import "reflect-metadata";
import mongoose, { Types } from "mongoose";
import { startEmbeddedMongo } from "../src/embedded-mongo";
import { createLogger } from "../src/lib/logger";
import { BestScoreModel } from "../src/modules/leaderboard/best-score.model";
import { MemoryLeaderboardCache } from "../src/modules/leaderboard/leaderboard.cache";
import { LeaderboardService } from "../src/modules/leaderboard/leaderboard.service";
import { LeaderboardPeriod } from "../src/modules/leaderboard/period";
import { QuizAttemptModel } from "../src/modules/quizzes/attempt.model";

const DAY_MS = 86_400_000;

function percentile(sorted: number[], p: number): string {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(2);
}

async function timed(runs: number, run: () => Promise<unknown>): Promise<{ p50: string; p95: string }> {
  const latencies: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await run();
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

/** Attempts of 10 answers spread over 60 days, 500 quizzes in 20 courses; each user retakes some quizzes. */
async function fill(users: number, attempts: number): Promise<Types.ObjectId> {
  const userIds = Array.from({ length: users }, () => new Types.ObjectId());
  const courseIds = Array.from({ length: 20 }, () => new Types.ObjectId());
  const quizzes = Array.from({ length: 500 }, (_, i) => ({ id: new Types.ObjectId(), course: courseIds[i % courseIds.length] }));
  const questionIds = Array.from({ length: 10 }, () => new Types.ObjectId());
  const now = Date.now();
  const batch = 10_000;
  const best = new Map<
    string,
    { user_id: Types.ObjectId; quiz_id: Types.ObjectId; course_id: Types.ObjectId; day: Date | null; points: number; percent: number; attempts: number; percent_sum: number }
  >();
  for (let start = 0; start < attempts; start += batch) {
    const rows = Array.from({ length: Math.min(batch, attempts - start) }, (_, k) => {
      const n = start + k;
      const quiz = quizzes[(n * 7919) % quizzes.length];
      const score = (n * 31) % 11;
      return {
        user_id: userIds[(n * 104_729) % users],
        quiz_id: quiz.id,
        course_id: quiz.course,
        answers: Array.from({ length: 10 }, (_, q) => ({ question_id: questionIds[q], selected_options: [q % 4], correct: q < score })),
        score,
        question_count: 10,
        percent: score * 10,
        points: score * 10,
        created_at: new Date(now - ((n * 2_654_435_761) % (60 * DAY_MS))),
      };
    });
    await QuizAttemptModel.collection.insertMany(rows);
    for (const row of rows) {
      const day = new Date(Math.floor(row.created_at.getTime() / DAY_MS) * DAY_MS);
      for (const when of [null, day]) {
        const key = `${String(row.user_id)}:${String(row.quiz_id)}:${when?.getTime() ?? "all"}`;
        const kept = best.get(key);
        if (!kept) {
          best.set(key, { user_id: row.user_id, quiz_id: row.quiz_id, course_id: row.course_id, day: when, points: row.points, percent: row.percent, attempts: 1, percent_sum: row.percent });
        } else {
          kept.points = Math.max(kept.points, row.points);
          kept.percent = Math.max(kept.percent, row.percent);
          kept.attempts += 1;
          kept.percent_sum += row.percent;
        }
      }
    }
  }
  // What `LeaderboardService.attemptSubmitted` keeps, written at once rather than attempt by attempt.
  const scores = [...best.values()];
  for (let start = 0; start < scores.length; start += batch) await BestScoreModel.collection.insertMany(scores.slice(start, start + batch));
  return courseIds[0];
}

/** `npm run bench`: leaderboard query latency at 10k users and 100k attempts, computed and cached. */
export async function benchLeaderboard(users = 10_000, attempts = 100_000): Promise<string[]> {
  const engine = await startEmbeddedMongo();
  await mongoose.connect(engine.uri, { dbName: "bench-leaderboard" });
  try {
    await Promise.all([QuizAttemptModel.init(), BestScoreModel.init()]);
    const courseId = await fill(users, attempts);
    const cache = new MemoryLeaderboardCache();
    const leaderboard = new LeaderboardService({ cache, log: createLogger({ level: "silent" }), maxPointsPerQuiz: 100 });
    const me = (await QuizAttemptModel.findOne().lean().exec())!.user_id;
    const page = { skip: 0, limit: 20 };
    const uncached = (period: LeaderboardPeriod, course?: Types.ObjectId) =>
      timed(10, async () => {
        await cache.invalidate();
        await leaderboard.board(me, { period, courseId: course }, page);
      });
    const allTime = await uncached(LeaderboardPeriod.ALL_TIME);
    const week = await uncached(LeaderboardPeriod.WEEK);
    const course = await uncached(LeaderboardPeriod.ALL_TIME, courseId);
    await leaderboard.board(me, { period: LeaderboardPeriod.ALL_TIME }, page);
    const cached = await timed(1_000, () => leaderboard.board(me, { period: LeaderboardPeriod.ALL_TIME }, page));
    await cache.invalidate();
    const together = await timed(1, () => Promise.all(Array.from({ length: 20 }, () => leaderboard.board(me, { period: LeaderboardPeriod.ALL_TIME }, page))));
    return [
      `leaderboard (${users} users, ${attempts} attempts, embedded engine)`,
      `  uncached all time      p50 ${allTime.p50} ms, p95 ${allTime.p95} ms`,
      `  uncached this week     p50 ${week.p50} ms, p95 ${week.p95} ms`,
      `  uncached one course    p50 ${course.p50} ms, p95 ${course.p95} ms`,
      `  cached all time        p50 ${cached.p50} ms, p95 ${cached.p95} ms`,
      `  20 at once, cache cold ${together.p50} ms for all (one computation shared)`,
    ];
  } finally {
    await mongoose.disconnect();
    await engine.stop();
  }
}
