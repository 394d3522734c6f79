import { verifyEmailThroughMail } from "../helpers/mail";
import { startTestServer, type TestServer } from "../helpers/server";
import { Api, code, privateCourse, reason, sleep, type Account } from "./support";

/** Classes, codes, invitations and assignments refuse bad input with a clear code and change nothing. */
jest.setTimeout(60_000);

const ADMIN = { ADMIN_EMAIL: "rosters-admin@example.com", ADMIN_PASSWORD: "admin password 1" };
let server: TestServer;
let api: Api;
let teacher: Account;
let student: Account;
let other: Account;

const JOIN = "mutation($code: String!) { joinClass(code: $code) { id } }";
const CREATE = "mutation($input: CreateClassInput!) { createClass(input: $input) { id joinCode { code active expiresAt } } }";

async function newClass(name = "Roster"): Promise<{ id: string; code: string }> {
  const created = await api.must(teacher.token, CREATE, { input: { name } });
  return { id: created.createClass.id, code: created.createClass.joinCode.code };
}

beforeAll(async () => {
  server = await startTestServer(ADMIN);
  api = new Api(server.graphqlUrl);
  const adminToken = await api.login(ADMIN.ADMIN_EMAIL, ADMIN.ADMIN_PASSWORD);
  teacher = await api.user("Teacher", "INSTRUCTOR", adminToken);
  student = await api.user("Student");
  other = await api.user("Other");
});

afterAll(async () => {
  await server?.stop();
});

test("only instructors and admins create classes; the term must end after it begins", async () => {
  expect(code(await api.call(student.token, CREATE, { input: { name: "Mine" } }))).toBe("FORBIDDEN");
  const bad = await api.call(teacher.token, CREATE, { input: { name: "Backwards", termStartsAt: "2027-02-01T00:00:00Z", termEndsAt: "2027-01-01T00:00:00Z" } });
  expect(code(bad)).toBe("BAD_USER_INPUT");
  expect(bad.errors?.[0]?.extensions?.fields).toEqual([{ field: "input.termEndsAt", message: "must be after termStartsAt" }]);
  expect(code(await api.call(teacher.token, CREATE, { input: { name: "  " } }))).toBe("BAD_USER_INPUT");
  expect((await api.must(teacher.token, "query { myClasses { total } }")).myClasses.total).toBe(0);
});

test("join codes: twice, unknown, expired, rotated and switched off", async () => {
  const cls = await newClass();
  expect(code(await api.call(student.token, JOIN, { code: "ZZZZZZZZ" }))).toBe("NOT_FOUND");
  await api.must(student.token, JOIN, { code: cls.code });
  expect(code(await api.call(student.token, JOIN, { code: cls.code }))).toBe("CONFLICT");

  const past = await api.call(teacher.token, "mutation($id: ID!, $at: DateTime) { rotateJoinCode(classId: $id, expiresAt: $at) { id } }", { id: cls.id, at: new Date(Date.now() - 1000).toISOString() });
  expect(code(past)).toBe("BAD_USER_INPUT");
  const expiring = await api.must(teacher.token, "mutation($id: ID!, $at: DateTime) { rotateJoinCode(classId: $id, expiresAt: $at) { joinCode { code active } } }", {
    id: cls.id,
    at: new Date(Date.now() + 700).toISOString(),
  });
  expect(expiring.rotateJoinCode.joinCode.active).toBe(true);
  await sleep(900);
  const expired = await api.call(other.token, JOIN, { code: expiring.rotateJoinCode.joinCode.code });
  expect([code(expired), reason(expired)]).toEqual(["BAD_USER_INPUT", "code_expired"]);
  const rotated = await api.call(other.token, JOIN, { code: cls.code });
  expect([code(rotated), reason(rotated)]).toEqual(["BAD_USER_INPUT", "code_retired"]);

  const off = await api.must(teacher.token, "mutation($id: ID!) { disableJoinCode(classId: $id) { joinCode { code active } } }", { id: cls.id });
  expect(off.disableJoinCode.joinCode).toEqual({ code: null, active: false });
  const disabled = await api.call(other.token, JOIN, { code: expiring.rotateJoinCode.joinCode.code });
  expect(reason(disabled)).toBe("code_retired");
  expect((await api.must(teacher.token, "query($id: ID!) { class(id: $id) { memberCount } }", { id: cls.id })).class.memberCount).toBe(2);
  // Students never see the code, nor anyone's e-mail address.
  expect(code(await api.call(student.token, "query($id: ID!) { class(id: $id) { joinCode { code } } }", { id: cls.id }))).toBe("FORBIDDEN");
  expect(code(await api.call(student.token, "query($id: ID!) { class(id: $id) { invitations { email } } }", { id: cls.id }))).toBe("FORBIDDEN");
  const roster = await api.must(student.token, "query($id: ID!) { class(id: $id) { roster { items { email } } } }", { id: cls.id });
  expect(roster.class.roster.items).toEqual([{ email: null }, { email: null }]);
});

test("invitations wait for the address; declined ones stay out; members are not invited again", async () => {
  const cls = await newClass("Invites");
  const invite = "mutation($id: ID!, $emails: [EmailAddress!]!) { inviteToClass(classId: $id, emails: $emails) { id email } }";
  const later = `later-${Date.now()}@example.com`;
  const sent = await api.must(teacher.token, invite, { id: cls.id, emails: [other.email, later] });
  expect(sent.inviteToClass.map((invitation: { email: string }) => invitation.email).sort()).toEqual([other.email, later].sort());
  expect(code(await api.call(teacher.token, invite, { id: cls.id, emails: ["not an address"] }))).toBe("BAD_USER_INPUT");
  expect(code(await api.call(student.token, invite, { id: cls.id, emails: [student.email] }))).toBe("NOT_FOUND");

  // Invitations wait for a verified address.
  expect((await api.must(other.token, "query { myInvitations { id } }")).myInvitations).toEqual([]);
  await verifyEmailThroughMail(server.graphqlUrl, server.config.mail.outboxDir, other.token, other.email);
  const mine = (await api.must(other.token, "query { myInvitations { id } }")).myInvitations;
  await api.must(other.token, "mutation($id: ID!) { declineClassInvitation(id: $id) { status } }", { id: mine[0].id });
  expect(code(await api.call(other.token, "mutation($id: ID!) { acceptClassInvitation(id: $id) { status } }", { id: mine[0].id }))).toBe("CONFLICT");
  expect((await api.must(other.token, "query { myInvitations { id } }")).myInvitations).toEqual([]);

  // Someone who registers later with the address finds theirs waiting.
  const newcomer = await api.call(undefined, "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }", { input: { name: "Later", email: later, password: "class password 1" } });
  const token = newcomer.data!.register.accessToken as string;
  await verifyEmailThroughMail(server.graphqlUrl, server.config.mail.outboxDir, token, later);
  const waiting = (await api.must(token, "query { myInvitations { id className } }")).myInvitations;
  expect(waiting).toEqual([{ id: expect.any(String), className: "Invites" }]);
  await api.must(token, "mutation($id: ID!) { acceptClassInvitation(id: $id) { status } }", { id: waiting[0].id });
  const again = await api.call(teacher.token, invite, { id: cls.id, emails: [later] });
  expect(code(again)).toBe("CONFLICT");
});

test("the last teacher stays; an archived class is read-only but still visible", async () => {
  const cls = await newClass("Archive");
  await api.must(student.token, JOIN, { code: cls.code });
  expect(code(await api.call(teacher.token, "mutation($id: ID!) { leaveClass(classId: $id) }", { id: cls.id }))).toBe("CONFLICT");
  expect(code(await api.call(student.token, "mutation($id: ID!, $user: ID!) { removeClassMember(classId: $id, userId: $user) }", { id: cls.id, user: teacher.id }))).toBe("FORBIDDEN");
  await api.must(teacher.token, "mutation($id: ID!) { archiveClass(id: $id) { archived } }", { id: cls.id });
  expect((await api.must(student.token, "query($id: ID!) { class(id: $id) { name archived } }", { id: cls.id })).class).toEqual({ name: "Archive", archived: true });
  expect(reason(await api.call(teacher.token, "mutation($id: ID!) { updateClass(id: $id, input: { name: \"New\" }) { id } }", { id: cls.id }))).toBe("class_archived");
  expect(reason(await api.call(teacher.token, "mutation($id: ID!) { rotateJoinCode(classId: $id) { id } }", { id: cls.id }))).toBe("class_archived");
  expect((await api.must(student.token, "query { myClasses { items { name } } }")).myClasses.items.map((c: { name: string }) => c.name)).not.toContain("Archive");
  expect((await api.must(student.token, "query { myClasses(includeArchived: true) { items { name } } }")).myClasses.items.map((c: { name: string }) => c.name)).toContain("Archive");
});

test("assignments: a due date before the open date, something you may not share, the wrong kind's settings", async () => {
  const cls = await newClass("Assign");
  const mine = await privateCourse(api, teacher.token, "Assignable");
  const theirs = await api.must(other.token, "mutation { createCourse(input: { title: \"Theirs\", level: BEGINNER }) { id } }");
  const assign = "mutation($input: CreateAssignmentInput!) { createAssignment(input: $input) { id } }";
  const base = { classId: cls.id, kind: "COURSE", targetId: mine.courseId, opensAt: "2030-01-02T00:00:00Z", dueAt: "2030-01-03T00:00:00Z" };

  const backwards = await api.call(teacher.token, assign, { input: { ...base, dueAt: "2030-01-01T00:00:00Z" } });
  expect(code(backwards)).toBe("BAD_USER_INPUT");
  expect(backwards.errors?.[0]?.extensions?.fields).toEqual([{ field: "input.dueAt", message: "must be after opensAt" }]);
  expect(code(await api.call(teacher.token, assign, { input: { ...base, targetId: theirs.createCourse.id } }))).toBe("NOT_FOUND");
  expect(code(await api.call(teacher.token, assign, { input: { ...base, timeLimitSeconds: 30 } }))).toBe("BAD_USER_INPUT");
  expect(code(await api.call(teacher.token, assign, { input: { ...base, kind: "DECK" } }))).toBe("BAD_USER_INPUT");
  // A public course one reads but does not own is not one's to assign.
  const publicOfTeacher = await privateCourse(api, teacher.token, "Public");
  await api.must(teacher.token, "mutation($id: ID!) { publishCourse(id: $id, isPublic: true) { id } }", { id: publicOfTeacher.courseId });
  const otherTeacher = await api.user("Other teacher", "INSTRUCTOR", await api.login(ADMIN.ADMIN_EMAIL, ADMIN.ADMIN_PASSWORD));
  const theirClass = await api.must(otherTeacher.token, CREATE, { input: { name: "Theirs" } });
  expect(code(await api.call(otherTeacher.token, assign, { input: { ...base, classId: theirClass.createClass.id, targetId: publicOfTeacher.courseId } }))).toBe("FORBIDDEN");
  // Students do not assign.
  await api.must(student.token, JOIN, { code: cls.code });
  expect(code(await api.call(student.token, assign, { input: base }))).toBe("FORBIDDEN");

  expect((await api.must(teacher.token, "query($id: ID!) { class(id: $id) { assignments { total } } }", { id: cls.id })).class.assignments.total).toBe(0);
  expect((await api.must(student.token, "query($id: ID!) { course(id: $id) { id } }", { id: mine.courseId })).course).toBeNull();

  // Not open yet: students may not start it.
  const future = await api.must(teacher.token, assign, { input: base });
  const early = await api.call(student.token, "mutation($id: ID!) { startAssignment(assignmentId: $id) { status } }", { id: future.createAssignment.id });
  expect([code(early), reason(early)]).toEqual(["FORBIDDEN", "not_open"]);
  expect(code(await api.call(teacher.token, "mutation($id: ID!) { startAssignment(assignmentId: $id) { status } }", { id: future.createAssignment.id }))).toBe("FORBIDDEN");
  expect(code(await api.call(other.token, "mutation($id: ID!) { startAssignment(assignmentId: $id) { status } }", { id: future.createAssignment.id }))).toBe("NOT_FOUND");
});

test("a deck assignment completes with the reviews asked for", async () => {
  const cls = await newClass("Decks");
  await api.must(student.token, JOIN, { code: cls.code });
  const deck = await api.must(teacher.token, "mutation { createDeck(input: { title: \"Two cards\" }) { id } }");
  const deckId = deck.createDeck.id;
  const cards: string[] = [];
  for (const front of ["Spring tides?", "Neap tides?"]) {
    cards.push((await api.must(teacher.token, "mutation($input: CreateCardInput!) { createCard(input: $input) { id } }", { input: { deckId, front, back: "Yes" } })).createCard.id);
  }
  const now = Date.now();
  await api.must(teacher.token, "mutation($input: CreateAssignmentInput!) { createAssignment(input: $input) { id } }", {
    input: { classId: cls.id, kind: "DECK", targetId: deckId, reviewCount: 2, opensAt: new Date(now - 60_000).toISOString(), dueAt: new Date(now + 3_600_000).toISOString() },
  });
  const mine = "query { myAssignments { items { status completionPercent assignment { title } } } }";
  const review = "mutation($id: ID!) { reviewCard(cardId: $id, rating: GOOD) { duplicate } }";
  await api.must(student.token, review, { id: cards[0] });
  const half = (await api.must(student.token, mine)).myAssignments.items.find((item: { assignment: { title: string } }) => item.assignment.title === "Two cards");
  expect(half).toEqual({ status: "IN_PROGRESS", completionPercent: 50, assignment: { title: "Two cards" } });
  await api.must(student.token, review, { id: cards[1] });
  const done = (await api.must(student.token, mine)).myAssignments.items.find((item: { assignment: { title: string } }) => item.assignment.title === "Two cards");
  expect(done).toEqual({ status: "SUBMITTED", completionPercent: 100, assignment: { title: "Two cards" } });
});
