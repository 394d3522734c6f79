import type { Document, Filter } from "mongodb";
import type { QueryFilter } from "mongoose";
import { Types } from "mongoose";
import { raise } from "../../lib/errors";
import type { DomainEventBus } from "../../lib/events";
import { asObjectId } from "../../lib/ids";
import { inKeyOrder, type Loaders } from "../../lib/loaders";
import { countBy } from "../../lib/counts";
import { answerAlone, answerTogether, findRaw, type RawRead, type Reading } from "../../lib/raw-reads";
import { findPage, pageOfRead, type Page, type PageCounting, type PageWindow } from "../../lib/pagination";
import { courseNotFound, CoursePolicy } from "./course.policy";
import { CourseModel, CourseSource, type ChapterSummary, type Course, type CourseLevel } from "./course.model";
import type { Actor } from "../../lib/identity";
import { CourseOwnerFilter, normalizeTags } from "./course.rules";
import { dropPrincipalFrom, setGrantOn, type GrantOptions, type GrantRole } from "../../lib/grants";

/** What a MINE listing needs from enrollments, without the course module depending on progress. */
export interface EnrollmentLookup {
  /**
   * The user's enrollments as a read for `readTogether`, answered with their course ids (its rows
   * hold each course's id at `courseIdField`). With `loaders` (one request's), the lookup may keep
   * what it read there, e.g. the enrollments themselves for the page's `myProgress`.
   */
  enrolledRead(userId: Types.ObjectId, loaders?: Loaders): EnrolledReading;
}

export type EnrolledReading = Reading<Types.ObjectId[]> & { courseIdField: string };

/** Where a course's chapter summaries come from (the chapters module), without courses depending on it. */
export interface ChapterSummarySource {
  /** Each course's chapters in order, with at least these stored fields. */
  byCourses(courseIds: readonly Types.ObjectId[], fields: readonly string[]): Promise<ChapterSummary[][]>;
}

/** Where owners' names come from (the users module): null where the account is gone. */
export interface OwnerNames {
  summaries(ids: readonly Types.ObjectId[]): Promise<({ _id: Types.ObjectId; name: string } | null)[]>;
}

/** The read model a course carries of its chapters (see `Course.chapter_summaries`). */
type ChapterReadModel = Pick<Course, "chapter_summaries" | "chapter_count" | "total_minutes">;

function chapterReadModel(chapters: readonly ChapterSummary[]): Required<ChapterReadModel> {
  const summaries = chapters.map(({ _id, title, order, duration_minutes }) => ({ _id, title, order, duration_minutes }));
  return {
    chapter_summaries: summaries,
    chapter_count: summaries.length,
    total_minutes: summaries.reduce((sum, chapter) => sum + chapter.duration_minutes, 0),
  };
}

const SUMMARY_FIELDS = ["title", "duration_minutes"];
/** Courses repaired per batch by `repairReadModels`. */
const REPAIR_BATCH = 200;

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
/** Lists: newest first. */
const LIST_ORDER = { created_at: -1, _id: -1 } as const;

/** `LIST_ORDER` as a comparison, for courses read apart. */
function inListOrder(a: Course, b: Course): number {
  return b.created_at.getTime() - a.created_at.getTime() || Buffer.compare(b._id.id, a._id.id);
}

/** A MINE list's two reads (`CourseService.mineReads`). */
export interface MineReads {
  owned: Reading<Course[]>;
  joined: Reading<Course[]>;
}

/** The courses of `mineReads`, each once, in list order. */
export function inMineOrder({ owned, joined }: { owned: Course[]; joined: Course[] }): Course[] {
  const seen = new Set(owned.map((course) => String(course._id)));
  return [...owned, ...joined.filter((course) => !seen.has(String(course._id)))].sort(inListOrder);
}

/** What a list reads of each course: `fields` and what its rules and order need (all without `fields`). */
function listFields(fields?: readonly string[]): string[] | undefined {
  return fields && [...new Set([...POLICY_FIELDS, "created_at", ...fields])];
}

/** Courses: the only code that reads or writes `courses`. */
export class CourseService {
  constructor(
    private readonly deps: { progress: EnrollmentLookup; chapters: ChapterSummarySource; users: OwnerNames; events: DomainEventBus },
  ) {}

  async ready(): Promise<void> {
    await CourseModel.init();
  }

  /** A page of the courses the actor may read; `reads` says how much of it. */
  async list(actor: Actor, filter: CourseListFilter, page: PageWindow, reads: CourseListReads = {}): Promise<Page<Course>> {
    if (filter.owner === CourseOwnerFilter.MINE && actor) return this.mine(actor, filter, page, reads);
    return findPage<Course>(CourseModel, this.listFilter(actor, filter, []), LIST_ORDER, page, listFields(reads.fields), reads.counting, true);
  }

  /**
   * A MINE page in one command: the learner's enrollments, and the first courses of the window
   * among those they own and among those they are enrolled in (joined by the enrollments' course
   * ids, as the floor's two reads do in two), merged in list order.
   */
  private async mine(actor: Exclude<Actor, null>, filter: CourseListFilter, window: PageWindow, reads: CourseListReads): Promise<Page<Course>> {
    const enrolled = this.deps.progress.enrolledRead(actor._id, reads.loaders);
    const read = await answerTogether({
      enrolled,
      ...this.mineReads(actor, filter, window.skip + window.limit + 1, `enrolled.${enrolled.courseIdField}`, reads.fields),
    });
    const count = () => CourseModel.collection.countDocuments(this.listFilter(actor, filter, read.enrolled) as Filter<Document>);
    return pageOfRead(inMineOrder(read).slice(window.skip), window, reads.counting ?? { total: true, hasMore: true }, count);
  }

  /**
   * The first `limit` courses of a MINE list as two reads for `answerTogether` (`inMineOrder`
   * merges them), after the learner's enrollments were read in the same command: their course ids
   * are at `enrolledAt` (`"enrolled.course_id"`, with `EnrollmentLookup.enrolledRead` as `enrolled`).
   */
  mineReads(actor: Exclude<Actor, null>, filter: CourseListFilter, limit: number, enrolledAt: string, fields?: readonly string[]): MineReads {
    const rest = this.listFilter(actor, { ...filter, owner: CourseOwnerFilter.ALL }, []) as Filter<Document>;
    const projection = listFields(fields);
    const first = (filter: Filter<Document>, among?: RawRead["among"]): Reading<Course[]> => ({
      read: { model: CourseModel, filter, among, sort: LIST_ORDER, limit, projection: projection && Object.fromEntries(projection.map((field) => [field, 1 as const])) },
      answer: (rows: Course[]) => rows,
    });
    return { owned: first({ $and: [rest, { owner_id: actor._id }] }), joined: first(rest, { field: "_id", valuesAt: enrolledAt }) };
  }

  /** The course if the actor may read it, else null (missing, hidden and malformed ids alike). */
  async readable(actor: Actor, id: Types.ObjectId | string): Promise<Course | null> {
    const courseId = asObjectId(id);
    const course = courseId && (await findRaw<Course>(CourseModel, { _id: courseId }, { limit: 1 }))[0];
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
    // Through the driver: the dashboard's weak spots ask on every dashboard.
    const found = await findRaw<Pick<Course, "_id">>(CourseModel, filter as Filter<Document>, { projection: { _id: 1 } });
    return new Set(found.map((course) => String(course._id)));
  }

  /** For loaders: these courses in key order, null for missing ones (callers check visibility). */
  async byIds(ids: readonly Types.ObjectId[]): Promise<(Course | null)[]> {
    return answerAlone(this.byIdsRead(ids));
  }

  /** `byIds` as `answerTogether` takes it. */
  byIdsRead(ids: readonly Types.ObjectId[]): Reading<(Course | null)[]> {
    return { read: { model: CourseModel, filter: { _id: { $in: [...ids] } } }, answer: (found: Course[]) => inKeyOrder(ids, found, (course) => course._id, null) };
  }

  /**
   * Adds, changes (`role`) or removes (`role` null) the share of a course with `principal` (a
   * class or a user id); the caller checked who may share it.
   */
  async setGrant(courseId: Types.ObjectId, principal: Types.ObjectId, role: GrantRole | null, options?: GrantOptions): Promise<void> {
    await setGrantOn(CourseModel, courseId, principal, role, options);
  }

  /** Removes every share naming `principal` (a deleted class). */
  async dropSharesWith(principal: Types.ObjectId): Promise<void> {
    await dropPrincipalFrom(CourseModel, principal);
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
      ...chapterReadModel([]),
      owner_name: await this.ownerName(actor._id),
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
      // Its chapters are written already.
      ...chapterReadModel((await this.deps.chapters.byCourses([course._id], SUMMARY_FIELDS))[0]),
      owner_name: await this.ownerName(course.ownerId),
    });
    // A generation that ends after its owner's account began to be deleted must not leave a course behind.
    if ((await this.ownerName(course.ownerId)) === null) {
      await this.deleteStored([course._id]);
      raise("NOT_FOUND", "The account this course was written for no longer exists");
    }
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

  /**
   * `user.deleted`: every course of theirs goes, each as `deleteCourse` takes it (chapters,
   * quizzes, decks, enrollments, passages, chat sessions), whoever else reads or is enrolled in
   * it; shares naming them go from others' courses. Safe to run again.
   */
  async userDeleted(userId: Types.ObjectId): Promise<void> {
    const owned = await CourseModel.find({ owner_id: userId }, { _id: 1 }).lean<Pick<Course, "_id">[]>().exec();
    await this.deleteStored(owned.map((course) => course._id));
    await this.dropSharesWith(userId);
  }

  /** `delete` without the access check: one course at a time, each gone before its cascade. */
  private async deleteStored(ids: readonly Types.ObjectId[]): Promise<void> {
    for (const courseId of ids) {
      await CourseModel.deleteOne({ _id: courseId }).exec();
      await this.deps.events.emit("course.deleted", { courseId });
    }
  }

  /** `chapter.saved`, `chapter.deleted`, `chapters.reordered` (under the course's chapter lock): the course's copy of its chapters is read again. */
  async syncChapters(courseId: Types.ObjectId): Promise<void> {
    const [chapters] = await this.deps.chapters.byCourses([courseId], SUMMARY_FIELDS);
    await CourseModel.updateOne({ _id: courseId }, { $set: chapterReadModel(chapters) }, { timestamps: false }).exec();
  }

  /** `user.changed`: the courses they own show their name as it is now. */
  async syncOwnerName(userId: Types.ObjectId): Promise<void> {
    const name = await this.ownerName(userId);
    await CourseModel.updateMany({ owner_id: userId, owner_name: { $ne: name } }, { $set: { owner_name: name } }, { timestamps: false }).exec();
  }

  /**
   * The check behind `repairCourseSummaries`: rebuilds every course's chapter summaries and
   * owner name from the chapters and users, a batch at a time, and rewrites those that differ
   * (or were never written). Returns how many were rewritten.
   */
  async repairReadModels(): Promise<number> {
    let repaired = 0;
    let batch: Course[] = [];
    const repairBatch = async () => {
      const ids = batch.map((course) => course._id);
      const [chapters, owners] = await Promise.all([
        this.deps.chapters.byCourses(ids, SUMMARY_FIELDS),
        this.deps.users.summaries([...new Set(batch.map((course) => String(course.owner_id)))].map((id) => new Types.ObjectId(id))),
      ]);
      const names = new Map(owners.flatMap((owner) => (owner ? [[String(owner._id), owner.name] as const] : [])));
      const writes = batch.flatMap((course, i) => {
        const wanted = { ...chapterReadModel(chapters[i]), owner_name: names.get(String(course.owner_id)) ?? null };
        const stored = { chapter_summaries: course.chapter_summaries, chapter_count: course.chapter_count, total_minutes: course.total_minutes, owner_name: course.owner_name };
        if (JSON.stringify(stored) === JSON.stringify(wanted)) return [];
        return [{ updateOne: { filter: { _id: course._id }, update: { $set: wanted }, timestamps: false } }];
      });
      if (writes.length > 0) await CourseModel.bulkWrite(writes, { ordered: false });
      repaired += writes.length;
      batch = [];
    };
    const projection = { owner_id: 1, chapter_summaries: 1, chapter_count: 1, total_minutes: 1, owner_name: 1 };
    for await (const course of CourseModel.collection.find<Course>({}, { projection, sort: { _id: 1 } })) {
      batch.push(course);
      if (batch.length === REPAIR_BATCH) await repairBatch();
    }
    if (batch.length > 0) await repairBatch();
    return repaired;
  }

  private async ownerName(userId: Types.ObjectId): Promise<string | null> {
    return (await this.deps.users.summaries([userId]))[0]?.name ?? null;
  }

  /** `enrolled`: the actor's enrolled courses, for MINE. */
  private listFilter(actor: Actor, filter: CourseListFilter, enrolled: readonly Types.ObjectId[]): QueryFilter<Course> {
    const owner = filter.owner ?? CourseOwnerFilter.ALL;
    const and: QueryFilter<Course>[] = [];
    if (owner === CourseOwnerFilter.PUBLIC) {
      and.push({ is_public: true });
    } else {
      and.push(CoursePolicy.readableFilter(actor));
    }
    if (owner === CourseOwnerFilter.MINE) {
      if (!actor) raise("UNAUTHENTICATED", "Sign in to list your own courses");
      and.push({ $or: [{ owner_id: actor._id }, { _id: { $in: [...enrolled] } }] });
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
    return (await findRaw<Course>(CourseModel, { _id: id }, { limit: 1 }))[0] ?? courseNotFound();
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
