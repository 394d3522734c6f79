import type { Assignment, AssignmentWork } from "./assignment.model";
import { AssignmentStatus, ScorePolicy } from "./assignment.model";
import { SharedKind } from "./sharing.types";

/** What grading reads of a work record. */
export type GradedWork = Pick<AssignmentWork, "attempts" | "completion_percent" | "started_at" | "completed_at">;

/** Where a student stands with an assignment at `now`, from their work on it (null: none yet). */
export function statusOf(assignment: Assignment, work: GradedWork | null, now: Date): AssignmentStatus {
  const due = assignment.due_at.getTime();
  if (assignment.kind === SharedKind.QUIZ) {
    if (work?.attempts.length) return work.attempts.some((attempt) => !attempt.late) ? AssignmentStatus.SUBMITTED : AssignmentStatus.LATE;
  } else if (work?.completed_at) {
    if (work.completed_at.getTime() <= due) return AssignmentStatus.SUBMITTED;
    if (assignment.accept_late) return AssignmentStatus.LATE;
  }
  if (now.getTime() > due) return AssignmentStatus.MISSED;
  return work?.started_at || (work?.completion_percent ?? 0) > 0 ? AssignmentStatus.IN_PROGRESS : AssignmentStatus.NOT_STARTED;
}

/**
 * The score that counts, in percent: a quiz's best or last attempt (as the assignment says), a
 * course's or deck's completion. Null while there is nothing to score; work that came too late
 * where late work does not count scores nothing.
 */
export function scoreOf(assignment: Assignment, work: GradedWork | null): number | null {
  if (!work) return null;
  if (assignment.kind === SharedKind.QUIZ) {
    if (work.attempts.length === 0) return null;
    if (assignment.score_policy === ScorePolicy.LAST) return work.attempts[work.attempts.length - 1].percent;
    return Math.max(...work.attempts.map((attempt) => attempt.percent));
  }
  if (work.completed_at && work.completed_at.getTime() > assignment.due_at.getTime() && !assignment.accept_late) return null;
  return work.completion_percent;
}

/** When the work was handed in: a quiz's counting attempt, a course's or deck's completion. */
export function submittedAtOf(assignment: Assignment, work: GradedWork | null): Date | null {
  if (!work) return null;
  if (assignment.kind !== SharedKind.QUIZ) return work.completed_at ?? null;
  if (work.attempts.length === 0) return null;
  if (assignment.score_policy === ScorePolicy.LAST) return work.attempts[work.attempts.length - 1].submitted_at;
  const best = work.attempts.reduce((a, b) => (b.percent > a.percent ? b : a));
  return best.submitted_at;
}

/** How late the counting submission was, in whole seconds rounded up (0 when on time or not handed in). */
export function lateSecondsOf(assignment: Assignment, work: GradedWork | null): number {
  const at = submittedAtOf(assignment, work);
  return at ? Math.max(0, Math.ceil((at.getTime() - assignment.due_at.getTime()) / 1000)) : 0;
}
