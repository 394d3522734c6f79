import { lateSecondsOf, scoreOf, statusOf, submittedAtOf, type GradedWork } from "./assignment-status";
import { AssignmentStatus, type Assignment } from "./assignment.model";
import type { StudentWork } from "./assignment.service";
import type { ClassWeakSpot, Gradebook, GradebookCell, GradebookColumn, GradebookRow } from "./assignment.types";

export interface BookStudent {
  userId: string;
  name: string;
  email: string;
}

/**
 * One class's gradebook with what it is computed from, kept per instance. A change of one
 * student's work, one student's membership or one assignment re-reads only that and patches
 * this: the affected cell, row or column and the column figures. `book` is never changed in
 * place (a request may be reading it): every patch makes a new one, sharing what stayed.
 */
export interface ClassBook {
  /** Soonest due first. */
  assignments: Assignment[];
  students: Map<string, BookStudent>;
  /** By `${userId}:${assignmentId}`. */
  works: Map<string, GradedWork>;
  /** Per student; null until a request reads weak spots (they cost every answer of the class). */
  weak: Map<string, ClassWeakSpot[]> | null;
  book: Gradebook;
  /** The statuses hold up to this time: the first due date not passed when they were computed. */
  validUntil: number;
}

export function workKey(userId: unknown, assignmentId: unknown): string {
  return `${String(userId)}:${String(assignmentId)}`;
}

/** A class's book from everything read at once (a cold cache). */
export function newClassBook(assignments: Assignment[], students: BookStudent[], works: StudentWork[], weak: ClassBook["weak"], now: Date): ClassBook {
  const state: ClassBook = {
    assignments,
    students: new Map(students.map((student) => [student.userId, student])),
    works: new Map(works.map((work) => [workKey(work.user_id, work.assignment_id), work])),
    weak,
    book: { assignments: [], rows: [] },
    validUntil: -Infinity,
  };
  recompute(state, now);
  return state;
}

/** The book as of `now`: computed again (in memory) only where a due date passed since. */
export function bookAt(state: ClassBook, now: Date): Gradebook {
  if (now.getTime() > state.validUntil) recompute(state, now);
  return state.book;
}

/** One student's work on one assignment changed (null: none any more): their cell and its column. */
export function patchWork(state: ClassBook, userId: string, assignmentId: string, work: GradedWork | null, now: Date): void {
  if (!state.students.has(userId)) return;
  const key = workKey(userId, assignmentId);
  if (work) state.works.set(key, work);
  else state.works.delete(key);
  bookAt(state, now);
  const j = state.assignments.findIndex((assignment) => String(assignment._id) === assignmentId);
  const i = state.book.rows.findIndex((row) => row.userId === userId);
  if (i < 0 || j < 0) return;
  const row = state.book.rows[i];
  const cells = [...row.cells];
  cells[j] = cellOf(state.assignments[j], work, now);
  const rows = [...state.book.rows];
  rows[i] = { ...row, cells };
  const columns = [...state.book.assignments];
  columns[j] = columnOf(state.assignments[j], rows, j);
  state.book = { assignments: columns, rows };
}

/**
 * One student joined, left or changed: `student` null when they are no longer a student of the
 * class, else with all their work in it (and their weak spots, where those are kept).
 */
export function patchStudent(state: ClassBook, userId: string, student: BookStudent | null, works: StudentWork[], weak: ClassWeakSpot[] | null, now: Date): void {
  for (const key of state.works.keys()) if (key.startsWith(`${userId}:`)) state.works.delete(key);
  if (student) {
    state.students.set(userId, student);
    for (const work of works) state.works.set(workKey(userId, work.assignment_id), work);
    if (state.weak && weak) state.weak.set(userId, weak);
  } else {
    state.students.delete(userId);
    state.weak?.delete(userId);
  }
  bookAt(state, now);
  const rows = state.book.rows.filter((row) => row.userId !== userId);
  if (student) {
    const row = rowOf(state, student, now);
    const at = rows.findIndex((other) => byName(row, other) < 0);
    rows.splice(at < 0 ? rows.length : at, 0, row);
  }
  state.book = { assignments: state.assignments.map((assignment, j) => columnOf(assignment, rows, j)), rows };
}

/** One student's weak spots changed (a quiz submitted): their row only. */
export function patchWeakSpots(state: ClassBook, userId: string, weak: ClassWeakSpot[]): void {
  if (!state.weak) return;
  state.weak.set(userId, weak);
  const rows = state.book.rows.map((row) => (row.userId === userId ? { ...row, weakSpots: weak } : row));
  state.book = { ...state.book, rows };
}

/** Weak spots read for the whole class (the first request that shows them). */
export function setWeakSpots(state: ClassBook, weak: Map<string, ClassWeakSpot[]>): void {
  state.weak = weak;
  state.book = { ...state.book, rows: state.book.rows.map((row) => ({ ...row, weakSpots: weak.get(row.userId) ?? [] })) };
}

/**
 * An assignment was created, changed or deleted: `assignments` is the class's list now and
 * `works` all work on the one that changed. Other columns' cells are kept; weak spots are read
 * again when next shown (a deleted quiz's answers no longer count).
 */
export function patchAssignment(state: ClassBook, assignmentId: string, assignments: Assignment[], works: StudentWork[], now: Date): void {
  for (const key of state.works.keys()) if (key.endsWith(`:${assignmentId}`)) state.works.delete(key);
  for (const work of works) if (state.students.has(String(work.user_id))) state.works.set(workKey(work.user_id, assignmentId), work);
  state.assignments = assignments;
  state.weak = null;
  // Cells of the other assignments stay valid until the earliest due date, which may have moved.
  recompute(state, now, assignmentId);
}

/**
 * The whole book from what is kept, as of `now`. With `only`, the other assignments' cells are
 * taken from the current book (their statuses hold until `validUntil`).
 */
function recompute(state: ClassBook, now: Date, only?: string): void {
  const reuse = only !== undefined && now.getTime() <= state.validUntil;
  const kept = new Map<string, Map<string, GradebookCell>>();
  if (reuse) for (const row of state.book.rows) kept.set(row.userId, new Map(row.cells.map((cell) => [cell.assignmentId, cell])));
  const rows: GradebookRow[] = [...state.students.values()].map((student) => {
    const old = kept.get(student.userId);
    return rowOf(state, student, now, old && ((assignment) => (String(assignment._id) === only ? undefined : old.get(String(assignment._id)))));
  });
  rows.sort(byName);
  state.book = { assignments: state.assignments.map((assignment, j) => columnOf(assignment, rows, j)), rows };
  const due = state.assignments.map((assignment) => assignment.due_at.getTime()).filter((at) => at >= now.getTime());
  state.validUntil = Math.min(Infinity, ...due);
}

function rowOf(state: ClassBook, student: BookStudent, now: Date, kept?: (assignment: Assignment) => GradebookCell | undefined): GradebookRow {
  return {
    userId: student.userId,
    name: student.name,
    email: student.email,
    cells: state.assignments.map((assignment) => kept?.(assignment) ?? cellOf(assignment, state.works.get(workKey(student.userId, assignment._id)) ?? null, now)),
    weakSpots: state.weak?.get(student.userId) ?? [],
  };
}

function byName(a: GradebookRow, b: GradebookRow): number {
  return a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId);
}

function columnOf(assignment: Assignment, rows: GradebookRow[], j: number): GradebookColumn {
  let sum = 0;
  let scored = 0;
  let submitted = 0;
  let late = 0;
  let missed = 0;
  for (const row of rows) {
    const cell = row.cells[j];
    if (cell.score !== null) {
      sum += cell.score;
      scored += 1;
    }
    if (cell.status === AssignmentStatus.SUBMITTED) submitted += 1;
    else if (cell.status === AssignmentStatus.LATE) late += 1;
    else if (cell.status === AssignmentStatus.MISSED) missed += 1;
  }
  return { assignment, averageScore: scored === 0 ? null : round1(sum / scored), submitted, late, missed };
}

function cellOf(assignment: Assignment, work: GradedWork | null, now: Date): GradebookCell {
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

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
