import type { QueryFilter } from "mongoose";
import { Types } from "mongoose";
import { raise } from "../../lib/errors";
import type { Page } from "../../lib/pagination";
import { UserRole } from "../users/user.model";
import { courseNotFound, type Actor, type CourseAccess } from "./course.access";
import { CourseOwnerFilter, normalizeTags } from "./course.inputs";
import { CourseModel, CourseSource, type Course, type CourseLevel } from "./course.model";

/** Something stored per course that must go when the course goes. */
export interface CourseDependent {
  deleteForCourse(courseId: Types.ObjectId): Promise<void>;
}

/** What a MINE listing needs from enrollments, without the course module depending on progress. */
export interface EnrollmentLookup {
  enrolledCourseIds(userId: Types.ObjectId): Promise<Types.ObjectId[]>;
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

/** Courses: the only code that reads or writes `courses` outside the shared access rules. */
export class CourseService {
  constructor(
    private readonly deps: {
      access: CourseAccess;
      enrollments: EnrollmentLookup;
      /**
       * Everything `deleteCourse` removes with a course: chapters and progress today; quizzes and
       * chat sessions join this list when their modules exist.
       */
      dependents: CourseDependent[];
    },
  ) {}

  async ready(): Promise<void> {
    await CourseModel.init();
  }

  async list(actor: Actor, filter: CourseListFilter, page: { skip: number; limit: number }): Promise<Page<Course>> {
    const query = await this.listQuery(actor, filter);
    const [items, total] = await Promise.all([
      CourseModel.find(query).sort({ created_at: -1, _id: -1 }).skip(page.skip).limit(page.limit).lean<Course[]>().exec(),
      CourseModel.countDocuments(query).exec(),
    ]);
    return { items, total, hasMore: page.skip + items.length < total };
  }

  readable(actor: Actor, id: string): Promise<Course | null> {
    return this.deps.access.readable(actor, id);
  }

  /** Ids of every course the actor may read (search scopes chapter passages by them). */
  readableIds(actor: Actor): Promise<Types.ObjectId[]> {
    return CourseModel.distinct("_id", this.deps.access.readableFilter(actor)).exec() as Promise<Types.ObjectId[]>;
  }

  /** For loaders: these courses in key order, null for missing ones (callers check visibility). */
  async byIds(ids: readonly Types.ObjectId[]): Promise<(Course | null)[]> {
    const found = await CourseModel.find({ _id: { $in: ids } }).lean<Course[]>().exec();
    const byId = new Map(found.map((course) => [String(course._id), course]));
    return ids.map((id) => byId.get(String(id)) ?? null);
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

  /** Stores a generated course; its chapters are already written, so it appears complete at once. */
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
    return this.byIdOrFail(course._id);
  }

  async update(actor: Actor, id: string, changes: CourseChanges): Promise<Course> {
    const course = await this.deps.access.editableOrFail(actor, id);
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
    const course = await this.deps.access.editableOrFail(actor, id);
    if (isPublic && actor?.role === UserRole.STUDENT) {
      raise("FORBIDDEN", "Only instructors and admins may publish courses to the public catalog");
    }
    await CourseModel.updateOne({ _id: course._id }, { $set: { is_public: isPublic } }).exec();
    return this.byIdOrFail(course._id);
  }

  /**
   * Deletes the course first, so nothing can reach its dependents any more, then each dependent.
   * Without transactions a crash in between leaves orphans that no query can reach, never a
   * course with half its chapters.
   */
  async delete(actor: Actor, id: string): Promise<boolean> {
    const course = await this.deps.access.editableOrFail(actor, id);
    const deleted = await CourseModel.deleteOne({ _id: course._id }).exec();
    if (deleted.deletedCount === 0) return false;
    for (const dependent of this.deps.dependents) await dependent.deleteForCourse(course._id);
    return true;
  }

  private async listQuery(actor: Actor, filter: CourseListFilter): Promise<QueryFilter<Course>> {
    const owner = filter.owner ?? CourseOwnerFilter.ALL;
    const and: QueryFilter<Course>[] = [];
    if (owner === CourseOwnerFilter.PUBLIC) {
      and.push({ is_public: true });
    } else {
      and.push(this.deps.access.readableFilter(actor));
    }
    if (owner === CourseOwnerFilter.MINE) {
      if (!actor) raise("UNAUTHENTICATED", "Sign in to list your own courses");
      const enrolled = await this.deps.enrollments.enrolledCourseIds(actor._id);
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
