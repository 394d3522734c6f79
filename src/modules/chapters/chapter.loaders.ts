import type { GraphQLResolveInfo } from "graphql";
import type { Types } from "mongoose";
import type { Context } from "../../lib/context";
import type { MaybePromise } from "../../lib/maybe-promise";
import { projectionOf, selectedFields } from "../../lib/selection";
import type { Course } from "../courses/course.model";
import type { Chapter } from "./chapter.model";
import type { ChapterStats } from "./chapter.service";

type OperationInfo = Pick<GraphQLResolveInfo, "schema" | "operation" | "fragments">;

/** The stored fields behind each GraphQL field of `Chapter`. */
const CHAPTER_FIELDS: Record<string, readonly string[]> = {
  id: ["_id"],
  title: ["title"],
  content: ["content"],
  order: ["order"],
  durationMinutes: ["duration_minutes"],
  createdAt: ["created_at"],
  updatedAt: ["updated_at"],
  course: ["course_id"],
};

/**
 * Fields of `Course` whose resolvers read chapters through `chaptersByCourseLoader`: when the
 * operation selects one, counts are taken from those chapters rather than by another query.
 */
const READ_CHAPTERS = ["chapters", "myProgress"];

/**
 * Each course's chapters in order, with only the fields the operation selects on `Chapter`
 * anywhere (a list without `content` never reads it). Every resolver of one operation derives
 * the same projection, so `Course.chapters`, `myProgress` and the counts share one query.
 */
export function chaptersByCourseLoader(ctx: Context, info: OperationInfo) {
  const { fields, key } = chapterProjection(info);
  return ctx.loaders.get("chaptersByCourse", [key], (ids: readonly Types.ObjectId[]) => ctx.services.chapters.byCourses(ids, fields));
}

/** Per parsed operation, which Apollo keeps across requests: the projection is worked out once, not once per course. */
const projections = new WeakMap<OperationInfo["operation"], { fields: string[] | undefined; key: string }>();

function chapterProjection(info: OperationInfo): { fields: string[] | undefined; key: string } {
  let projection = projections.get(info.operation);
  if (!projection) {
    // Study minutes are always read: counts may be derived from these chapters.
    const fields = projectionOf(selectedFields(info, "Chapter"), CHAPTER_FIELDS, ["duration_minutes"]) ?? undefined;
    projection = { fields, key: fields?.join(",") ?? "*" };
    projections.set(info.operation, projection);
  }
  return projection;
}

/** Stored chapter fields a course's `chapter_summaries` carry. */
const SUMMARY_FIELDS = new Set(["_id", "course_id", "order", "title", "duration_minutes"]);

/**
 * A course's chapters in order: from the summaries the course carries when the operation selects
 * no more of a chapter than they hold (no chapter read at all), else through the loader.
 */
export function chaptersOf(ctx: Context, info: OperationInfo, course: Pick<Course, "_id" | "chapter_summaries">): MaybePromise<Chapter[]> {
  const { fields } = chapterProjection(info);
  if (course.chapter_summaries && fields?.every((field) => SUMMARY_FIELDS.has(field))) {
    return summariesAsChapters(course as Pick<Course, "_id"> & Required<Pick<Course, "chapter_summaries">>);
  }
  return chaptersByCourseLoader(ctx, info).load(course._id);
}

/** Per summaries array (one course document's): `chapters` and `myProgress` of one course share them. */
const shaped = new WeakMap<readonly unknown[], Chapter[]>();

/** The summaries a course carries, shaped as the chapters they copy (only their fields are set). */
export function summariesAsChapters(course: Pick<Course, "_id"> & Required<Pick<Course, "chapter_summaries">>): Chapter[] {
  let chapters = shaped.get(course.chapter_summaries);
  if (!chapters) {
    // Fields named, not spread: spreading a decoded document costs several times as much, 100 times a page.
    chapters = course.chapter_summaries.map(
      ({ _id, title, order, duration_minutes }) => ({ _id, title, order, duration_minutes, course_id: course._id }) as Chapter,
    );
    shaped.set(course.chapter_summaries, chapters);
  }
  return chapters;
}

/**
 * A course's chapter count and study minutes: from what the course carries, else from its
 * chapters when the operation reads them anyway, else counted by the database.
 */
export function chapterStatsOf(ctx: Context, info: OperationInfo, course: Pick<Course, "_id" | "chapter_count" | "total_minutes">): MaybePromise<ChapterStats> {
  if (course.chapter_count !== undefined && course.total_minutes !== undefined) return { count: course.chapter_count, minutes: course.total_minutes };
  return readChapterStats(ctx, info, course);
}

async function readChapterStats(ctx: Context, info: OperationInfo, course: Pick<Course, "_id">): Promise<ChapterStats> {
  const selected = selectedFields(info, "Course");
  if (READ_CHAPTERS.some((field) => selected.has(field))) {
    const chapters = await chaptersByCourseLoader(ctx, info).load(course._id);
    return { count: chapters.length, minutes: chapters.reduce((sum, chapter) => sum + chapter.duration_minutes, 0) };
  }
  return ctx.loaders.get("chapterStats", [], (ids: readonly Types.ObjectId[]) => ctx.services.chapters.statsByCourses(ids)).load(course._id);
}
