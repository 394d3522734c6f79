import type { QueryFilter, Types } from "mongoose";
import type { DomainEventBus } from "../../lib/events";
import { dropPrincipalFrom } from "../../lib/grants";
import type { CourseService } from "../courses/course.service";
import type { Logger } from "../../lib/logger";
import { QuizAttemptModel } from "./attempt.model";
import { QuizModel, QuizSourceType, type Quiz } from "./quiz.model";
import { QuizStatistics } from "./quiz-stats";

declare module "../../lib/events" {
  interface DomainEvents {
    /** Attempts went with their quizzes: derived numbers (the leaderboard) are recomputed. */
    "attempts.removed": { quizIds: Types.ObjectId[] };
  }
}

/** Removes quizzes with their attempts: one quiz, or those of a deleted course, upload or chapter. */
export class QuizCleanup {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: { events: DomainEventBus; log: Logger; courses: Pick<CourseService, "byIds"> }) {}

  async deleteForCourse(courseId: Types.ObjectId): Promise<void> {
    await this.deleteWhere({ course_id: courseId });
  }

  async deleteForUpload(uploadId: Types.ObjectId): Promise<void> {
    await this.deleteWhere({ source_type: QuizSourceType.UPLOAD, source_id: uploadId });
  }

  /**
   * A deleted chapter's quizzes go with it (their questions cite it), in the background: the
   * chapter's deletion must not wait for it. A failure is logged and leaves quizzes still
   * readable through their course, never a broken one. An edited chapter keeps its quizzes:
   * their authors decide whether they still fit.
   */
  chapterDeleted(chapterId: Types.ObjectId): void {
    const work = this.deleteWhere({ chapter_id: chapterId })
      .then(() => undefined)
      .catch((error: unknown) => this.deps.log.error({ err: error, chapterId: String(chapterId) }, "quizzes: deleting a chapter's quizzes failed"))
      .finally(() => this.pending.delete(work));
    this.pending.add(work);
  }

  /**
   * `user.deleted` (after their courses went): their attempts; the quizzes they wrote for someone
   * else's course stay with that course, its owner's from now on (its readers' attempts with
   * them); their other quizzes go with every attempt at them; shares naming them go.
   */
  async userDeleted(userId: Types.ObjectId): Promise<void> {
    await QuizStatistics.uncount({ user_id: userId });
    await QuizAttemptModel.deleteMany({ user_id: userId }).exec();
    const written = await QuizModel.find({ owner_id: userId }, { _id: 1, course_id: 1 }).lean<Pick<Quiz, "_id" | "course_id">[]>().exec();
    const courseIds = [...new Map(written.flatMap((quiz) => (quiz.course_id ? [[String(quiz.course_id), quiz.course_id] as const] : []))).values()];
    const courses = await this.deps.courses.byIds(courseIds);
    const heirs = new Map(courses.flatMap((course) => (course && !course.owner_id.equals(userId) ? [[String(course._id), course.owner_id] as const] : [])));
    const orphans: Types.ObjectId[] = [];
    for (const quiz of written) {
      const heir = quiz.course_id && heirs.get(String(quiz.course_id));
      if (heir) await QuizModel.updateOne({ _id: quiz._id }, { $set: { owner_id: heir } }).exec();
      else orphans.push(quiz._id);
    }
    if (orphans.length > 0) await this.deleteWhere({ _id: { $in: orphans } });
    await dropPrincipalFrom(QuizModel, userId);
  }

  deleteQuiz(quizId: Types.ObjectId): Promise<boolean> {
    return this.deleteWhere({ _id: quizId });
  }

  /** Waits for background deletions (shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** The quizzes go first, so no new attempt can reach them, then their attempts. */
  private async deleteWhere(filter: QueryFilter<Quiz>): Promise<boolean> {
    const ids = (await QuizModel.find(filter, { _id: 1 }).lean<Pick<Quiz, "_id">[]>().exec()).map((quiz) => quiz._id);
    if (ids.length === 0) return false;
    const deleted = await QuizModel.deleteMany({ _id: { $in: ids } }).exec();
    await QuizAttemptModel.deleteMany({ quiz_id: { $in: ids } }).exec();
    await QuizStatistics.forget(ids);
    await this.deps.events.emit("attempts.removed", { quizIds: ids });
    return deleted.deletedCount > 0;
  }
}
