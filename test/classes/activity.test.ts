import Redis from "ioredis";
import { REDIS_TEST_URL } from "../chat/redis";
import { verifyEmailThroughMail } from "../helpers/mail";
import { startTestServer, type TestServer } from "../helpers/server";
import { nextResult, wsClient } from "../helpers/ws";
import { Api, code, privateCourse, reason, sleep, type Account } from "./support";

/**
 * The live teacher view holds one Redis listener per subscriber, released when the subscriber
 * leaves, and ended for a TA who is removed from the class; an assigned quiz is taken through its
 * assignment only.
 */
jest.setTimeout(60_000);

const ADMIN = { ADMIN_EMAIL: "activity-admin@example.com", ADMIN_PASSWORD: "admin password 1" };
let server: TestServer;
let redis: Redis;
let api: Api;
let teacher: Account;
let ta: Account;
let student: Account;
let classId: string;
let joinCode: string;

const ACTIVITY = "subscription($classId: ID!) { classActivity(classId: $classId) { kind userId name } }";

async function listeners(): Promise<number> {
  const [, count] = (await redis.pubsub("NUMSUB", `CLASS_ACTIVITY:${classId}`)) as [string, number];
  return count;
}

async function until(condition: () => Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(20);
  }
}

beforeAll(async () => {
  redis = new Redis(REDIS_TEST_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  server = await startTestServer({ ...ADMIN, REDIS_URL: REDIS_TEST_URL, DATABASE_NAME: `activity_${Date.now()}` });
  api = new Api(server.graphqlUrl);
  const adminToken = await api.login(ADMIN.ADMIN_EMAIL, ADMIN.ADMIN_PASSWORD);
  teacher = await api.user("Teacher", "INSTRUCTOR", adminToken);
  [ta, student] = [await api.user("Assistant"), await api.user("Student")];
  const created = await api.must(teacher.token, "mutation { createClass(input: { name: \"Live\" }) { id joinCode { code } } }");
  classId = created.createClass.id;
  joinCode = created.createClass.joinCode.code;
  const invited = await api.must(teacher.token, "mutation($id: ID!, $emails: [EmailAddress!]!) { inviteToClass(classId: $id, emails: $emails, role: TA) { id } }", { id: classId, emails: [ta.email] });
  await verifyEmailThroughMail(server.graphqlUrl, server.config.mail.outboxDir, ta.token, ta.email);
  await api.must(ta.token, "mutation($id: ID!) { acceptClassInvitation(id: $id) { id } }", { id: invited.inviteToClass[0].id });
});

afterAll(async () => {
  await server?.stop();
  redis?.disconnect();
});

test("a teacher who leaves the live view releases its listener at once", async () => {
  const client = wsClient(server.wsUrl, { authorization: `Bearer ${teacher.token}` });
  const events = client.iterate<{ classActivity: { kind: string; name: string } }>({ query: ACTIVITY, variables: { classId } });
  const first = nextResult(events);
  await until(async () => (await listeners()) === 1);
  await api.must(student.token, "mutation($code: String!) { joinClass(code: $code) { id } }", { code: joinCode });
  expect((await first).data?.classActivity).toEqual({ kind: "JOINED", userId: student.id, name: "Student" });
  await events.return?.();
  await until(async () => (await listeners()) === 0);
  await client.dispose();
});

test("a TA removed from the class stops receiving its activity", async () => {
  const client = wsClient(server.wsUrl, { authorization: `Bearer ${ta.token}` });
  const events = client.iterate<{ classActivity: { kind: string } }>({ query: ACTIVITY, variables: { classId } });
  const ended = events.next();
  await until(async () => (await listeners()) === 1);
  await api.must(teacher.token, "mutation($id: ID!, $user: ID!) { removeClassMember(classId: $id, userId: $user) }", { id: classId, user: ta.id });
  expect((await ended).done).toBe(true);
  await until(async () => (await listeners()) === 0);
  // And cannot subscribe again.
  const again = client.iterate({ query: ACTIVITY, variables: { classId } });
  expect((await nextResult(again)).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  await client.dispose();
});

test("an assigned quiz is taken through its assignment; its authors still take it freely", async () => {
  const material = await privateCourse(api, teacher.token, "Assigned");
  const now = Date.now();
  await api.must(teacher.token, "mutation($input: CreateAssignmentInput!) { createAssignment(input: $input) { id } }", {
    input: { classId, kind: "QUIZ", targetId: material.quizId, opensAt: new Date(now - 60_000).toISOString(), dueAt: new Date(now + 3_600_000).toISOString() },
  });
  const direct = "mutation($id: ID!, $answers: [AnswerInput!]!) { submitQuizAttempt(quizId: $id, answers: $answers) { percent } }";
  const answers = material.questionIds.map((questionId) => ({ questionId, selectedOptions: [0] }));
  const refused = await api.call(student.token, direct, { id: material.quizId, answers });
  expect([code(refused), reason(refused)]).toEqual(["FORBIDDEN", "assigned_quiz"]);
  expect((await api.must(student.token, "query { myQuizAttempts { total } }")).myQuizAttempts.total).toBe(0);
  expect((await api.must(teacher.token, direct, { id: material.quizId, answers })).submitQuizAttempt.percent).toBe(100);
});
