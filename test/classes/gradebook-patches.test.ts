import { randomBytes, randomUUID } from "node:crypto";
import { parse } from "csv-parse/sync";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { REDIS_TEST_URL } from "../chat/redis";
import { startInstance, type Instance } from "../helpers/instance";
import { Api, privateCourse, sleep, type Account } from "./support";

/**
 * Each instance keeps a class's gradebook and patches it with what each change re-reads. The
 * teacher reads it on B (so B holds a copy) while students and the teacher change the class on
 * A: B's copy follows every change, and at the end says exactly what a third instance, reading
 * the class whole for the first time, says.
 */
jest.setTimeout(120_000);

const ADMIN = { email: "patches-admin@example.com", password: "admin password 1" };
let engine: EmbeddedMongo;
let env: Record<string, string>;
const instances: Instance[] = [];
let apiA: Api;
let apiB: Api;

beforeAll(async () => {
  engine = await startEmbeddedMongo({ host: "127.0.0.1", port: 0 });
  env = {
    MONGODB_URL: engine.uri,
    DATABASE_NAME: `patches_${randomUUID().slice(0, 8)}`,
    REDIS_URL: REDIS_TEST_URL,
    JWT_SECRET_KEY: randomBytes(32).toString("hex"),
    BCRYPT_COST: "4",
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  };
  instances.push(...(await Promise.all([startInstance(env), startInstance(env)])));
  apiA = new Api(instances[0].graphqlUrl);
  apiB = new Api(instances[1].graphqlUrl);
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await engine?.stop();
});

const GRADEBOOK = `query($id: ID!) { class(id: $id) { gradebook {
  assignments { assignment { id title } averageScore submitted late missed }
  rows { userId name email cells { assignmentId status score attempts completionPercent submittedAt late lateSeconds } weakSpots { chapterId answered missed } }
} leaderboard { rank userId name points completed } } }`;

interface Book {
  gradebook: {
    assignments: { assignment: { title: string }; averageScore: number | null; submitted: number }[];
    rows: { name: string; cells: { status: string; score: number | null; attempts: number; completionPercent: number }[] }[];
  };
  leaderboard: { rank: number; name: string; points: number; completed: number }[];
}

/** B's gradebook once it satisfies `done` (the change travels from A through Redis). */
async function onB(teacher: Account, classId: string, done: (book: Book) => boolean): Promise<Book> {
  for (let tries = 0; ; tries++) {
    const book = (await apiB.must(teacher.token, GRADEBOOK, { id: classId })).class as Book;
    if (done(book)) return book;
    if (tries === 40) throw new Error(`B's gradebook never showed the change: ${JSON.stringify(book)}`);
    await sleep(50);
  }
}

const grid = (book: Book) => Object.fromEntries(book.gradebook.rows.map((row) => [row.name, row.cells.map((cell) => [cell.status, cell.score, cell.attempts, cell.completionPercent])]));

test("B's copy of a gradebook follows every change made on A, and equals a cold read", async () => {
  const adminToken = await apiA.login(ADMIN.email, ADMIN.password);
  const teacher = await apiA.user("Teacher Pat", "INSTRUCTOR", adminToken);
  const [ann, ben] = [await apiA.user("Ann Patch"), await apiA.user("Ben Patch")];
  const created = await apiA.must(teacher.token, 'mutation { createClass(input: { name: "Patches" }) { id joinCode { code } } }');
  const classId = created.createClass.id as string;
  const joinCode = created.createClass.joinCode.code as string;
  const join = (student: Account) => apiA.must(student.token, "mutation($code: String!) { joinClass(code: $code) { id } }", { code: joinCode });

  const material = await privateCourse(apiA, teacher.token, "Patched tides");
  const assign = "mutation($input: CreateAssignmentInput!) { createAssignment(input: $input) { id } }";
  const opensAt = new Date(Date.now() - 60_000).toISOString();
  const dueAt = new Date(Date.now() + 3_600_000).toISOString();
  await apiA.must(teacher.token, assign, { input: { classId, kind: "COURSE", targetId: material.courseId, title: "Read", opensAt, dueAt } });
  const quiz = await apiA.must(teacher.token, assign, { input: { classId, kind: "QUIZ", targetId: material.quizId, title: "Quiz", opensAt, dueAt, attemptsAllowed: 2, scorePolicy: "BEST" } });
  const quizId = quiz.createAssignment.id as string;
  await join(ann);

  // B reads the class whole once and keeps it; so does A.
  const first = await onB(teacher, classId, (book) => book.gradebook.rows.length === 1);
  expect(grid(first)).toEqual({ "Ann Patch": [["NOT_STARTED", null, 0, 0], ["NOT_STARTED", null, 0, 0]] });
  expect((await apiA.must(teacher.token, GRADEBOOK, { id: classId })).class).toEqual(first);

  // A student joins: a row.
  await join(ben);
  const joined = await onB(teacher, classId, (book) => book.gradebook.rows.length === 2);
  expect(joined.gradebook.rows.map((row) => row.name)).toEqual(["Ann Patch", "Ben Patch"]);

  // A chapter completed: Ann's course cell and its column.
  await apiA.must(ann.token, "mutation($id: ID!) { enroll(courseId: $id) { id } }", { id: material.courseId });
  await apiA.must(ann.token, "mutation($id: ID!) { completeChapter(chapterId: $id) { id } }", { id: material.chapterIds[0] });
  const reading = await onB(teacher, classId, (book) => book.gradebook.rows[0].cells[0].completionPercent === 50);
  expect(grid(reading)["Ann Patch"][0]).toEqual(["IN_PROGRESS", 50, 0, 50]);
  expect(reading.gradebook.assignments[0].averageScore).toBe(50);

  // Two quiz attempts: the best one counts.
  const submit = "mutation($id: ID!, $answers: [AnswerInput!]!) { submitAssignment(assignmentId: $id, answers: $answers) { attempt { percent } } }";
  const answers = (picks: number[]) => material.questionIds.map((questionId, i) => ({ questionId, selectedOptions: [picks[i]] }));
  await apiA.must(ben.token, submit, { id: quizId, answers: answers([0, 1]) });
  await onB(teacher, classId, (book) => book.gradebook.rows[1].cells[1].attempts === 1);
  await apiA.must(ben.token, submit, { id: quizId, answers: answers([0, 0]) });
  const quizzed = await onB(teacher, classId, (book) => book.gradebook.rows[1].cells[1].attempts === 2);
  expect(grid(quizzed)["Ben Patch"][1]).toEqual(["SUBMITTED", 100, 2, 100]);
  expect(quizzed.gradebook.assignments[1]).toMatchObject({ averageScore: 100, submitted: 1 });
  expect(quizzed.leaderboard.map((entry) => [entry.rank, entry.name, entry.points, entry.completed])).toEqual([
    [1, "Ben Patch", 100, 1],
    [2, "Ann Patch", 50, 0],
  ]);

  // An assignment created, then deleted: a column comes and goes.
  const extra = await apiA.must(teacher.token, assign, { input: { classId, kind: "COURSE", targetId: material.courseId, title: "Extra", opensAt, dueAt: new Date(Date.now() + 1_800_000).toISOString() } });
  const added = await onB(teacher, classId, (book) => book.gradebook.assignments.length === 3);
  expect(added.gradebook.assignments.map((column) => column.assignment.title)).toEqual(["Extra", "Read", "Quiz"]);
  expect(grid(added)["Ann Patch"][0]).toEqual(["NOT_STARTED", null, 0, 0]);
  await apiA.must(teacher.token, "mutation($id: ID!) { deleteAssignment(assignmentId: $id) }", { id: extra.createAssignment.id });
  await onB(teacher, classId, (book) => book.gradebook.assignments.length === 2);

  // A student leaves: the row goes, and the columns count without them.
  await apiA.must(ben.token, "mutation($id: ID!) { leaveClass(classId: $id) }", { id: classId });
  const left = await onB(teacher, classId, (book) => book.gradebook.rows.length === 1);
  expect(left.gradebook.assignments.map((column) => [column.assignment.title, column.averageScore, column.submitted])).toEqual([
    ["Read", 50, 0],
    ["Quiz", null, 0],
  ]);

  // B's CSV is its patched copy too.
  const response = await fetch(`${instances[1].url}/api/v1/classes/${classId}/gradebook.csv`, { headers: { authorization: `Bearer ${teacher.token}` } });
  const rows = parse(await response.text(), { columns: true }) as Record<string, string>[];
  expect(rows.map((row) => [row.student, row.assignment, row.status, row.score])).toEqual([
    ["Ann Patch", "Read", "IN_PROGRESS", "50"],
    ["Ann Patch", "Quiz", "NOT_STARTED", ""],
  ]);

  // A, which patched its copy itself, and a new instance reading the class whole say exactly what B says.
  const c = await startInstance(env);
  instances.push(c);
  const onBNow = await apiB.must(teacher.token, GRADEBOOK, { id: classId });
  expect(await apiA.must(teacher.token, GRADEBOOK, { id: classId })).toEqual(onBNow);
  expect(await new Api(c.graphqlUrl).must(teacher.token, GRADEBOOK, { id: classId })).toEqual(onBNow);
});
