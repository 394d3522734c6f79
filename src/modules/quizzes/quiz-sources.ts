import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { Types } from "mongoose";
import { raise } from "../../lib/errors";
import type { ChapterService } from "../chapters/chapter.service";
import type { CourseService } from "../courses/course.service";
import type { PassageStore } from "../search/passage-store";
import { SourceType } from "../search/embedding.model";
import { UploadStatus } from "../uploads/upload.model";
import type { UploadService } from "../uploads/upload.service";
import { chapterPassages, type MaterialPassage } from "./quiz-material";
import { QuizSourceType } from "./quiz.model";
import type { QuizSourceInput } from "./quiz.inputs";
import type { Actor } from "../../lib/identity";

/** The source a quiz is written from, as stored on the quiz. */
export interface ResolvedSource {
  type: QuizSourceType;
  id: Types.ObjectId;
  title: string;
  courseId?: Types.ObjectId;
  chapterId?: Types.ObjectId;
}

export interface SourceMaterial extends ResolvedSource {
  passages: MaterialPassage[];
}

/**
 * Finds the chapter, course or upload a quiz is about, if the actor may read it, with its
 * passages in order: chapters cut into paragraph passages, uploads as ingested (with pages).
 */
export class QuizSources {
  constructor(
    private readonly deps: { courses: CourseService; chapters: ChapterService; uploads: UploadService; passages: PassageStore },
  ) {}

  async material(actor: Actor, input: QuizSourceInput): Promise<SourceMaterial> {
    const field = chosenSource(input);
    if (field === "chapterId") {
      const chapter = await this.deps.chapters.readableOrFail(actor, input.chapterId!);
      return {
        type: QuizSourceType.CHAPTER,
        id: chapter._id,
        title: chapter.title,
        courseId: chapter.course_id,
        chapterId: chapter._id,
        passages: chapterPassages(chapter),
      };
    }
    if (field === "courseId") {
      const course = (await this.deps.courses.readable(actor, input.courseId!)) ?? raise("NOT_FOUND", "Course not found");
      const [chapters] = await this.deps.chapters.byCourses([course._id]);
      // A course of 200 chapters of 200,000 characters is 40 MB of text: cut one chapter at a
      // time, letting other requests in between, instead of holding the event loop for all of it.
      const passages: MaterialPassage[] = [];
      for (const chapter of chapters) {
        passages.push(...chapterPassages(chapter));
        await yieldToEventLoop();
      }
      return { type: QuizSourceType.COURSE, id: course._id, title: course.title, courseId: course._id, passages };
    }
    const upload = await this.deps.uploads.readableOrFail(actor, input.uploadId!);
    if (upload.status !== UploadStatus.READY) {
      raise("BAD_USER_INPUT", "The upload is not ready yet: wait until its ingestion has finished", { fields: [{ field: "input.uploadId", message: "upload is not ready" }] });
    }
    const stored = await this.deps.passages.passagesOf(SourceType.UPLOAD, upload._id);
    return {
      type: QuizSourceType.UPLOAD,
      id: upload._id,
      title: upload.title,
      passages: stored.map((passage) => ({
        sourceType: QuizSourceType.UPLOAD,
        sourceId: upload._id,
        sourceTitle: upload.title,
        index: passage.chunk_index,
        text: passage.text,
        pageStart: passage.page_start,
        pageEnd: passage.page_end,
      })),
    };
  }
}

const SOURCE_FIELDS = ["chapterId", "courseId", "uploadId"] as const;

function chosenSource(input: QuizSourceInput): (typeof SOURCE_FIELDS)[number] {
  const given = SOURCE_FIELDS.filter((field) => input[field] !== undefined && input[field] !== null);
  if (given.length !== 1) {
    raise("BAD_USER_INPUT", "Give exactly one of chapterId, courseId and uploadId", {
      fields: SOURCE_FIELDS.map((field) => ({ field: `input.${field}`, message: "exactly one source is needed" })),
    });
  }
  return given[0];
}
