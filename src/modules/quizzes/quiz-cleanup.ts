import type { QueryFilter, Types } from "mongoose";
import type { DomainEventBus } from "../../lib/events";
import type { Logger } from "../../lib/logger";
import { QuizAttemptModel } from "./attempt.model";
import { QuizModel, QuizSourceType, type Quiz } from "./quiz.model";

declare module "../../lib/events" {
  interface DomainEvents {
    /** Attempts went with their quizzes: derived numbers (the leaderboard) are recomputed. */
    "attempts.removed": { quizIds: Types.ObjectId[] };
  }
}

/** Removes quizzes with their attempts: one quiz, or those of a deleted course, upload or chapter. */
export class QuizCleanup {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: { events: DomainEventBus; log: Logger }) {}

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
    await this.deps.events.emit("attempts.removed", { quizIds: ids });
    return deleted.deletedCount > 0;
  }
}
