import type { QueryFilter } from "mongoose";
import { Types } from "mongoose";
import { raise } from "../../lib/errors";
import type { DomainEventBus } from "../../lib/events";
import { asObjectId } from "../../lib/ids";
import { inKeyOrder, type Loaders } from "../../lib/loaders";
import { countBy } from "../../lib/counts";
import { findPage, type Page, type PageCounting } from "../../lib/pagination";
import { courseNotFound, CoursePolicy } from "./course.policy";
import { CourseModel, CourseSource, type Course, type CourseLevel } from "./course.model";
import type { Actor } from "../../lib/identity";
import { CourseOwnerFilter, normalizeTags } from "./course.rules";
import { setGrantOn, type GrantOptions, type GrantRole } from "../../lib/grants";

/** What a MINE listing needs from enrollments, without the course module depending on progress. */
export interface EnrollmentLookup {
  /**
   * With `loaders` (one request's), the lookup may keep what it read there, e.g. the enrollments
   * themselves for the page's `myProgress`.
   */
  enrolledCourseIds(userId: Types.ObjectId, loaders?: Loaders): Promise<Types.ObjectId[]>;
}

/** How much of a course list to read (all optional: whole courses, counted). */
export interface CourseListReads {
  /** Stored names: only those are read, and what the rules look at (`CoursePolicy`) always. */
  fields?: readonly string[];
  /** See `findPage`. */
  counting?: PageCounting;
  /** This request's loaders, when its courses' progress will be read too (MINE reads it anyway). */
  loaders?: Loaders;
}

export interface CourseListFilter {
  owner?: CourseOwnerFilter;
  level?: CourseLevel;
  tags?: string[] | null;
  search?: string | null;
}

export interface NewCourse {
  title: string;
  description?: string | null;
  outline?: string | null;
  level: CourseLevel;
  tags?: string[] | null;
}

export interface CourseChanges {
  title?: string;
  description?: string | null;
  outline?: string | null;
  level?: CourseLevel;
  tags?: string[] | null;
}

/** A course written by the AI provider, stored under an id chosen before its chapters were written. */
export interface GeneratedCourse {
  _id: Types.ObjectId;
  ownerId: Types.ObjectId;
  title: string;
  description: string;
  outline: string;
  level: CourseLevel;
  source: CourseSource;
}

declare module "../../lib/events" {
  interface DomainEvents {
    /** A course is gone: whatever other domains keep per course goes with it (awaited by `deleteCourse`). */
    "course.deleted": { courseId: Types.ObjectId };
    /** A course was generated (from a topic or an upload) for its owner, who is enrolled in it (awaited). */
    "course.generated": { courseId: Types.ObjectId; ownerId: Types.ObjectId };
  }
}

/** What `CoursePolicy` reads of a course: every projection keeps them. */
const POLICY_FIELDS = ["_id", "owner_id", "is_public", "grants"];

/** Courses: the only code that reads or writes `courses`. */
export class CourseService {
  constructor(private readonly deps: { progress: EnrollmentLookup; events: DomainEventBus }) {}

  async ready(): Promise<void> {
    await CourseModel.init();
  }

  /** A page of the courses the actor may read; `reads` says how much of it. */
  async list(actor: Actor, filter: CourseListFilter, page: { skip: number; limit: number }, reads: CourseListReads = {}): Promise<Page<Course>> {
    const projection = reads.fields && [...new Set([...POLICY_FIELDS, "created_at", ...reads.fields])];
    const query = await this.listQuery(actor, filter, reads.loaders);
    return findPage<Course>(CourseModel, query, { created_at: -1, _id: -1 }, page, projection, reads.counting);
  }

  /** The course if the actor may read it, else null (missing, hidden and malformed ids alike). */
  async readable(actor: Actor, id: Types.ObjectId | string): Promise<Course | null> {
    const courseId = asObjectId(id);
    const course = courseId && (await CourseModel.findById(courseId).lean<Course>().exec());
    return course && CoursePolicy.canRead(actor, course) ? course : null;
  }

  async readableOrFail(actor: Actor, id: Types.ObjectId | string): Promise<Course> {
    return (await this.readable(actor, id)) ?? courseNotFound();
  }

  /** The course if the actor may edit it; FORBIDDEN only where they may already see it. */
  async editableOrFail(actor: Actor, id: Types.ObjectId | string): Promise<Course> {
    const course = await this.readableOrFail(actor, id);
    if (!CoursePolicy.canEdit(actor, course)) raise("FORBIDDEN", "Only the course's owner or an admin may change it");
    return course;
  }

  async exists(id: Types.ObjectId): Promise<boolean> {
    return (await CourseModel.exists({ _id: id }).exec()) !== null;
  }

  /** How many courses came from each source, for the admin dashboard. */
  async countBySource(): Promise<Map<string, number>> {
    return countBy(CourseModel, "source");
  }

  /** Ids of every course the actor may read (search scopes chapter passages by them). */
  readableIds(actor: Actor): Promise<Types.ObjectId[]> {
    return CourseModel.distinct("_id", CoursePolicy.readableFilter(actor)).exec() as Promise<Types.ObjectId[]>;
  }

  /** Which of these courses the actor may read, as id strings: one query, reading ids only. */
  async readableAmong(actor: Actor, ids: readonly Types.ObjectId[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const filter: QueryFilter<Course> = { $and: [{ _id: { $in: [...ids] } }, CoursePolicy.readableFilter(actor)] };
    const found = await CourseModel.find(filter, { _id: 1 }).lean<Pick<Course, "_id">[]>().exec();
    return new Set(found.map((course) => String(course._id)));
  }

  /** For loaders: these courses in key order, null for missing ones (callers check visibility). */
  async byIds(ids: readonly Types.ObjectId[]): Promise<(Course | null)[]> {
    const found = await CourseModel.find({ _id: { $in: ids } }).lean<Course[]>().exec();
    return inKeyOrder(ids, found, (course) => course._id, null);
  }

  /**
   * Adds, changes (`role`) or removes (`role` null) the share of a course with `principal` (a
   * class or a user id); the caller checked who may share it.
   */
  async setGrant(courseId: Types.ObjectId, principal: Types.ObjectId, role: GrantRole | null, options?: GrantOptions): Promise<void> {
    await setGrantOn(CourseModel, courseId, principal, role, options);
  }

  async create(actor: Exclude<Actor, null>, input: NewCourse): Promise<Course> {
    const created = await CourseModel.create({
      title: input.title,
      description: input.description ?? "",
      outline: input.outline ?? "",
      level: input.level,
      tags: normalizeTags(input.tags ?? []),
      owner_id: actor._id,
      source: CourseSource.MANUAL,
      is_public: false,
    });
    return this.byIdOrFail(created._id);
  }

  /**
   * Stores a generated course; its chapters are already written, so it appears complete at once.
   * Its owner asked for it to learn from it, so they are enrolled before it is returned.
   */
  async insertGenerated(course: GeneratedCourse): Promise<Course> {
    await CourseModel.create({
      _id: course._id,
      title: course.title,
      description: course.description,
      outline: course.outline,
      level: course.level,
      tags: [],
      owner_id: course.ownerId,
      source: course.source,
      is_public: false,
    });
    await this.deps.events.emit("course.generated", { courseId: course._id, ownerId: course.ownerId });
    return this.byIdOrFail(course._id);
  }

  async update(actor: Actor, id: string, changes: CourseChanges): Promise<Course> {
    const course = await this.editableOrFail(actor, id);
    const set: Record<string, unknown> = {};
    if (changes.title !== undefined) set.title = changes.title;
    if (changes.description !== undefined) set.description = changes.description ?? "";
    if (changes.outline !== undefined) set.outline = changes.outline ?? "";
    if (changes.level !== undefined) set.level = changes.level;
    if (changes.tags !== undefined) set.tags = normalizeTags(changes.tags ?? []);
    if (Object.keys(set).length > 0) await CourseModel.updateOne({ _id: course._id }, { $set: set }).exec();
    return this.byIdOrFail(course._id);
  }

  /** Students keep their courses private: only instructors and admins may publish. */
  async publish(actor: Actor, id: string, isPublic: boolean): Promise<Course> {
    const course = await this.editableOrFail(actor, id);
    if (isPublic && !CoursePolicy.canPublish(actor)) {
      raise("FORBIDDEN", "Only instructors and admins may publish courses to the public catalog");
    }
    await CourseModel.updateOne({ _id: course._id }, { $set: { is_public: isPublic } }).exec();
    return this.byIdOrFail(course._id);
  }

  /**
   * Deletes the course first, so nothing can reach what depends on it any more, then tells the
   * other domains (`course.deleted`), which delete theirs before this answers.
   * Without transactions a crash in between leaves orphans that no query can reach, never a
   * course with half its chapters.
   */
  async delete(actor: Actor, id: string): Promise<boolean> {
    const course = await this.editableOrFail(actor, id);
    const deleted = await CourseModel.deleteOne({ _id: course._id }).exec();
    if (deleted.deletedCount === 0) return false;
    await this.deps.events.emit("course.deleted", { courseId: course._id });
    return true;
  }

  private async listQuery(actor: Actor, filter: CourseListFilter, loaders?: Loaders): Promise<QueryFilter<Course>> {
    const owner = filter.owner ?? CourseOwnerFilter.ALL;
    const and: QueryFilter<Course>[] = [];
    if (owner === CourseOwnerFilter.PUBLIC) {
      and.push({ is_public: true });
    } else {
      and.push(CoursePolicy.readableFilter(actor));
    }
    if (owner === CourseOwnerFilter.MINE) {
      if (!actor) raise("UNAUTHENTICATED", "Sign in to list your own courses");
      const enrolled = await this.deps.progress.enrolledCourseIds(actor._id, loaders);
      and.push({ $or: [{ owner_id: actor._id }, { _id: { $in: enrolled } }] });
    }
    if (filter.level) and.push({ level: filter.level });
    if (filter.tags && filter.tags.length > 0) and.push({ tags: { $all: normalizeTags(filter.tags) } });
    const search = filter.search?.trim();
    if (search) {
      const pattern = new RegExp(escapeRegExp(search), "i");
      and.push({ $or: [{ title: pattern }, { description: pattern }, { tags: pattern }] });
    }
    return { $and: and };
  }

  private async byIdOrFail(id: Types.ObjectId): Promise<Course> {
    return (await CourseModel.findById(id).lean<Course>().exec()) ?? courseNotFound();
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
