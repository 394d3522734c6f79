import { stringify } from "csv-stringify/sync";
import type { SignedIn } from "../../lib/identity";
import type { ItemStats } from "../quizzes/item-stats";
import type { AttemptService } from "../quizzes/attempt.service";
import type { QuizService } from "../quizzes/quiz.service";
import type { UserService } from "../users/user.service";
import { lateSecondsOf, scoreOf, statusOf, submittedAtOf } from "./assignment-status";
import { AssignmentStatus, type Assignment, type AssignmentWork } from "./assignment.model";
import type { AssignmentService } from "./assignment.service";
import type { ClassLeaderboardEntry, Gradebook, GradebookCell, GradebookRow, ClassWeakSpot } from "./assignment.types";
import { ClassRole } from "./class.model";
import type { ClassAccess, ClassService } from "./class.service";
import type { GradebookCache } from "./gradebook-cache";
import { SharedKind } from "./sharing.types";

export const WEAK_SPOTS = 3;

/** The gradebook, its CSV, per-question statistics and the leaderboard of one class: reads only. */
export class GradebookService {
  constructor(
    private readonly deps: {
      classes: ClassService;
      assignments: AssignmentService;
      attempts: AttemptService;
      quizzes: QuizService;
      users: UserService;
      cache: GradebookCache<Gradebook>;
    },
  ) {}

  /** Students x assignments for teachers and TAs; `weakSpots` reads the students' answers too. Served from the cache while the class's work stays as it is. */
  async gradebook(access: ClassAccess, options: { weakSpots?: boolean } = {}): Promise<Gradebook> {
    return this.deps.cache.get(access.cls._id, options.weakSpots ? "weak" : "plain", async () => {
      const now = new Date();
      const book = await this.compute(access, options, now);
      const nextDue = book.assignments.map((column) => column.assignment.due_at.getTime()).filter((due) => due > now.getTime());
      return { value: book, validUntil: Math.min(Infinity, ...nextDue) };
    });
  }

  /** The gradebook as of `now`, read from the class's work. */
  async compute(access: ClassAccess, options: { weakSpots?: boolean }, now: Date): Promise<Gradebook> {
    const classId = access.cls._id;
    const [{ items: assignments }, studentIds, works] = await Promise.all([
      this.deps.assignments.forClass(classId),
      this.deps.classes.memberIds(classId, ClassRole.STUDENT),
      this.deps.assignments.workOfClass(classId),
    ]);
    const users = await this.deps.users.byIds(studentIds);
    const workOf = new Map(works.map((work) => [`${String(work.user_id)}:${String(work.assignment_id)}`, work]));
    const weak = options.weakSpots ? await this.weakSpots(works) : new Map<string, ClassWeakSpot[]>();
    const rows: GradebookRow[] = studentIds.map((userId, i) => ({
      userId: String(userId),
      name: users[i]?.name ?? "",
      email: users[i]?.email ?? "",
      cells: assignments.map((assignment) => cellOf(assignment, workOf.get(`${String(userId)}:${String(assignment._id)}`) ?? null, now)),
      weakSpots: weak.get(String(userId)) ?? [],
    }));
    rows.sort((a, b) => a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId));
    const columns = assignments.map((assignment, j) => {
      const cells = rows.map((row) => row.cells[j]);
      const scored = cells.flatMap((cell) => (cell.score === null ? [] : [cell.score]));
      return {
        assignment,
        averageScore: scored.length === 0 ? null : round1(scored.reduce((sum, score) => sum + score, 0) / scored.length),
        submitted: cells.filter((cell) => cell.status === AssignmentStatus.SUBMITTED).length,
        late: cells.filter((cell) => cell.status === AssignmentStatus.LATE).length,
        missed: cells.filter((cell) => cell.status === AssignmentStatus.MISSED).length,
      };
    });
    return { assignments: columns, rows };
  }

  /** One line per student and assignment, for spreadsheets. */
  async csv(access: ClassAccess): Promise<string> {
    const book = await this.gradebook(access);
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
    return stringify([header, ...lines]);
  }

  /** Per-question statistics of a quiz assignment, over this class's attempts only. */
  async questionStats(actor: SignedIn, assignment: Assignment): Promise<ItemStats[] | null> {
    if (assignment.kind !== SharedKind.QUIZ) return null;
    const quiz = await this.deps.quizzes.readable(actor, assignment.target_id);
    if (!quiz) return null;
    const works = await this.deps.assignments.workOfClass(assignment.class_id);
    const attemptIds = works.filter((work) => work.assignment_id.equals(assignment._id)).flatMap((work) => work.attempts.map((attempt) => attempt.attempt_id));
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

  private async weakSpots(works: AssignmentWork[]): Promise<Map<string, ClassWeakSpot[]>> {
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

function cellOf(assignment: Assignment, work: AssignmentWork | null, now: Date): GradebookCell {
  const lateSeconds = lateSecondsOf(assignment, work);
  const status = statusOf(assignment, work, now);
  return {
    assignmentId: String(assignment._id),
    status,
    score: scoreOf(assignment, work),
    attempts: work?.attempts.length ?? 0,
    completionPercent: work?.completion_percent ?? 0,
    submittedAt: submittedAtOf(assignment, work),
    late: status === AssignmentStatus.LATE,
    lateSeconds,
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

