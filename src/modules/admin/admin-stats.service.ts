import type { Model } from "mongoose";
import { aiUsageTotals } from "../../infra/ai";
import { raise } from "../../lib/errors";
import { ChatMessageModel } from "../chat/chat.model";
import { CourseModel, CourseSource } from "../courses/course.model";
import { QuizAttemptModel } from "../quizzes/attempt.model";
import { QuizModel } from "../quizzes/quiz.model";
import { UploadModel, UploadStatus } from "../uploads/upload.model";
import { UserModel, UserRole } from "../users/user.model";
import type { AdminStats } from "./admin-stats.types";

/**
 * Counts across modules for the admin dashboard. Read-only, and one grouped count per
 * collection, so it costs a handful of queries whatever the platform's size.
 */
export class AdminStatsService {
  async stats(period: { since?: Date | null; until?: Date | null }, now = new Date()): Promise<AdminStats> {
    const until = period.until ?? now;
    const since = period.since ?? null;
    if (since && since >= until) raise("BAD_USER_INPUT", "since must be before until", { fields: [{ field: "since", message: "must be before until" }] });
    const created = { created_at: { ...(since && { $gte: since }), $lt: until } };
    const [users, courses, uploads, quizzes, attempts, chatMessages, aiUsage] = await Promise.all([
      UserModel.aggregate<{ _id: { role: UserRole; active: boolean }; count: number }>([
        { $group: { _id: { role: "$role", active: "$is_active" }, count: { $sum: 1 } } },
      ]).exec(),
      countBy(CourseModel, "source"),
      countBy(UploadModel, "status"),
      QuizModel.countDocuments().exec(),
      QuizAttemptModel.countDocuments(created).exec(),
      ChatMessageModel.countDocuments(created).exec(),
      aiUsageTotals({ since: since ?? undefined, until }),
    ]);
    const usersOf = (role: UserRole, active: boolean) =>
      users.find((row) => row._id.role === role && row._id.active === active)?.count ?? 0;
    return {
      since,
      until,
      users: Object.values(UserRole).map((role) => ({ role, active: usersOf(role, true), inactive: usersOf(role, false) })),
      courses: Object.values(CourseSource).map((source) => ({ source, count: courses.get(source) ?? 0 })),
      uploads: Object.values(UploadStatus).map((status) => ({ status, count: uploads.get(status) ?? 0 })),
      quizzes,
      attempts,
      chatMessages,
      aiUsage,
    };
  }
}

async function countBy<T>(model: Model<T>, field: string): Promise<Map<string, number>> {
  const rows = await model.aggregate<{ _id: string; count: number }>([{ $group: { _id: `$${field}`, count: { $sum: 1 } } }]).exec();
  return new Map(rows.map((row) => [row._id, row.count]));
}
