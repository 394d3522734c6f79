import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import type { Client } from "graphql-ws";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { REDIS_TEST_URL } from "../chat/redis";
import { startInstance, type Instance } from "../helpers/instance";
import { verifyEmailThroughMail } from "../helpers/mail";
import { wsClient } from "../helpers/ws";
import { Api, code, privateCourse, reason, until, type Account } from "./support";

/**
 * A whole term, driven through two instances of one deployment (one database, one Redis): the
 * teacher watches the class live on B while students work on A; grades, the CSV, the class
 * leaderboard and each student's list must say exactly what happened; a removed student loses
 * the shared course at once on B, where their session was cached.
 */
jest.setTimeout(120_000);

const ADMIN = { email: "term-admin@example.com", password: "admin password 1" };
let engine: EmbeddedMongo;
let a: Instance;
let b: Instance;
let apiA: Api;
let apiB: Api;
const clients: Client[] = [];

beforeAll(async () => {
  engine = await startEmbeddedMongo({ host: "127.0.0.1", port: 0 });
  const env = {
    MONGODB_URL: engine.uri,
    DATABASE_NAME: `term_${randomUUID().slice(0, 8)}`,
    REDIS_URL: REDIS_TEST_URL,
    JWT_SECRET_KEY: randomBytes(32).toString("hex"),
    BCRYPT_COST: "4",
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    CLASS_TIMED_GRACE_SECONDS: "0",
  };
  [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
  apiA = new Api(a.graphqlUrl);
  apiB = new Api(b.graphqlUrl);
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await Promise.all([a?.stop(), b?.stop()]);
  await engine?.stop();
});

const MY_ASSIGNMENTS = "query { myAssignments { total items { status score attemptsUsed completionPercent assignment { id title } } } }";
const GRADEBOOK = `query($id: ID!) { class(id: $id) { gradebook {
  assignments { assignment { id title } averageScore submitted late missed }
  rows { userId name email cells { assignmentId status score attempts completionPercent submittedAt late lateSeconds } }
} } }`;

function statuses(data: { myAssignments: { items: { status: string; assignment: { title: string } }[] } }): Record<string, string> {
  return Object.fromEntries(data.myAssignments.items.map((item) => [item.assignment.title, item.status]));
}

test("a class through a whole term", async () => {
  const adminToken = await apiA.login(ADMIN.email, ADMIN.password);
  const teacher = await apiA.user("Teacher Tess", "INSTRUCTOR", adminToken);
  const ta = await apiA.user("Assistant Al");
  const [s1, s2, s3] = [await apiA.user("Ann Student"), await apiA.user("Ben Student"), await apiA.user("Cleo Student")];

  // The teacher makes a class; its join code is hers to see.
  const created = await apiA.must(teacher.token, "mutation { createClass(input: { name: \"Oceans 101\", description: \"Autumn term\" }) { id myRole joinCode { code active } } }");
  const classId = created.createClass.id as string;
  expect(created.createClass.myRole).toBe("TEACHER");
  const firstCode = created.createClass.joinCode.code as string;
  expect(firstCode).toMatch(/^[A-Z2-9]{8}$/);

  // She watches it live on instance B.
  const live = wsClient(b.wsUrl, { authorization: `Bearer ${teacher.token}` });
  clients.push(live);
  const events: { kind: string; userId: string; percent: number | null; late: boolean | null }[] = [];
  const subscription = live.iterate<{ classActivity: (typeof events)[number] }>({
    query: "subscription($classId: ID!) { classActivity(classId: $classId) { kind userId name percent late assignmentId } }",
    variables: { classId },
  });
  const collecting = (async () => {
    for await (const result of subscription) if (result.data) events.push(result.data.classActivity);
  })();
  // The listener is in place once a probe's joining shows on B (it leaves again each time it is not seen).
  const probe = await apiA.user("Probe");
  for (let tries = 0; !events.some((event) => event.userId === probe.id); tries++) {
    if (tries === 20) throw new Error("the class activity never reached instance B");
    await apiA.must(probe.token, "mutation($code: String!) { joinClass(code: $code) { id } }", { code: firstCode });
    for (let i = 0; i < 20 && !events.some((event) => event.userId === probe.id); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    await apiA.must(probe.token, "mutation($id: ID!) { leaveClass(classId: $id) }", { id: classId });
  }
  await apiA.must(s1.token, "mutation($code: String!) { joinClass(code: $code) { id } }", { code: firstCode.toLowerCase() });

  // Joining twice is refused.
  expect(code(await apiA.call(s1.token, "mutation($code: String!) { joinClass(code: $code) { id } }", { code: firstCode }))).toBe("CONFLICT");

  // Ben by invitation (and the TA), Cleo with a rotated code after the old one is refused.
  const invited = await apiA.must(teacher.token, "mutation($id: ID!, $emails: [EmailAddress!]!) { inviteToClass(classId: $id, emails: $emails) { id email status } }", {
    id: classId,
    emails: [s2.email.toUpperCase()],
  });
  expect(invited.inviteToClass).toEqual([{ id: expect.any(String), email: s2.email, status: "PENDING" }]);
  await apiA.must(teacher.token, "mutation($id: ID!, $emails: [EmailAddress!]!) { inviteToClass(classId: $id, emails: $emails, role: TA) { id } }", { id: classId, emails: [ta.email] });
  // Ben and the TA prove their addresses first, through the mail instance A sends.
  for (const invitee of [s2, ta]) await verifyEmailThroughMail(a.graphqlUrl, join(a.dataDir, "outbox"), invitee.token, invitee.email);
  const waiting = await apiA.must(s2.token, "query { myInvitations { id className classId role status } }");
  expect(waiting.myInvitations).toEqual([{ id: invited.inviteToClass[0].id, className: "Oceans 101", classId, role: "STUDENT", status: "PENDING" }]);
  expect((await apiA.must(s3.token, "query { myInvitations { id } }")).myInvitations).toEqual([]);
  expect(code(await apiA.call(s3.token, "mutation($id: ID!) { acceptClassInvitation(id: $id) { id } }", { id: invited.inviteToClass[0].id }))).toBe("NOT_FOUND");
  await apiA.must(s2.token, "mutation($id: ID!) { acceptClassInvitation(id: $id) { status } }", { id: invited.inviteToClass[0].id });
  const taInvitation = (await apiA.must(ta.token, "query { myInvitations { id } }")).myInvitations[0].id;
  await apiA.must(ta.token, "mutation($id: ID!) { acceptClassInvitation(id: $id) { status } }", { id: taInvitation });

  const rotated = await apiA.must(teacher.token, "mutation($id: ID!) { rotateJoinCode(classId: $id) { joinCode { code active } } }", { id: classId });
  const newCode = rotated.rotateJoinCode.joinCode.code as string;
  expect(newCode).not.toBe(firstCode);
  const refused = await apiA.call(s3.token, "mutation($code: String!) { joinClass(code: $code) { id } }", { code: firstCode });
  expect([code(refused), reason(refused)]).toEqual(["BAD_USER_INPUT", "code_retired"]);
  expect((await apiA.must(s3.token, "query { myClasses { total } }")).myClasses.total).toBe(0);
  await apiA.must(s3.token, "mutation($code: String!) { joinClass(code: $code) { id } }", { code: newCode });

  // The roster: names for members, e-mail addresses for the teacher and the TA only.
  const rosterQuery = "query($id: ID!) { class(id: $id) { memberCount roster { total items { name email role } } } }";
  const asStudent = await apiA.must(s1.token, rosterQuery, { id: classId });
  expect(asStudent.class.memberCount).toBe(5);
  expect(asStudent.class.roster.items.map((entry: { name: string; email: string | null; role: string }) => [entry.role, entry.name, entry.email])).toEqual([
    ["TEACHER", "Teacher Tess", null],
    ["TA", "Assistant Al", null],
    ["STUDENT", "Ann Student", null],
    ["STUDENT", "Ben Student", null],
    ["STUDENT", "Cleo Student", null],
  ]);
  const asTa = await apiA.must(ta.token, rosterQuery, { id: classId });
  expect(asTa.class.roster.items.map((entry: { email: string }) => entry.email)).toEqual([teacher.email, ta.email, s1.email, s2.email, s3.email]);

  // A private course and a timed quiz, assigned. Before that, students cannot see the course.
  const material = await privateCourse(apiA, teacher.token, "Private tides");
  expect((await apiA.must(s1.token, "query($id: ID!) { course(id: $id) { id } }", { id: material.courseId })).course).toBeNull();
  const now = Date.now();
  const dueSoon = new Date(now + 9_000);
  const assign = "mutation($input: CreateAssignmentInput!) { createAssignment(input: $input) { id title } }";
  const courseWork = await apiA.must(teacher.token, assign, {
    input: { classId, kind: "COURSE", targetId: material.courseId, title: "Read the tides", opensAt: new Date(now - 60_000).toISOString(), dueAt: new Date(now + 3_600_000).toISOString() },
  });
  const quizWork = await apiA.must(teacher.token, assign, {
    input: {
      classId,
      kind: "QUIZ",
      targetId: material.quizId,
      title: "Tides quiz",
      opensAt: new Date(now - 60_000).toISOString(),
      dueAt: dueSoon.toISOString(),
      timeLimitSeconds: 60,
      acceptLate: true,
      hideKeysUntilDue: true,
    },
  });
  const strictQuiz = await privateCourse(apiA, teacher.token, "Strict tides");
  const strictWork = await apiA.must(teacher.token, assign, {
    input: { classId, kind: "QUIZ", targetId: strictQuiz.quizId, title: "Strict quiz", opensAt: new Date(now - 60_000).toISOString(), dueAt: new Date(now + 3_600_000).toISOString(), timeLimitSeconds: 1, acceptLate: false },
  });
  // Assigning gives the class read access: the course is in each student's catalog now.
  const catalog = await apiA.must(s1.token, "query { courses(filter: { owner: ALL }) { items { id } } }");
  expect(catalog.courses.items.map((course: { id: string }) => course.id)).toContain(material.courseId);

  // Ann reads everything, completes the course and submits the quiz in time (keys hidden until due).
  for (const student of [s1, s2]) await apiA.must(student.token, "mutation($id: ID!) { enroll(courseId: $id) { id } }", { id: material.courseId });
  for (const chapterId of material.chapterIds) await apiA.must(s1.token, "mutation($id: ID!) { completeChapter(chapterId: $id) { id } }", { id: chapterId });
  await apiA.must(s2.token, "mutation($id: ID!) { completeChapter(chapterId: $id) { id } }", { id: material.chapterIds[0] });
  const answers = (picks: number[]) => material.questionIds.map((questionId, i) => ({ questionId, selectedOptions: [picks[i]] }));
  const submit = "mutation($id: ID!, $answers: [AnswerInput!]!) { submitAssignment(assignmentId: $id, answers: $answers) { late attempt { id percent answers { correct correctOptions explanation } } assignment { status score attemptsUsed } } }";
  // A timed quiz is started on the server first.
  expect(code(await apiA.call(s1.token, submit, { id: quizWork.createAssignment.id, answers: answers([0, 0]) }))).toBe("CONFLICT");
  const started = await apiA.must(s1.token, "mutation($id: ID!) { startAssignment(assignmentId: $id) { status attemptEndsAt } }", { id: quizWork.createAssignment.id });
  expect(started.startAssignment.status).toBe("IN_PROGRESS");
  expect(new Date(started.startAssignment.attemptEndsAt).getTime()).toBeGreaterThan(Date.now());
  const annSubmitted = await apiA.must(s1.token, submit, { id: quizWork.createAssignment.id, answers: answers([0, 0]) });
  expect(annSubmitted.submitAssignment).toMatchObject({ late: false, attempt: { percent: 100 }, assignment: { status: "SUBMITTED", score: 100, attemptsUsed: 1 } });
  expect(annSubmitted.submitAssignment.attempt.answers).toEqual([
    { correct: true, correctOptions: null, explanation: null },
    { correct: true, correctOptions: null, explanation: null },
  ]);
  // One attempt allowed.
  expect(code(await apiA.call(s1.token, "mutation($id: ID!) { startAssignment(assignmentId: $id) { status } }", { id: quizWork.createAssignment.id }))).toBe("CONFLICT");

  // Cleo's strict attempt runs out: refused, and nothing is stored.
  await apiA.must(s3.token, "mutation($id: ID!) { startAssignment(assignmentId: $id) { status } }", { id: strictWork.createAssignment.id });
  await new Promise((resolve) => setTimeout(resolve, 1_300));
  const strictAnswers = strictQuiz.questionIds.map((questionId) => ({ questionId, selectedOptions: [0] }));
  const tooLate = await apiA.call(s3.token, submit, { id: strictWork.createAssignment.id, answers: strictAnswers });
  expect([code(tooLate), reason(tooLate)]).toEqual(["FORBIDDEN", "time_limit_passed"]);
  expect((await apiA.must(s3.token, "query { myQuizAttempts { total } }")).myQuizAttempts.total).toBe(0);

  // Ben starts the quiz only after the due date: late, but counted (Cleo never takes it).
  await until(dueSoon);
  await apiA.must(s2.token, "mutation($id: ID!) { startAssignment(assignmentId: $id) { status } }", { id: quizWork.createAssignment.id });
  const benSubmitted = await apiA.must(s2.token, submit, { id: quizWork.createAssignment.id, answers: answers([0, 1]) });
  expect(benSubmitted.submitAssignment).toMatchObject({ late: true, attempt: { percent: 50 }, assignment: { status: "LATE", score: 50 } });
  // Due now: the keys show.
  expect(benSubmitted.submitAssignment.attempt.answers[1]).toEqual({ correct: false, correctOptions: [0], explanation: "In line." });

  // Each student's list says exactly that.
  expect(statuses(await apiA.must(s1.token, MY_ASSIGNMENTS))).toEqual({ "Tides quiz": "SUBMITTED", "Read the tides": "SUBMITTED", "Strict quiz": "NOT_STARTED" });
  expect(statuses(await apiA.must(s2.token, MY_ASSIGNMENTS))).toEqual({ "Tides quiz": "LATE", "Read the tides": "IN_PROGRESS", "Strict quiz": "NOT_STARTED" });
  expect(statuses(await apiA.must(s3.token, MY_ASSIGNMENTS))).toEqual({ "Tides quiz": "MISSED", "Read the tides": "NOT_STARTED", "Strict quiz": "IN_PROGRESS" });
  const dashboard = await apiA.must(s2.token, "query { dashboard { nextAssignment { assignment { title } status } } }");
  expect(dashboard.dashboard.nextAssignment).toEqual({ assignment: { title: "Read the tides" }, status: "IN_PROGRESS" });

  // The gradebook (teacher and TA alike; students may not).
  const book = (await apiB.must(teacher.token, GRADEBOOK, { id: classId })).class.gradebook;
  expect(book.assignments.map((column: { assignment: { title: string }; averageScore: number | null; submitted: number; late: number; missed: number }) => [column.assignment.title, column.averageScore, column.submitted, column.late, column.missed])).toEqual([
    ["Tides quiz", 75, 1, 1, 1],
    ["Read the tides", 75, 1, 0, 0],
    ["Strict quiz", null, 0, 0, 0],
  ]);
  const cells = Object.fromEntries(book.rows.map((row: { name: string; cells: { status: string; score: number | null; attempts: number; completionPercent: number; late: boolean; lateSeconds: number }[] }) => [row.name, row.cells.map((cell) => [cell.status, cell.score, cell.attempts, cell.completionPercent, cell.late])]));
  expect(cells).toEqual({
    "Ann Student": [["SUBMITTED", 100, 1, 100, false], ["SUBMITTED", 100, 0, 100, false], ["NOT_STARTED", null, 0, 0, false]],
    "Ben Student": [["LATE", 50, 1, 100, true], ["IN_PROGRESS", 50, 0, 50, false], ["NOT_STARTED", null, 0, 0, false]],
    "Cleo Student": [["MISSED", null, 0, 0, false], ["NOT_STARTED", null, 0, 0, false], ["IN_PROGRESS", null, 0, 0, false]],
  });
  expect(book.rows.find((row: { name: string }) => row.name === "Ben Student").cells[0].lateSeconds).toBeGreaterThan(0);
  expect((await apiA.must(ta.token, GRADEBOOK, { id: classId })).class.gradebook.rows).toHaveLength(3);
  expect(code(await apiA.call(s1.token, GRADEBOOK, { id: classId }))).toBe("FORBIDDEN");

  // The CSV says the same, to the teacher only.
  const csvUrl = `${b.url}/api/v1/classes/${classId}/gradebook.csv`;
  const response = await fetch(csvUrl, { headers: { authorization: `Bearer ${teacher.token}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
  const rows = parse(await response.text(), { columns: true }) as Record<string, string>[];
  expect(rows.filter((row) => row.assignment === "Tides quiz").map((row) => [row.student, row.email, row.status, row.score, row.late])).toEqual([
    ["Ann Student", s1.email, "SUBMITTED", "100", "no"],
    ["Ben Student", s2.email, "LATE", "50", "yes"],
    ["Cleo Student", s3.email, "MISSED", "", "no"],
  ]);
  expect((await fetch(csvUrl, { headers: { authorization: `Bearer ${s1.token}` } })).status).toBe(403);
  expect((await fetch(csvUrl)).status).toBe(401);

  // The class leaderboard, scoped to its students.
  const board = await apiA.must(s3.token, "query($id: ID!) { class(id: $id) { leaderboard { rank name points completed } } }", { id: classId });
  expect(board.class.leaderboard).toEqual([
    { rank: 1, name: "Ann Student", points: 200, completed: 2 },
    { rank: 2, name: "Ben Student", points: 100, completed: 1 },
    { rank: 3, name: "Cleo Student", points: 0, completed: 0 },
  ]);

  // The teacher saw it all on B.
  const seen = events.map((event) => `${event.kind}:${[s1, s2, s3, ta].find((user: Account) => user.id === event.userId)?.name ?? "?"}${event.percent !== null ? `:${event.percent}` : ""}${event.late ? ":late" : ""}`);
  expect(seen).toEqual(
    expect.arrayContaining([
      "JOINED:Ann Student",
      "JOINED:Ben Student",
      "JOINED:Cleo Student",
      "CHAPTER_COMPLETED:Ann Student:50",
      "CHAPTER_COMPLETED:Ann Student:100",
      "CHAPTER_COMPLETED:Ben Student:50",
      "STARTED:Ann Student",
      "SUBMITTED:Ann Student:100",
      "STARTED:Cleo Student",
      "STARTED:Ben Student",
      "SUBMITTED:Ben Student:50:late",
    ]),
  );
  expect(seen.filter((entry) => entry.startsWith("SUBMITTED"))).toHaveLength(2);

  // Ann's session is cached on B; she is removed on A and loses the course there at once.
  const readOnB = "query($id: ID!, $quiz: ID!) { course(id: $id) { id } quiz(id: $quiz) { id } courses(filter: { owner: ALL }) { items { id } } }";
  const before = await apiB.must(s1.token, readOnB, { id: material.courseId, quiz: material.quizId });
  expect(before.course).toEqual({ id: material.courseId });
  expect(before.quiz).toEqual({ id: material.quizId });
  expect(await apiA.must(teacher.token, "mutation($id: ID!, $user: ID!) { removeClassMember(classId: $id, userId: $user) }", { id: classId, user: s1.id })).toEqual({ removeClassMember: true });
  const after = await apiB.must(s1.token, readOnB, { id: material.courseId, quiz: material.quizId });
  expect(after.course).toBeNull();
  expect(after.quiz).toBeNull();
  expect(after.courses.items.map((course: { id: string }) => course.id)).not.toContain(material.courseId);
  expect((await apiA.must(s1.token, "query($id: ID!) { class(id: $id) { id } }", { id: classId })).class).toBeNull();
  expect((await apiB.must(s2.token, "query($id: ID!) { course(id: $id) { id } }", { id: material.courseId })).course).toEqual({ id: material.courseId });
  // B had the gradebook cached; the removal on A reached it too.
  const names = (await apiB.must(teacher.token, GRADEBOOK, { id: classId })).class.gradebook.rows.map((row: { name: string }) => row.name);
  expect(names).toEqual(["Ben Student", "Cleo Student"]);

  await subscription.return?.();
  await collecting;
});
