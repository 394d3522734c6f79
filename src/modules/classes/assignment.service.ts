import type { Types } from "mongoose";
import { raise, type FieldError } from "../../lib/errors";
import { GrantRole } from "../../lib/grants";
import { asObjectId } from "../../lib/ids";
import type { SignedIn } from "../../lib/identity";
import type { Page, PageWindow } from "../../lib/pagination";
import { findRaw } from "../../lib/raw-reads";
import type { Chapter } from "../chapters/chapter.model";
import type { ChapterService } from "../chapters/chapter.service";
import type { CourseService } from "../courses/course.service";
import type { ProgressService } from "../progress/progress.service";
import type { QuizAttempt } from "../quizzes/attempt.model";
import type { AttemptService } from "../quizzes/attempt.service";
import type { AnswerInput } from "../quizzes/quiz.inputs";
import type { QuizService } from "../quizzes/quiz.service";
import type { DeckService } from "../study/deck.service";
import type { UserService } from "../users/user.service";
import { ClassActivityKind } from "./class-activity";
import { ClassRole, type Class } from "./class.model";
import type { ClassAccess, ClassService } from "./class.service";
import { scoreOf, statusOf, submittedAtOf, type GradedWork } from "./assignment-status";
import { Assignment, AssignmentModel, AssignmentStatus, AssignmentWork, AssignmentWorkModel } from "./assignment.model";
import type { CreateAssignmentInput } from "./assignment.inputs";
import type { StudentAssignment } from "./assignment.types";
import type { GradebookChange } from "./gradebook-cache";
import type { SharingService } from "./sharing.service";
import { SharedKind } from "./sharing.types";

/** A work record as grading reads it: whose, on what, and what `GradedWork` holds. */
export type StudentWork = GradedWork & Pick<AssignmentWork, "user_id" | "assignment_id">;
const STUDENT_WORK = { _id: 0, user_id: 1, assignment_id: 1, attempts: 1, completion_percent: 1, started_at: 1, completed_at: 1 };

export function assignmentNotFound(): never {
  return raise("NOT_FOUND", "Assignment not found");
}

/** Assignments and each student's work on them: the only code that touches `assignments` and `assignment_work`. */
export class AssignmentService {
  constructor(
    private readonly deps: {
      classes: ClassService;
      sharing: SharingService;
      courses: CourseService;
      quizzes: QuizService;
      attempts: AttemptService;
      chapters: ChapterService;
      progress: ProgressService;
      decks: DeckService;
      users: UserService;
      /** Told of every change of a class's assignments and work. */
      gradebooks: { changed(change: GradebookChange): void };
      graceSeconds: number;
    },
  ) {}

  async ready(): Promise<void> {
    await Promise.all([AssignmentModel.init(), AssignmentWorkModel.init()]);
  }

  /**
   * Checks everything before writing anything: dates, the kind's settings, and that the teacher
   * may share what they assign (NOT_FOUND / FORBIDDEN as `share` says). Then the class gets read
   * access to it (an existing share of the class is kept as it is).
   */
  async create(actor: SignedIn, input: CreateAssignmentInput): Promise<Assignment> {
    const { cls } = await this.deps.classes.teachingOrFail(actor, input.classId, { writable: true });
    const fields: FieldError[] = [];
    if (input.dueAt.getTime() <= input.opensAt.getTime()) fields.push({ field: "input.dueAt", message: "must be after opensAt" });
    if (input.kind !== SharedKind.QUIZ && input.timeLimitSeconds) fields.push({ field: "input.timeLimitSeconds", message: "only a quiz has a time limit" });
    if (input.kind !== SharedKind.QUIZ && input.attemptsAllowed !== 1) fields.push({ field: "input.attemptsAllowed", message: "only a quiz has attempts" });
    if (input.kind === SharedKind.DECK && !input.reviewCount) fields.push({ field: "input.reviewCount", message: "a deck assignment says how many reviews" });
    if (input.kind !== SharedKind.DECK && input.reviewCount) fields.push({ field: "input.reviewCount", message: "only a deck has a review count" });
    if (fields.length > 0) raise("BAD_USER_INPUT", "The assignment does not add up", { fields });
    const targetId = await this.deps.sharing.shareableOrFail(actor, { kind: input.kind, id: input.targetId });
    const title = input.title ?? (await this.titleOf(actor, input.kind, targetId));
    await this.deps.sharing.grantIfAbsent(input.kind, targetId, cls._id, GrantRole.VIEWER);
    if (input.kind === SharedKind.QUIZ && input.hideKeysUntilDue) await this.deps.quizzes.hideKeysUntil(targetId, input.dueAt);
    const created = await AssignmentModel.create({
      class_id: cls._id,
      kind: input.kind,
      target_id: targetId,
      title,
      opens_at: input.opensAt,
      due_at: input.dueAt,
      attempts_allowed: input.attemptsAllowed,
      time_limit_seconds: input.timeLimitSeconds ?? undefined,
      accept_late: input.acceptLate,
      score_policy: input.scorePolicy,
      hide_keys_until_due: input.hideKeysUntilDue,
      review_count: input.reviewCount ?? undefined,
      created_by: actor._id,
    });
    if (input.kind === SharedKind.QUIZ) {
      await this.deps.quizzes.setAssigned(targetId, { class_id: cls._id, assignment_id: created._id, until: input.acceptLate ? undefined : input.dueAt });
    }
    this.deps.gradebooks.changed({ kind: "assignment", classId: cls._id, assignmentId: created._id });
    return created.toObject<Assignment>();
  }

  /** Deletes an assignment and its work records (attempts stay in the students' history). */
  async delete(actor: SignedIn, id: string): Promise<boolean> {
    const { assignment } = await this.readableOrFail(actor, id);
    await this.deps.classes.teachingOrFail(actor, assignment.class_id, { writable: true });
    await AssignmentModel.deleteOne({ _id: assignment._id }).exec();
    await AssignmentWorkModel.deleteMany({ assignment_id: assignment._id }).exec();
    if (assignment.kind === SharedKind.QUIZ) await this.deps.quizzes.setAssigned(assignment.target_id, { class_id: assignment.class_id, assignment_id: assignment._id }, true);
    this.deps.gradebooks.changed({ kind: "assignment", classId: assignment.class_id, assignmentId: assignment._id });
    return true;
  }

  /** `user.deleted`: their work records leave the gradebooks; assignments they set stay the class's. */
  async userDeleted(userId: Types.ObjectId): Promise<void> {
    const classIds = await AssignmentWorkModel.distinct("class_id", { user_id: userId }).exec();
    await AssignmentWorkModel.deleteMany({ user_id: userId }).exec();
    await AssignmentModel.updateMany({ created_by: userId }, { $unset: { created_by: 1 } }).exec();
    for (const classId of classIds) this.deps.gradebooks.changed({ kind: "member", classId: classId as Types.ObjectId, userId });
  }

  /**
   * A class deleted with its last member: its assignments and their work, the quizzes' notes of
   * them, and every share it had (of anyone's course, quiz or deck).
   */
  async classDeleted(classId: Types.ObjectId): Promise<void> {
    await this.deps.quizzes.dropClass(classId);
    await this.deps.courses.dropSharesWith(classId);
    await this.deps.decks.dropSharesWith(classId);
    await AssignmentWorkModel.deleteMany({ class_id: classId }).exec();
    await AssignmentModel.deleteMany({ class_id: classId }).exec();
    // No gradebook to patch: a deleted class's is read by no one (its access check fails first).
  }

  /** The class's assignments, soonest due first. */
  async forClass(classId: Types.ObjectId, page?: PageWindow): Promise<Page<Assignment>> {
    const all = await AssignmentModel.find({ class_id: classId }).sort({ due_at: 1, _id: 1 }).lean<Assignment[]>().exec();
    const window = page ?? { skip: 0, limit: all.length };
    const items = all.slice(window.skip, window.skip + window.limit);
    return { items, total: all.length, hasMore: window.skip + items.length < all.length };
  }

  /** Every work record of a class, as grading reads it (through the driver: 20,000 of them in a big class). */
  workOfClass(classId: Types.ObjectId): Promise<StudentWork[]> {
    return findRaw<StudentWork>(AssignmentWorkModel, { class_id: classId }, { projection: STUDENT_WORK });
  }

  /** Every work record on one assignment, as grading reads it. */
  workOfAssignment(assignmentId: Types.ObjectId): Promise<StudentWork[]> {
    return findRaw<StudentWork>(AssignmentWorkModel, { assignment_id: assignmentId }, { projection: STUDENT_WORK });
  }

  /** One student's work records in a class, as grading reads them. */
  workOfStudent(classId: Types.ObjectId, userId: Types.ObjectId): Promise<StudentWork[]> {
    return findRaw<StudentWork>(AssignmentWorkModel, { user_id: userId, class_id: classId }, { projection: STUDENT_WORK });
  }

  /** One student's work on one assignment, or null. */
  workOf(assignmentId: Types.ObjectId, userId: Types.ObjectId): Promise<AssignmentWork | null> {
    return AssignmentWorkModel.findOne({ assignment_id: assignmentId, user_id: userId }).lean<AssignmentWork>().exec();
  }

  async readableOrFail(actor: SignedIn, id: string): Promise<{ assignment: Assignment; access: ClassAccess }> {
    const assignmentId = asObjectId(id);
    const assignment = assignmentId && (await AssignmentModel.findById(assignmentId).lean<Assignment>().exec());
    if (!assignment) assignmentNotFound();
    const access = await this.deps.classes.access(actor, assignment.class_id);
    if (!access) assignmentNotFound();
    return { assignment, access };
  }

  /** Starts work: a timed quiz's clock starts here, on the server (starting again while it runs changes nothing). */
  async start(actor: SignedIn, id: string, now = new Date()): Promise<StudentAssignment> {
    const { assignment, access } = await this.workableOrFail(actor, id, now);
    let work = await this.work(assignment, actor._id);
    if (assignment.kind === SharedKind.QUIZ) {
      this.attemptsLeftOrFail(assignment, work);
      const running = work?.attempt_ends_at && work.attempt_ends_at.getTime() > now.getTime();
      if (assignment.time_limit_seconds && !running) {
        const ends = new Date(now.getTime() + assignment.time_limit_seconds * 1000);
        work = await this.upsertWork(assignment, actor._id, { $set: { attempt_ends_at: ends }, $min: { started_at: now } });
      }
    }
    if (!work?.started_at) work = await this.upsertWork(assignment, actor._id, { $min: { started_at: now } });
    this.deps.classes.announce(assignment.class_id, { kind: ClassActivityKind.STARTED, userId: String(actor._id), name: actor.name, assignmentId: String(assignment._id) });
    return this.view(assignment, access.cls, work, now);
  }

  /**
   * Submits a quiz assignment: refused (and nothing stored) when no attempts are left, before it
   * opens, without a started clock on a timed quiz, or late where late work does not count; a
   * late one that counts is marked so.
   */
  async submitQuiz(actor: SignedIn, id: string, answers: AnswerInput[], now = new Date()): Promise<{ attempt: QuizAttempt; late: boolean; assignment: StudentAssignment }> {
    const { assignment, access } = await this.workableOrFail(actor, id, now);
    if (assignment.kind !== SharedKind.QUIZ) raise("BAD_USER_INPUT", "Only a quiz assignment is submitted; courses and decks count as you work", { fields: [{ field: "assignmentId", message: "is not a quiz assignment" }] });
    const work = await this.work(assignment, actor._id);
    this.attemptsLeftOrFail(assignment, work);
    let late = now.getTime() > assignment.due_at.getTime();
    if (assignment.time_limit_seconds) {
      if (!work?.attempt_ends_at) raise("CONFLICT", "Start the timed attempt first (startAssignment)", { reason: "not_started" });
      if (now.getTime() > work.attempt_ends_at.getTime() + this.deps.graceSeconds * 1000) {
        if (!assignment.accept_late) raise("FORBIDDEN", "The time limit of this attempt has passed: the submission is refused", { reason: "time_limit_passed" });
        late = true;
      }
    }
    // Reading the quiz and grading come first: a refused grading stores nothing here either.
    const attempt = await this.deps.attempts.submit(actor, String(assignment.target_id), answers, { forAssignment: true });
    const updated = await this.upsertWork(assignment, actor._id, {
      $push: { attempts: { attempt_id: attempt._id, percent: attempt.percent, submitted_at: now, late } },
      $unset: { attempt_ends_at: 1 },
      $min: { started_at: now },
      $set: { completion_percent: 100 },
    });
    this.deps.classes.announce(assignment.class_id, {
      kind: ClassActivityKind.SUBMITTED,
      userId: String(actor._id),
      name: actor.name,
      assignmentId: String(assignment._id),
      percent: attempt.percent,
      late,
    });
    return { attempt, late, assignment: this.view(assignment, access.cls, updated, now) };
  }

  /** The actor's assignments as a student, soonest due first; `status` filters. */
  async mine(actor: SignedIn, status: AssignmentStatus | null | undefined, page: PageWindow, now = new Date()): Promise<Page<StudentAssignment>> {
    const all = await this.allMine(actor, now);
    const filtered = status ? all.filter((item) => item.status === status) : all;
    const items = filtered.slice(page.skip, page.skip + page.limit);
    return { items, total: filtered.length, hasMore: page.skip + items.length < filtered.length };
  }

  /** What is due next: the soonest assignment not handed in and not yet due. */
  async nextDue(actor: SignedIn, now = new Date()): Promise<StudentAssignment | null> {
    const all = await this.allMine(actor, now);
    return all.find((item) => item.status === AssignmentStatus.NOT_STARTED || item.status === AssignmentStatus.IN_PROGRESS) ?? null;
  }

  /** A chapter completed: every open course assignment of the student's classes on its course moves on (a learner in no class has none: nothing is read). */
  async chapterCompleted(userId: Types.ObjectId, classIds: readonly Types.ObjectId[], chapter: Chapter, at: Date): Promise<void> {
    if (classIds.length === 0) return;
    const assignments = await this.openAssignmentsOf(userId, SharedKind.COURSE, chapter.course_id, at);
    if (assignments.length === 0) return;
    const [[progress], [chapters]] = await Promise.all([
      this.deps.progress.forUser(userId, [chapter.course_id]),
      this.deps.chapters.byCourses([chapter.course_id], []),
    ]);
    const done = new Set((progress?.completed_chapter_ids ?? []).map(String));
    const total = chapters.length;
    const percent = total === 0 ? 0 : Math.floor((chapters.filter((c) => done.has(String(c._id))).length * 100) / total);
    const name = (await this.deps.users.findById(userId))?.name ?? "";
    for (const assignment of assignments) {
      const update: Record<string, unknown> = { $set: { completion_percent: percent }, $min: { started_at: at } };
      if (percent >= 100) (update.$min as Record<string, unknown>).completed_at = at;
      await this.upsertWork(assignment, userId, update);
      this.deps.classes.announce(assignment.class_id, {
        kind: ClassActivityKind.CHAPTER_COMPLETED,
        userId: String(userId),
        name,
        assignmentId: String(assignment._id),
        chapterId: String(chapter._id),
        percent,
      });
    }
  }

  /** A card reviewed: open deck assignments on its deck count it (a learner in no class has none: nothing is read). */
  async cardReviewed(userId: Types.ObjectId, classIds: readonly Types.ObjectId[], deckId: Types.ObjectId, at: Date): Promise<void> {
    if (classIds.length === 0) return;
    const assignments = await this.openAssignmentsOf(userId, SharedKind.DECK, deckId, at);
    for (const assignment of assignments) {
      const work = await this.upsertWork(assignment, userId, { $inc: { reviews_done: 1 }, $min: { started_at: at } });
      const percent = Math.min(100, Math.floor((work.reviews_done * 100) / (assignment.review_count ?? 1)));
      await this.upsertWork(assignment, userId, { $set: { completion_percent: percent }, ...(percent >= 100 ? { $min: { completed_at: at } } : {}) });
    }
  }

  /** One student's view of an assignment. */
  view(assignment: Assignment, cls: Pick<Class, "_id" | "name">, work: AssignmentWork | null, now: Date): StudentAssignment {
    const running = work?.attempt_ends_at && work.attempt_ends_at.getTime() > now.getTime() - this.deps.graceSeconds * 1000;
    return {
      assignment,
      classId: String(cls._id),
      className: cls.name,
      status: statusOf(assignment, work, now),
      score: scoreOf(assignment, work),
      attemptsUsed: work?.attempts.length ?? 0,
      completionPercent: work?.completion_percent ?? 0,
      submittedAt: submittedAtOf(assignment, work),
      attemptEndsAt: running ? work!.attempt_ends_at! : null,
    };
  }

  private async allMine(actor: SignedIn, now: Date): Promise<StudentAssignment[]> {
    const classIds = await this.deps.classes.classIdsOf(actor._id, [ClassRole.STUDENT]);
    if (classIds.length === 0) return [];
    const [assignments, works, classes] = await Promise.all([
      AssignmentModel.find({ class_id: { $in: classIds } }).sort({ due_at: 1, _id: 1 }).lean<Assignment[]>().exec(),
      AssignmentWorkModel.find({ user_id: actor._id }).lean<AssignmentWork[]>().exec(),
      this.deps.classes.byIds(classIds),
    ]);
    const workOf = new Map(works.map((work) => [String(work.assignment_id), work]));
    const classOf = new Map(classes.map((cls) => [String(cls._id), cls]));
    return assignments.map((assignment) => this.view(assignment, classOf.get(String(assignment.class_id))!, workOf.get(String(assignment._id)) ?? null, now));
  }

  /** A student of the class, the class not archived, the assignment open, and late work allowed if it is late. */
  private async workableOrFail(actor: SignedIn, id: string, now: Date): Promise<{ assignment: Assignment; access: ClassAccess }> {
    const found = await this.readableOrFail(actor, id);
    const { assignment, access } = found;
    if (access.role !== ClassRole.STUDENT) raise("FORBIDDEN", "Only the class's students work on its assignments");
    if (access.cls.archived_at) raise("FORBIDDEN", "The class is archived: it is read-only", { reason: "class_archived" });
    if (now.getTime() < assignment.opens_at.getTime()) raise("FORBIDDEN", "This assignment is not open yet", { reason: "not_open", opensAt: assignment.opens_at.toISOString() });
    if (now.getTime() > assignment.due_at.getTime() && !assignment.accept_late) {
      raise("FORBIDDEN", "This assignment is past its due date and late work is not accepted", { reason: "past_due" });
    }
    return found;
  }

  private attemptsLeftOrFail(assignment: Assignment, work: AssignmentWork | null): void {
    if ((work?.attempts.length ?? 0) >= assignment.attempts_allowed) {
      raise("CONFLICT", `No attempts left: this quiz allows ${assignment.attempts_allowed}`, { reason: "no_attempts_left" });
    }
  }

  private async openAssignmentsOf(userId: Types.ObjectId, kind: SharedKind, targetId: Types.ObjectId, at: Date): Promise<Assignment[]> {
    const classIds = await this.deps.classes.classIdsOf(userId, [ClassRole.STUDENT]);
    if (classIds.length === 0) return [];
    const found = await AssignmentModel.find({ class_id: { $in: classIds }, kind, target_id: targetId, opens_at: { $lte: at } }).lean<Assignment[]>().exec();
    return found.filter((assignment) => assignment.accept_late || at.getTime() <= assignment.due_at.getTime());
  }

  private work(assignment: Assignment, userId: Types.ObjectId): Promise<AssignmentWork | null> {
    return this.workOf(assignment._id, userId);
  }

  private async upsertWork(assignment: Assignment, userId: Types.ObjectId, update: Record<string, unknown>): Promise<AssignmentWork> {
    const work = (await AssignmentWorkModel.findOneAndUpdate(
      { assignment_id: assignment._id, user_id: userId },
      { ...update, $setOnInsert: { class_id: assignment.class_id } },
      { upsert: true, returnDocument: "after" },
    )
      .lean<AssignmentWork>()
      .exec()) as AssignmentWork;
    this.deps.gradebooks.changed({ kind: "work", classId: assignment.class_id, userId, assignmentId: assignment._id });
    return work;
  }

  private async titleOf(actor: SignedIn, kind: SharedKind, id: Types.ObjectId): Promise<string> {
    if (kind === SharedKind.COURSE) return (await this.deps.courses.readableOrFail(actor, id)).title;
    if (kind === SharedKind.QUIZ) return (await this.deps.quizzes.readableOrFail(actor, id)).title;
    return (await this.deps.decks.readableOrFail(actor, id)).deck.title;
  }
}
