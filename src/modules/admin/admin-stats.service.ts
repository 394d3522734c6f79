import { aiUsageTotals } from "../../infra/ai";
import { raise } from "../../lib/errors";
import { UserRole } from "../../lib/identity";
import type { ChatService } from "../chat/chat.service";
import { CourseSource } from "../courses/course.model";
import type { CourseService } from "../courses/course.service";
import type { AttemptService } from "../quizzes/attempt.service";
import type { QuizService } from "../quizzes/quiz.service";
import { UploadStatus } from "../uploads/upload.model";
import type { UploadService } from "../uploads/upload.service";
import type { UserService } from "../users/user.service";
import type { AdminStats } from "./admin-stats.types";
import type { CreatedBetween } from "../../lib/period";

/**
 * Counts across domains for the admin dashboard, each asked of its own service. Read-only, and
 * one grouped count per collection, so it costs a handful of queries whatever the platform's size.
 */
export class AdminStatsService {
  constructor(
    private readonly deps: {
      users: UserService;
      courses: CourseService;
      uploads: UploadService;
      quizzes: QuizService;
      attempts: AttemptService;
      chat: ChatService;
    },
  ) {}

  async stats(period: { since?: Date | null; until?: Date | null }, now = new Date()): Promise<AdminStats> {
    const until = period.until ?? now;
    const since = period.since ?? null;
    if (since && since >= until) raise("BAD_USER_INPUT", "since must be before until", { fields: [{ field: "since", message: "must be before until" }] });
    const created: CreatedBetween = { since, until };
    const [users, courses, uploads, quizzes, attempts, chatMessages, aiUsage] = await Promise.all([
      this.deps.users.countByRoleAndActive(),
      this.deps.courses.countBySource(),
      this.deps.uploads.countByStatus(),
      this.deps.quizzes.count(),
      this.deps.attempts.countSubmitted(created),
      this.deps.chat.countMessages(created),
      aiUsageTotals({ since: since ?? undefined, until }),
    ]);
    const usersOf = (role: UserRole, active: boolean) => users.get(`${role}:${active}`) ?? 0;
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
