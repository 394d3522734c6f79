import type { Types } from "mongoose";
import { raise } from "../../lib/errors";
import { storedSizes } from "../../lib/stored-sizes";
import type { DomainEventBus } from "../../lib/events";
import { groupedInKeyOrder, inKeyOrder } from "../../lib/loaders";
import type { CourseService } from "../courses/course.service";
import type { Course } from "../courses/course.model";
import { withChapterLock } from "./chapter-lock";
import { ChapterLockModel } from "./chapter-lock.model";
import { ChapterModel, type Chapter, MAX_CHAPTERS } from "./chapter.model";
import type { Actor } from "../../lib/identity";
import { asObjectId } from "../../lib/ids";
import { findRaw, type Reading } from "../../lib/raw-reads";

export interface NewChapter {
  title: string;
  content: string;
  durationMinutes: number;
}

export interface ChapterChanges {
  title?: string;
  content?: string;
  durationMinutes?: number;
}

declare module "../../lib/events" {
  interface DomainEvents {
    /** A chapter was written (search re-indexes it); handlers must not hold the writer up. */
    "chapter.saved": { chapter: Chapter };
    /** A chapter is gone (search drops its passages, its quizzes go). */
    "chapter.deleted": { chapterId: Types.ObjectId; courseId: Types.ObjectId };
    /** A course's chapters were given new places. */
    "chapters.reordered": { courseId: Types.ObjectId };
  }
}

/** What a course's chapters add up to. */
export interface ChapterStats {
  count: number;
  minutes: number;
}

/** Read with any projection: they place a chapter in its course. */
const CHAPTER_KEYS = ["_id", "course_id", "order"] as const;

function chapterNotFound(): never {
  return raise("NOT_FOUND", "Chapter not found");
}

/**
 * Chapters: the only code that reads or writes `chapters`. Every change's event is emitted under
 * the course's chapter lock, so that what others copy of a course's chapters (its summaries on
 * the course) is written in the order the changes were made.
 */
export class ChapterService {
  constructor(private readonly deps: { courses: CourseService; events: DomainEventBus }) {}

  async ready(): Promise<void> {
    await Promise.all([ChapterModel.init(), ChapterLockModel.init()]);
  }

  /**
   * For loaders: each course's chapters in order, in key order; one query for all of them.
   * `fields` (stored names) reads only those, `_id`, `course_id` and `order` always: a list
   * that shows no content never reads it. Without `fields`, whole chapters.
   */
  async byCourses(courseIds: readonly Types.ObjectId[], fields?: readonly string[]): Promise<Chapter[][]> {
    const projection = fields && Object.fromEntries([...CHAPTER_KEYS, ...fields].map((field) => [field, 1]));
    const found = await findRaw<Chapter>(ChapterModel, { course_id: { $in: courseIds } }, { projection, sort: { course_id: 1, order: 1 } });
    return groupedInKeyOrder(courseIds, found, (chapter) => chapter.course_id);
  }

  /** For loaders: each course's chapter count and study minutes, in key order, counted by the database. */
  async statsByCourses(courseIds: readonly Types.ObjectId[]): Promise<ChapterStats[]> {
    const rows = await ChapterModel.aggregate<ChapterStats & { _id: Types.ObjectId }>([
      { $match: { course_id: { $in: courseIds } } },
      { $group: { _id: "$course_id", count: { $sum: 1 }, minutes: { $sum: "$duration_minutes" } } },
    ]).exec();
    return inKeyOrder(courseIds, rows, (row) => row._id, { count: 0, minutes: 0 }).map(({ count, minutes }) => ({ count, minutes }));
  }

  /**
   * Of the chapters whose ids an earlier read of the same `readTogether` command returned at
   * `idsAt` (`"misses.chapterId"`), those the actor may read, in no particular order, with their
   * keys and `fields` only: the chapters in that command, then one query for their courses' visibility.
   */
  readableAmongRead(actor: Actor, idsAt: string, fields: readonly string[]): Reading<Chapter[]> {
    const projection = Object.fromEntries([...CHAPTER_KEYS, ...fields].map((field) => [field, 1 as const]));
    return {
      read: { model: ChapterModel, filter: {}, among: { field: "_id", valuesAt: idsAt }, projection },
      // Then their courses, which the chapters name.
      answer: async (chapters: Chapter[]) => {
        const readable = await this.deps.courses.readableAmong(actor, chapters.map((chapter) => chapter.course_id));
        return chapters.filter((chapter) => readable.has(String(chapter.course_id)));
      },
    };
  }

  /** The chapter if the actor may read its course, else null: a hidden course's chapters do not exist. */
  async readable(actor: Actor, id: string): Promise<Chapter | null> {
    return (await this.readableWithCourse(actor, id))?.chapter ?? null;
  }

  async readableOrFail(actor: Actor, id: string): Promise<Chapter> {
    return (await this.readable(actor, id)) ?? chapterNotFound();
  }

  /** The chapter and the course that makes it readable, each read once. */
  async readableWithCourseOrFail(actor: Actor, id: string): Promise<{ chapter: Chapter; course: Course }> {
    return (await this.readableWithCourse(actor, id)) ?? chapterNotFound();
  }

  private async readableWithCourse(actor: Actor, id: string): Promise<{ chapter: Chapter; course: Course } | null> {
    const chapterId = asObjectId(id);
    if (!chapterId) return null;
    const chapter = await ChapterModel.findById(chapterId).lean<Chapter>().exec();
    if (!chapter) return null;
    const course = await this.deps.courses.readable(actor, chapter.course_id);
    return course ? { chapter, course } : null;
  }

  async add(actor: Actor, courseId: string, input: NewChapter): Promise<Chapter> {
    const course = await this.deps.courses.editableOrFail(actor, courseId);
    return this.lock(course._id, async () => {
      // Under the lock the orders are 1..n, so the count is the last place.
      const count = await ChapterModel.countDocuments({ course_id: course._id }).exec();
      if (count >= MAX_CHAPTERS) {
        raise("BAD_USER_INPUT", `A course holds at most ${MAX_CHAPTERS} chapters`, {
          fields: [{ field: "courseId", message: "course is full" }],
        });
      }
      await storedSizes.note("Chapter.content", input.content);
      const created = await ChapterModel.create({
        course_id: course._id,
        title: input.title,
        content: input.content,
        duration_minutes: input.durationMinutes,
        order: count + 1,
      });
      return this.saved(await this.byIdOrFail(created._id));
    });
  }

  async update(actor: Actor, id: string, changes: ChapterChanges): Promise<Chapter> {
    const chapter = await this.editableOrFail(actor, id);
    const set: Record<string, unknown> = {};
    if (changes.title !== undefined) set.title = changes.title;
    if (changes.content !== undefined) set.content = changes.content;
    if (changes.durationMinutes !== undefined) set.duration_minutes = changes.durationMinutes;
    if (Object.keys(set).length === 0) return this.byIdOrFail(chapter._id);
    if (changes.content !== undefined) await storedSizes.note("Chapter.content", changes.content);
    return this.lock(chapter.course_id, async () => {
      await ChapterModel.updateOne({ _id: chapter._id }, { $set: set }).exec();
      return this.saved(await this.byIdOrFail(chapter._id));
    });
  }

  /** Deletes the chapter and closes the gap it leaves. */
  async delete(actor: Actor, id: string): Promise<boolean> {
    const chapter = await this.editableOrFail(actor, id);
    return this.lock(chapter.course_id, async () => {
      const deleted = await ChapterModel.deleteOne({ _id: chapter._id }).exec();
      const remaining = await this.inOrder(chapter.course_id);
      await this.renumber(chapter.course_id, remaining, remaining.map((c) => c._id));
      await this.deps.events.emit("chapter.deleted", { chapterId: chapter._id, courseId: chapter.course_id });
      return deleted.deletedCount === 1;
    });
  }

  /** `chapterIds` must name every chapter of the course exactly once. */
  async reorder(actor: Actor, courseId: string, chapterIds: string[]): Promise<Chapter[]> {
    const course = await this.deps.courses.editableOrFail(actor, courseId);
    await this.lock(course._id, async () => {
      const current = await this.inOrder(course._id);
      const known = new Set(current.map((chapter) => String(chapter._id)));
      const wanted = chapterIds.map((id) => id.toLowerCase());
      if (new Set(wanted).size !== wanted.length || wanted.length !== known.size || !wanted.every((id) => known.has(id))) {
        raise("BAD_USER_INPUT", "chapterIds must list every chapter of the course exactly once", {
          fields: [{ field: "chapterIds", message: `must list each of the course's ${known.size} chapters exactly once` }],
        });
      }
      const byId = new Map(current.map((chapter) => [String(chapter._id), chapter._id]));
      await this.renumber(course._id, current, wanted.map((id) => byId.get(id)!));
      await this.deps.events.emit("chapters.reordered", { courseId: course._id });
    });
    return this.inOrder(course._id);
  }

  /**
   * Writes chapters of a course that is not stored yet, one at a time so the caller can report
   * progress; the course document, written last, makes them visible.
   */
  async insertForNewCourse(courseId: Types.ObjectId, chapters: NewChapter[], written: (count: number) => Promise<void>): Promise<void> {
    for (const [i, chapter] of chapters.entries()) {
      await storedSizes.note("Chapter.content", chapter.content);
      const created = await ChapterModel.create({
        course_id: courseId,
        title: chapter.title,
        content: chapter.content,
        duration_minutes: chapter.durationMinutes,
        order: i + 1,
      });
      await this.saved(created.toObject<Chapter>());
      await written(i + 1);
    }
  }

  /** Every chapter but these, oldest first, a batch at a time (search indexes what it is missing). */
  async *allExcept(ids: Types.ObjectId[], batchSize = 100): AsyncGenerator<Chapter[]> {
    let batch: Chapter[] = [];
    for await (const chapter of ChapterModel.find({ _id: { $nin: ids } }).sort({ _id: 1 }).lean<Chapter>().cursor()) {
      batch.push(chapter);
      if (batch.length === batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  /** `course.deleted`: its chapters go with it. */
  async deleteForCourse(courseId: Types.ObjectId): Promise<void> {
    await ChapterModel.deleteMany({ course_id: courseId }).exec();
  }

  private async saved(chapter: Chapter): Promise<Chapter> {
    await this.deps.events.emit("chapter.saved", { chapter });
    return chapter;
  }

  private lock<T>(courseId: Types.ObjectId, work: () => Promise<T>): Promise<T> {
    return withChapterLock(courseId, () => this.deps.courses.exists(courseId), work);
  }

  private async editableOrFail(actor: Actor, id: string): Promise<Chapter> {
    const chapter = await this.readableOrFail(actor, id);
    await this.deps.courses.editableOrFail(actor, chapter.course_id);
    return chapter;
  }

  /**
   * A course's chapters by place. A renumber cut short (see `renumber`) leaves some places
   * negative; sorting by absolute value keeps the moved chapters in their new order and gives the
   * next renumber a list with every chapter once.
   */
  private async inOrder(courseId: Types.ObjectId): Promise<Chapter[]> {
    const chapters = await ChapterModel.find({ course_id: courseId }).lean<Chapter[]>().exec();
    return chapters.sort((a, b) => Math.abs(a.order) - Math.abs(b.order) || String(a._id).localeCompare(String(b._id)));
  }

  /**
   * Gives `ids` (every chapter of the course) the places 1..n in two passes, because
   * (course_id, order) is unique: first to places below every place held now, including those
   * a renumber cut short left behind, then to 1..n, which by then no chapter holds.
   * Callers hold the course's chapter lock.
   */
  private async renumber(courseId: Types.ObjectId, current: Chapter[], ids: Types.ObjectId[]): Promise<void> {
    if (ids.length === 0) return;
    const below = Math.min(0, ...current.map((chapter) => chapter.order)) - 1;
    for (const place of [(i: number) => below - i, (i: number) => i + 1]) {
      await ChapterModel.bulkWrite(
        ids.map((id, i) => ({
          updateOne: { filter: { _id: id, course_id: courseId }, update: { $set: { order: place(i) } }, timestamps: false },
        })),
        { ordered: true },
      );
    }
  }

  private async byIdOrFail(id: Types.ObjectId): Promise<Chapter> {
    return (await ChapterModel.findById(id).lean<Chapter>().exec()) ?? chapterNotFound();
  }
}
