import { stringify } from "csv-stringify/sync";
import type { Types } from "mongoose";
import type { SignedIn } from "../../lib/identity";
import type { ItemStats } from "../quizzes/item-stats";
import type { AttemptService } from "../quizzes/attempt.service";
import type { QuizService } from "../quizzes/quiz.service";
import type { UserService } from "../users/user.service";
import type { GradedWork } from "./assignment-status";
import { AssignmentStatus, type Assignment } from "./assignment.model";
import type { AssignmentService } from "./assignment.service";
import type { ClassLeaderboardEntry, Gradebook, ClassWeakSpot } from "./assignment.types";
import { ClassRole } from "./class.model";
import type { ClassAccess, ClassService } from "./class.service";
import { bookAt, newClassBook, patchAssignment, patchStudent, patchWeakSpots, patchWork, round1, setWeakSpots, type ClassBook } from "./gradebook-book";
import type { BookSource, GradebookCache, GradebookChange } from "./gradebook-cache";
import { SharedKind } from "./sharing.types";

export const WEAK_SPOTS = 3;

/**
 * The gradebook, its CSV, per-question statistics and the leaderboard of one class: reads only.
 * Each instance keeps each class's book (`GradebookCache`): read whole once, then patched with
 * what each change re-reads (`BookSource`).
 */
export class GradebookService implements BookSource<ClassBook> {
  /** Each book's CSV, made once: a patch makes a new book. */
  private readonly csvs = new WeakMap<Gradebook, string>();

  constructor(
    private readonly deps: {
      classes: ClassService;
      assignments: AssignmentService;
      attempts: AttemptService;
      quizzes: QuizService;
      users: UserService;
      cache: GradebookCache<ClassBook>;
    },
  ) {}

  /** Students x assignments for teachers and TAs; `weakSpots` reads the students' answers too (once, then kept up to date). */
  async gradebook(access: ClassAccess, options: { weakSpots?: boolean } = {}): Promise<Gradebook> {
    const state = options.weakSpots
      ? await this.deps.cache.update(access.cls._id, this, async (book) => {
          if (!book.weak) setWeakSpots(book, await this.weakSpots([...book.works.values()]));
        })
      : await this.deps.cache.get(access.cls._id, this);
    return bookAt(state, new Date());
  }

  /** Everything the class's book is computed from, read at once (a cold cache). */
  async load(classId: Types.ObjectId): Promise<ClassBook> {
    const [{ items: assignments }, studentIds, works] = await Promise.all([
      this.deps.assignments.forClass(classId),
      this.deps.classes.memberIds(classId, ClassRole.STUDENT),
      this.deps.assignments.workOfClass(classId),
    ]);
    const users = await this.deps.users.byIds(studentIds);
    const students = studentIds.map((userId, i) => ({ userId: String(userId), name: users[i]?.name ?? "", email: users[i]?.email ?? "" }));
    return newClassBook(assignments, students, works, null, new Date());
  }

  /** Re-reads what one change touched: a student's cell, a student's row, or an assignment's column. */
  async apply(state: ClassBook, change: GradebookChange): Promise<void> {
    if (change.kind === "work") {
      const work = await this.deps.assignments.workOf(change.assignmentId, change.userId);
      patchWork(state, String(change.userId), String(change.assignmentId), work, new Date());
      if (state.weak && work?.attempts.length) patchWeakSpots(state, String(change.userId), await this.weakSpotsOf(state, change.userId));
    } else if (change.kind === "member") {
      const [role, [user], works] = await Promise.all([
        this.deps.classes.roleOf(change.classId, change.userId),
        this.deps.users.byIds([change.userId]),
        this.deps.assignments.workOfStudent(change.classId, change.userId),
      ]);
      const student = role === ClassRole.STUDENT ? { userId: String(change.userId), name: user?.name ?? "", email: user?.email ?? "" } : null;
      const weak = student && state.weak ? ((await this.weakSpots(works)).get(student.userId) ?? []) : null;
      patchStudent(state, String(change.userId), student, works, weak, new Date());
    } else {
      const [{ items: assignments }, works] = await Promise.all([this.deps.assignments.forClass(change.classId), this.deps.assignments.workOfAssignment(change.assignmentId)]);
      patchAssignment(state, String(change.assignmentId), assignments, works, new Date());
    }
  }

  /** One line per student and assignment, for spreadsheets. */
  async csv(access: ClassAccess): Promise<string> {
    const book = await this.gradebook(access);
    const made = this.csvs.get(book);
    if (made !== undefined) return made;
    const lines = book.rows.flatMap((row) =>
      row.cells.map((cell, j) => {
        const assignment = book.assignments[j].assignment;
        return [
          row.name,
          row.email,
          assignment.title,
          assignment.kind,
          assignment.due_at.toISOString(),
          cell.status,
          cell.score ?? "",
          cell.attempts,
          cell.completionPercent,
          cell.submittedAt?.toISOString() ?? "",
          cell.late ? "yes" : "no",
          cell.lateSeconds,
        ];
      }),
    );
    const header = ["student", "email", "assignment", "kind", "due_at", "status", "score", "attempts", "completion_percent", "submitted_at", "late", "late_seconds"];
    const csv = stringify([header, ...lines]);
    this.csvs.set(book, csv);
    return csv;
  }

  /** Per-question statistics of a quiz assignment, over this class's attempts only. */
  async questionStats(actor: SignedIn, assignment: Assignment): Promise<ItemStats[] | null> {
    if (assignment.kind !== SharedKind.QUIZ) return null;
    const quiz = await this.deps.quizzes.readable(actor, assignment.target_id);
    if (!quiz) return null;
    const works = await this.deps.assignments.workOfAssignment(assignment._id);
    const attemptIds = works.flatMap((work) => work.attempts.map((attempt) => attempt.attempt_id));
    return this.deps.attempts.itemStatsAmong(quiz, attemptIds);
  }

  /** Students by the sum of their scores that count; ties share a rank. */
  async leaderboard(access: ClassAccess): Promise<ClassLeaderboardEntry[]> {
    const book = await this.gradebook(access);
    const entries = book.rows.map((row) => ({
      userId: row.userId,
      name: row.name,
      points: round1(row.cells.reduce((sum, cell) => sum + (cell.score ?? 0), 0)),
      completed: row.cells.filter((cell) => cell.status === AssignmentStatus.SUBMITTED || cell.status === AssignmentStatus.LATE).length,
    }));
    entries.sort((a, b) => b.points - a.points || a.name.localeCompare(b.name));
    let rank = 0;
    return entries.map((entry, i) => {
      if (i === 0 || entry.points !== entries[i - 1].points) rank = i + 1;
      return { rank, ...entry };
    });
  }

  /** One student's weak spots, from their work kept in the book. */
  private async weakSpotsOf(state: ClassBook, userId: Types.ObjectId): Promise<ClassWeakSpot[]> {
    const works = state.assignments.flatMap((assignment) => state.works.get(`${String(userId)}:${String(assignment._id)}`) ?? []);
    return (await this.weakSpots(works)).get(String(userId)) ?? [];
  }

  private async weakSpots(works: GradedWork[]): Promise<Map<string, ClassWeakSpot[]>> {
    const answers = await this.deps.attempts.answersOf(works.flatMap((work) => work.attempts.map((attempt) => attempt.attempt_id)));
    const byUser = new Map<string, Map<string, { answered: number; missed: number }>>();
    for (const attempt of answers) {
      const chapters = byUser.get(String(attempt.user_id)) ?? new Map<string, { answered: number; missed: number }>();
      byUser.set(String(attempt.user_id), chapters);
      for (const answer of attempt.answers) {
        if (!answer.chapter_id) continue;
        const row = chapters.get(String(answer.chapter_id)) ?? { answered: 0, missed: 0 };
        row.answered += 1;
        if (!answer.correct) row.missed += 1;
        chapters.set(String(answer.chapter_id), row);
      }
    }
    const result = new Map<string, ClassWeakSpot[]>();
    for (const [userId, chapters] of byUser) {
      const spots = [...chapters]
        .filter(([, row]) => row.missed > 0)
        .map(([chapterId, row]) => ({ chapterId, ...row }))
        .sort((a, b) => b.missed / b.answered - a.missed / a.answered || b.missed - a.missed)
        .slice(0, WEAK_SPOTS);
      result.set(userId, spots);
    }
    return result;
  }
}
