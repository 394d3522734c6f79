import type { AnyBulkWriteOperation, Types } from "mongoose";
import type { RawWrite } from "../../infra/db/write-together";
import type { Logger } from "../../lib/logger";
import type { Reading } from "../../lib/raw-reads";
import { QuizAttemptModel, type QuizAttempt } from "./attempt.model";
import { round1 } from "./grading";
import { QuizStatsModel, type QuizStats } from "./quiz-stats.model";

export interface QuizStatsRow {
  attempts: number;
  averagePercent: number;
}

type Counts = Pick<QuizStats, "_id" | "attempts" | "percent_sum">;

/** Sums of percents are of numbers with one decimal: a difference below this is rounding, not a missed attempt. */
const SUM_TOLERANCE = 1e-6;

/**
 * The statistics each quiz page shows (`quiz_stats`, a read model of `quiz_history`): counted with
 * each attempt's insert, taken off before attempts are deleted, rebuilt by `repair`.
 */
export const QuizStatistics = {
  /** For loaders and `answerTogether`: attempts and average percent per quiz, in key order. */
  read(quizIds: readonly Types.ObjectId[]): Reading<QuizStatsRow[]> {
    return {
      read: { model: QuizStatsModel, filter: { _id: { $in: [...quizIds] } }, projection: { attempts: 1, percent_sum: 1 } },
      answer: (rows: Counts[]) => {
        const byQuiz = new Map(rows.map((row) => [String(row._id), row]));
        return quizIds.map((id) => {
          const row = byQuiz.get(String(id));
          return row && row.attempts > 0 ? { attempts: row.attempts, averagePercent: round1(row.percent_sum / row.attempts) } : { attempts: 0, averagePercent: 0 };
        });
      },
    };
  },

  /** The write that counts a stored attempt: sent in one command with the attempt's insert (`writeTogether`, after it). */
  counting(attempt: Pick<QuizAttempt, "quiz_id" | "percent">): RawWrite {
    return { model: QuizStatsModel, updateOne: { filter: { _id: attempt.quiz_id }, update: { $inc: { attempts: 1, percent_sum: attempt.percent } }, upsert: true } };
  },

  /** Takes the attempts `filter` matches off their quizzes' statistics: called just before they are deleted. */
  async uncount(filter: { user_id: Types.ObjectId }): Promise<void> {
    const counts = await countsOf(filter);
    if (counts.length === 0) return;
    await QuizStatsModel.bulkWrite(
      counts.map((row) => ({ updateOne: { filter: { _id: row._id }, update: { $inc: { attempts: -row.attempts, percent_sum: -row.percent_sum } } } })),
      { ordered: false },
    );
    await QuizStatsModel.deleteMany({ _id: { $in: counts.map((row) => row._id) }, attempts: { $lte: 0 } }).exec();
  },

  /** The quizzes went with their attempts. */
  async forget(quizIds: readonly Types.ObjectId[]): Promise<void> {
    await QuizStatsModel.deleteMany({ _id: { $in: [...quizIds] } }).exec();
  },

  /**
   * The check behind `repairQuizStatistics`: counts every quiz's attempts again and rewrites the
   * statistics that differ (or were never written), dropping those of quizzes without attempts.
   * Returns how many were rewritten. An attempt stored while it runs may be miscounted: a second run
   * puts it right.
   */
  async repair(): Promise<number> {
    const wanted = new Map((await countsOf({})).map((row) => [String(row._id), row]));
    const writes: AnyBulkWriteOperation<QuizStats>[] = [];
    for await (const stored of QuizStatsModel.collection.find<Counts>({})) {
      const row = wanted.get(String(stored._id));
      wanted.delete(String(stored._id));
      if (!row) writes.push({ deleteOne: { filter: { _id: stored._id } } });
      else if (row.attempts !== stored.attempts || Math.abs(row.percent_sum - stored.percent_sum) > SUM_TOLERANCE) writes.push(rewrite(row));
    }
    for (const row of wanted.values()) writes.push(rewrite(row));
    if (writes.length > 0) await QuizStatsModel.bulkWrite(writes, { ordered: false });
    return writes.length;
  },

  /**
   * At start: a database whose attempts were stored before `quiz_stats` existed gets it built once,
   * so no quiz page shows 0 attempts for a quiz that has some.
   */
  async buildIfMissing(log: Logger): Promise<void> {
    if ((await QuizStatsModel.collection.estimatedDocumentCount()) > 0 || !(await QuizAttemptModel.exists({}))) return;
    log.info({ quizzes: await QuizStatistics.repair() }, "quiz statistics built from the stored attempts");
  },
};

function countsOf(match: Record<string, unknown>): Promise<Counts[]> {
  return QuizAttemptModel.aggregate<Counts>([{ $match: match }, { $group: { _id: "$quiz_id", attempts: { $sum: 1 }, percent_sum: { $sum: "$percent" } } }]).exec();
}

function rewrite(row: Counts): AnyBulkWriteOperation<QuizStats> {
  return { updateOne: { filter: { _id: row._id }, update: { $set: { attempts: row.attempts, percent_sum: row.percent_sum } }, upsert: true } };
}
