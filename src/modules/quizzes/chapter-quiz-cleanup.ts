import type { Types } from "mongoose";
import type { Logger } from "../../lib/logger";
import type { ChapterListener } from "../chapters/chapter.service";
import type { QuizCleanup } from "./quiz-cleanup";

/**
 * A deleted chapter's quizzes go with it (their questions cite it). Chapter listeners must not
 * block the deletion, so this runs in the background; a failure is logged and leaves quizzes
 * still readable through their course, never a broken one.
 */
export class ChapterQuizCleanup implements ChapterListener {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly cleanup: QuizCleanup,
    private readonly log: Logger,
  ) {}

  /** An edited chapter keeps its quizzes: their authors decide whether they still fit. */
  saved(): void {}

  deleted(chapterId: Types.ObjectId): void {
    const work = this.cleanup
      .deleteForChapter(chapterId)
      .catch((error: unknown) => this.log.error({ err: error, chapterId: String(chapterId) }, "quizzes: deleting a chapter's quizzes failed"))
      .finally(() => this.pending.delete(work));
    this.pending.add(work);
  }

  /** The course's deletion removes its quizzes itself (`QuizCleanup.deleteForCourse`). */
  courseDeleted(): void {}

  async idle(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
