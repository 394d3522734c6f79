import { randomUUID } from "node:crypto";
import type { Outcome } from "./matrix";
import type { ClassRole, ClassWorld } from "./class-world";

export type ClassExpected = Record<ClassRole, Outcome>;

export interface ClassEntry {
  vars(world: ClassWorld, role: ClassRole): Promise<Record<string, unknown>> | Record<string, unknown>;
  expect: ClassExpected;
}

const signedIn: ClassExpected = { anonymous: "UNAUTHENTICATED", outsider: "ok", student: "ok", ta: "ok", teacher: "ok", otherInstructor: "ok", admin: "ok" };

/** Teachers and admins change a class; its students and TAs may not; others do not see it. */
const teaching: ClassExpected = { anonymous: "UNAUTHENTICATED", outsider: "NOT_FOUND", student: "FORBIDDEN", ta: "FORBIDDEN", teacher: "ok", otherInstructor: "NOT_FOUND", admin: "ok" };

/** Teachers, TAs and admins; students of the class are refused; others do not see it. */
const staff: ClassExpected = { ...teaching, ta: "ok" };

/** Every member (and admins) reads; others get null. */
const members: ClassExpected = { anonymous: "UNAUTHENTICATED", outsider: "null", student: "ok", ta: "ok", teacher: "ok", otherInstructor: "null", admin: "ok" };

/** Only the class's students work on its assignments. */
const students: ClassExpected = { anonymous: "UNAUTHENTICATED", outsider: "NOT_FOUND", student: "ok", ta: "FORBIDDEN", teacher: "FORBIDDEN", otherInstructor: "NOT_FOUND", admin: "FORBIDDEN" };

/** The invitee alone: the invitation is addressed to the student. */
const invitee: ClassExpected = { anonymous: "UNAUTHENTICATED", outsider: "NOT_FOUND", student: "ok", ta: "NOT_FOUND", teacher: "NOT_FOUND", otherInstructor: "NOT_FOUND", admin: "NOT_FOUND" };

/** A fresh class with the student and the TA in it, for calls that change the class. */
const fresh = (w: ClassWorld) => w.newClass({ student: true, ta: true });

/**
 * One entry per root field of the classes domain (authorization.test.ts fails on a root field
 * in neither table). Roles are relations to a class: see class-world.ts.
 */
export const CLASS_MATRIX: Record<string, ClassEntry> = {
  "Query.class": { vars: (w) => ({ id: w.classId }), expect: members },
  "Query.myClasses": { vars: () => ({}), expect: signedIn },
  "Query.myInvitations": { vars: () => ({}), expect: signedIn },
  "Query.myAssignments": { vars: () => ({}), expect: signedIn },

  "Mutation.createClass": {
    vars: () => ({ input: { name: "New class" } }),
    expect: { anonymous: "UNAUTHENTICATED", outsider: "FORBIDDEN", student: "FORBIDDEN", ta: "FORBIDDEN", teacher: "ok", otherInstructor: "ok", admin: "ok" },
  },
  "Mutation.updateClass": { vars: async (w) => ({ id: await fresh(w), input: { name: "Renamed" } }), expect: teaching },
  "Mutation.archiveClass": { vars: async (w) => ({ id: await fresh(w) }), expect: teaching },
  "Mutation.rotateJoinCode": { vars: async (w) => ({ classId: await fresh(w) }), expect: teaching },
  "Mutation.disableJoinCode": { vars: async (w) => ({ classId: await fresh(w) }), expect: teaching },
  "Mutation.joinClass": {
    vars: async (w) => {
      const id = await fresh(w);
      const data = await w.must("teacher", "query($id: ID!) { class(id: $id) { joinCode { code } } }", { id });
      return { code: (data.class as { joinCode: { code: string } }).joinCode.code };
    },
    // Members are members already: CONFLICT.
    expect: { anonymous: "UNAUTHENTICATED", outsider: "ok", student: "CONFLICT", ta: "CONFLICT", teacher: "CONFLICT", otherInstructor: "ok", admin: "ok" },
  },
  "Mutation.inviteToClass": { vars: async (w) => ({ classId: await fresh(w), emails: [`invitee-${randomUUID().slice(0, 8)}@example.com`] }), expect: teaching },
  "Mutation.acceptClassInvitation": { vars: async (w) => ({ id: await w.invite(await w.newClass({}), w.users.student.email) }), expect: invitee },
  "Mutation.declineClassInvitation": { vars: async (w) => ({ id: await w.invite(await w.newClass({}), w.users.student.email) }), expect: invitee },
  "Mutation.removeClassMember": { vars: async (w) => ({ classId: await fresh(w), userId: w.users.student.id }), expect: teaching },
  "Mutation.leaveClass": {
    vars: async (w) => ({ classId: await fresh(w) }),
    // The last teacher stays; an admin who is not a member has nothing to leave.
    expect: { anonymous: "UNAUTHENTICATED", outsider: "NOT_FOUND", student: "ok", ta: "ok", teacher: "CONFLICT", otherInstructor: "NOT_FOUND", admin: "NOT_FOUND" },
  },
  // The teacher's private course, not shared with anyone yet: only she (and admins) may share it.
  "Mutation.share": {
    vars: async (w) => ({ input: { kind: "COURSE", id: await privateCourse(w), classId: await fresh(w), role: "VIEWER" } }),
    expect: { anonymous: "UNAUTHENTICATED", outsider: "NOT_FOUND", student: "NOT_FOUND", ta: "NOT_FOUND", teacher: "ok", otherInstructor: "NOT_FOUND", admin: "ok" },
  },
  "Mutation.unshare": {
    vars: async (w) => ({ input: { kind: "COURSE", id: await privateCourse(w), classId: await fresh(w) } }),
    expect: { anonymous: "UNAUTHENTICATED", outsider: "NOT_FOUND", student: "NOT_FOUND", ta: "NOT_FOUND", teacher: "ok", otherInstructor: "NOT_FOUND", admin: "ok" },
  },
  // The class's course, shared with the class by its assignment: its members read it but do not manage its shares.
  "Query.shares": {
    vars: (w) => ({ kind: "COURSE", id: w.courseId }),
    expect: { anonymous: "UNAUTHENTICATED", outsider: "NOT_FOUND", student: "FORBIDDEN", ta: "FORBIDDEN", teacher: "ok", otherInstructor: "NOT_FOUND", admin: "ok" },
  },
  "Mutation.createAssignment": {
    vars: async (w) => {
      const now = Date.now();
      return { input: { classId: await fresh(w), kind: "COURSE", targetId: await privateCourse(w), opensAt: new Date(now).toISOString(), dueAt: new Date(now + 3_600_000).toISOString() } };
    },
    expect: teaching,
  },
  "Mutation.deleteAssignment": { vars: async (w) => ({ assignmentId: await w.assignment("COURSE", w.courseId) }), expect: teaching },
  "Mutation.startAssignment": { vars: (w) => ({ assignmentId: w.courseAssignmentId }), expect: students },
  "Mutation.submitAssignment": {
    vars: (w) => ({ assignmentId: w.quizAssignmentId, answers: [{ questionId: w.questionIds[0], selectedOptions: [0] }] }),
    expect: students,
  },

  // "ok": the subscription starts without an error.
  "Subscription.classActivity": { vars: (w) => ({ classId: w.classId }), expect: staff },
};

async function privateCourse(w: ClassWorld): Promise<string> {
  const created = await w.must("teacher", "mutation { createCourse(input: { title: \"Not shared\", level: BEGINNER }) { id } }");
  return (created.createCourse as { id: string }).id;
}

/** Nested fields of the classes domain with resolvers of their own; `query` names its result `result`. */
export const CLASS_NESTED: Record<string, { query: string } & ClassEntry> = {
  "Class.myRole": { query: "query($id: ID!) { result: class(id: $id) { myRole } }", vars: (w) => ({ id: w.classId }), expect: members },
  "Class.archived": { query: "query($id: ID!) { result: class(id: $id) { archived } }", vars: (w) => ({ id: w.classId }), expect: members },
  "Class.memberCount": { query: "query($id: ID!) { result: class(id: $id) { memberCount } }", vars: (w) => ({ id: w.classId }), expect: members },
  "Class.roster": { query: "query($id: ID!) { result: class(id: $id) { roster { total } } }", vars: (w) => ({ id: w.classId }), expect: members },
  "Class.assignments": { query: "query($id: ID!) { result: class(id: $id) { assignments { total } } }", vars: (w) => ({ id: w.classId }), expect: members },
  "Class.leaderboard": { query: "query($id: ID!) { result: class(id: $id) { leaderboard { rank } } }", vars: (w) => ({ id: w.classId }), expect: members },
  "Class.joinCode": { query: "query($id: ID!) { result: class(id: $id) { joinCode { code } } }", vars: (w) => ({ id: w.classId }), expect: { ...members, student: "FORBIDDEN" } },
  "Class.invitations": { query: "query($id: ID!) { result: class(id: $id) { invitations { email } } }", vars: (w) => ({ id: w.classId }), expect: { ...members, student: "FORBIDDEN" } },
  "Class.gradebook": { query: "query($id: ID!) { result: class(id: $id) { gradebook { rows { email } } } }", vars: (w) => ({ id: w.classId }), expect: { ...members, student: "FORBIDDEN" } },
  "Assignment.questionStats": {
    query: "query($id: ID!) { result: class(id: $id) { assignments { items { questionStats { questionId } } } } }",
    vars: (w) => ({ id: w.classId }),
    expect: { ...members, student: "FORBIDDEN" },
  },
  "ClassInvitation.className": {
    query: "query { result: myInvitations { className classId } }",
    vars: () => ({}),
    expect: { anonymous: "UNAUTHENTICATED", outsider: "empty", student: "ok", ta: "empty", teacher: "empty", otherInstructor: "empty", admin: "empty" },
  },
  "Dashboard.nextAssignment": { query: "query { result: dashboard { nextAssignment { status } } }", vars: () => ({}), expect: signedIn },
};
