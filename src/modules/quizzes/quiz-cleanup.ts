import type { QueryFilter, Types } from "mongoose";
import type { CourseDependent } from "../courses/course.service";
import { QuizAttemptModel } from "./attempt.model";
import { QuizModel, QuizSourceType, type Quiz } from "./quiz.model";

/** Told when attempts disappear with their quizzes, so derived numbers (the leaderboard) are recomputed. */
export interface AttemptsRemovedListener {
  attemptsRemoved(quizIds: Types.ObjectId[]): Promise<void>;
}

/**
 * Removes quizzes with their attempts: one quiz, a deleted course's, a deleted upload's. Built
 * before the course and upload modules so they can list it among what they delete.
 */
export class QuizCleanup implements CourseDependent {
  private readonly listeners: AttemptsRemovedListener[] = [];

  listen(listener: AttemptsRemovedListener): void {
    this.listeners.push(listener);
  }

  async deleteForCourse(courseId: Types.ObjectId): Promise<void> {
    await this.deleteWhere({ course_id: courseId });
  }

  async deleteForUpload(uploadId: Types.ObjectId): Promise<void> {
    await this.deleteWhere({ source_type: QuizSourceType.UPLOAD, source_id: uploadId });
  }

  async deleteForChapter(chapterId: Types.ObjectId): Promise<void> {
    await this.deleteWhere({ chapter_id: chapterId });
  }

  deleteQuiz(quizId: Types.ObjectId): Promise<boolean> {
    return this.deleteWhere({ _id: quizId });
  }

  /** The quizzes go first, so no new attempt can reach them, then their attempts. */
  private async deleteWhere(filter: QueryFilter<Quiz>): Promise<boolean> {
    const ids = (await QuizModel.find(filter, { _id: 1 }).lean<Pick<Quiz, "_id">[]>().exec()).map((quiz) => quiz._id);
    if (ids.length === 0) return false;
    const deleted = await QuizModel.deleteMany({ _id: { $in: ids } }).exec();
    await QuizAttemptModel.deleteMany({ quiz_id: { $in: ids } }).exec();
    for (const listener of this.listeners) await listener.attemptsRemoved(ids);
    return deleted.deletedCount > 0;
  }
}
