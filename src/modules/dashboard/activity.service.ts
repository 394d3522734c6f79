import type { Types } from "mongoose";
import type { Chapter } from "../chapters/chapter.model";
import type { QuizAttempt } from "../quizzes/attempt.model";
import type { Quiz } from "../quizzes/quiz.model";
import { ActivityKind, ActivityModel, type Activity } from "./activity.model";
import { streaksOf, utcDay, type Streaks } from "./streaks";
import type { Reading } from "../../lib/raw-reads";

/** The learning log: chapter completions and quiz attempts, as they happen. */
export class ActivityService {
  async ready(): Promise<void> {
    await ActivityModel.init();
  }

  async chapterCompleted(userId: Types.ObjectId, chapter: Chapter, at: Date): Promise<void> {
    await ActivityModel.create({
      user_id: userId,
      kind: ActivityKind.CHAPTER_COMPLETED,
      at,
      day: utcDay(at),
      title: chapter.title,
      course_id: chapter.course_id,
      chapter_id: chapter._id,
    });
  }

  async attemptSubmitted(attempt: QuizAttempt, quiz: Quiz): Promise<void> {
    await ActivityModel.create({
      user_id: attempt.user_id,
      kind: ActivityKind.QUIZ_ATTEMPTED,
      at: attempt.created_at,
      day: utcDay(attempt.created_at),
      title: quiz.title,
      course_id: quiz.course_id,
      chapter_id: quiz.chapter_id,
      quiz_id: quiz._id,
      percent: attempt.percent,
    });
  }

  /** `user.deleted`: their learning log. */
  async userDeleted(userId: Types.ObjectId): Promise<void> {
    await ActivityModel.deleteMany({ user_id: userId }).exec();
  }

  /** The latest entries of the learner's log, the fields shown only (a read for `readTogether`: read on every dashboard). */
  recentRead(userId: Types.ObjectId, limit: number): Reading<Activity[]> {
    const projection = { kind: 1, title: 1, at: 1, course_id: 1, chapter_id: 1, quiz_id: 1, percent: 1 } as const;
    return { read: { model: ActivityModel, filter: { user_id: userId }, projection, sort: { at: -1, _id: -1 }, limit }, answer: (rows: Activity[]) => rows };
  }

  /** The learner's streaks of days with activity (a read for `readTogether`): their distinct days. */
  streaksRead(userId: Types.ObjectId, now: Date): Reading<Streaks> {
    return {
      read: { model: ActivityModel, filter: { user_id: userId }, then: [{ $group: { _id: "$day" } }] },
      answer: (rows: { _id: unknown }[]) => streaksOf(rows.flatMap((row) => (typeof row._id === "string" ? [row._id] : [])), utcDay(now)),
    };
  }
}
