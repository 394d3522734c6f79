import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { MongoClient, ObjectId, type Db } from "mongodb";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { REDIS_TEST_URL } from "../chat/redis";
import { startInstance, type Instance } from "../helpers/instance";
import { verifyEmailThroughMail } from "../helpers/mail";
import { wsClient } from "../helpers/ws";
import { call, codeOf, MATERIAL, must, PASSWORD, QUESTIONS, reasonOf, register, rowsNaming, signIn, uploaded, type Person } from "./delete-account-support";

/**
 * Deleting an account (`deleteAccount`, `deleteUser`): two instances of one deployment (one
 * database, one Redis), a user with material in every domain, and a direct look at every
 * collection of the database before and after.
 */
jest.setTimeout(240_000);

const ADMIN = { email: "deletion-admin@example.com", password: PASSWORD };
let engine: EmbeddedMongo;
let env: Record<string, string>;
let a: Instance;
let b: Instance;
let mongo: MongoClient;
let db: Db;
let admin: Person;

const onA = (token: string | undefined, query: string, variables?: Record<string, unknown>) => must(a.graphqlUrl, token, query, variables);

async function promote(userId: string, role: "INSTRUCTOR" | "ADMIN"): Promise<void> {
  await onA(admin.accessToken, "mutation($id: ID!, $role: UserRole!) { setUserRole(userId: $id, role: $role) { id } }", { id: userId, role });
}

/** A new user of `role`, signed in again after the promotion. */
async function person(name: string, role?: "INSTRUCTOR" | "ADMIN"): Promise<Person> {
  const registered = await register(a.graphqlUrl, name);
  if (!role) return registered;
  await promote(registered.id, role);
  return signIn(a.graphqlUrl, registered.email);
}

async function courseWithChapter(owner: Person, title: string): Promise<{ courseId: string; chapterId: string }> {
  const course = await onA(owner.accessToken, "mutation($input: CreateCourseInput!) { createCourse(input: $input) { id } }", { input: { title, level: "BEGINNER" } });
  const chapter = await onA(owner.accessToken, "mutation($input: AddChapterInput!) { addChapter(input: $input) { id } }", {
    input: { courseId: course.createCourse.id, title: "Tides", content: MATERIAL, durationMinutes: 5 },
  });
  return { courseId: course.createCourse.id, chapterId: chapter.addChapter.id };
}

async function quizOn(owner: Person, courseId: string): Promise<{ id: string; questionIds: string[] }> {
  const data = await onA(owner.accessToken, "mutation($input: CreateQuizInput!) { createQuiz(input: $input) { id questions { id } } }", {
    input: { title: "Tides quiz", courseId, questions: QUESTIONS },
  });
  return { id: data.createQuiz.id, questionIds: data.createQuiz.questions.map((q: { id: string }) => q.id) };
}

async function newClass(teacher: Person, name: string): Promise<{ id: string; code: string }> {
  const data = await onA(teacher.accessToken, "mutation($input: CreateClassInput!) { createClass(input: $input) { id joinCode { code } } }", { input: { name } });
  return { id: data.createClass.id, code: data.createClass.joinCode.code };
}

async function waitForJob(owner: Person, jobId: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const data = await onA(owner.accessToken, "query($id: ID!) { courseGenerationJob(jobId: $id) { stage } }", { id: jobId });
    if (data.courseGenerationJob.stage === "DONE") return;
    if (data.courseGenerationJob.stage === "FAILED") throw new Error("the generation failed");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the generation never finished");
}

/** A subscription of `token`'s on instance B that waits for news, and how its socket ended. */
function followOnB(token: string, sessionId: string) {
  const client = wsClient(b.wsUrl, { authorization: `Bearer ${token}` });
  let connected!: () => void;
  const ready = new Promise<void>((resolve) => (connected = resolve));
  const ended = new Promise<string>((resolve) => {
    client.on("connected", () => connected());
    client.subscribe(
      { query: "subscription($id: ID!) { chatSessionEvents(sessionId: $id) { __typename } }", variables: { id: sessionId } },
      { next: () => undefined, error: (error) => resolve(String((error as { code?: number }).code ?? error)), complete: () => resolve("complete") },
    );
  });
  return { client, ready, ended };
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<"still open">((resolve) => setTimeout(() => resolve("still open"), ms))]);

async function waitUntilGone(user: Person): Promise<Record<string, number>> {
  let left: Record<string, number> = {};
  for (let i = 0; i < 300; i++) {
    left = await rowsNaming(db, user);
    if (Object.keys(left).length === 0) return left;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return left;
}

beforeAll(async () => {
  engine = await startEmbeddedMongo({ host: "127.0.0.1", port: 0 });
  env = {
    MONGODB_URL: engine.uri,
    DATABASE_NAME: `account_deletion_${randomUUID().slice(0, 8)}`,
    REDIS_URL: REDIS_TEST_URL,
    JWT_SECRET_KEY: randomBytes(32).toString("hex"),
    BCRYPT_COST: "4",
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    CHAT_MESSAGES_PER_MINUTE: "1000",
  };
  a = await startInstance(env);
  b = await startInstance(env);
  mongo = await MongoClient.connect(engine.uri);
  db = mongo.db(env.DATABASE_NAME);
  admin = await signIn(a.graphqlUrl, ADMIN.email, ADMIN.password);
});

afterAll(async () => {
  await mongo?.close();
  await Promise.all([a?.stop(), b?.stop()]);
  await engine?.stop();
});

describe("deleteAccount", () => {
  /** What `leaver` has in every domain, and the ids the checks need. */
  let leaver: Person;
  let other: Person;
  let world: {
    ownCourse: string;
    othersCourse: string;
    othersChapter: string;
    othersQuiz: string;
    quizForOthersCourse: string;
    deckForOthersCourse: string;
    chatSession: string;
    fileId: ObjectId;
    classWithStudent: string;
    classAlone: string;
    othersClass: string;
  };

  beforeAll(async () => {
    leaver = await person("Leaver", "INSTRUCTOR");
    other = await person("Other", "INSTRUCTOR");
    const L = leaver.accessToken;
    const O = other.accessToken;

    await onA(L, "mutation { updateProfile(input: { bio: \"About to leave\" }) { id } }");
    // The leaver's own public course, read by the other user.
    const own = await courseWithChapter(leaver, "Leaver's tides");
    await onA(L, "mutation($id: ID!) { publishCourse(id: $id, isPublic: true) { id } }", { id: own.courseId });
    await onA(O, "mutation($id: ID!) { enroll(courseId: $id) { id } }", { id: own.courseId });
    const chat = await onA(L, "mutation($input: CreateChatSessionInput!) { createChatSession(input: $input) { id } }", { input: { courseId: own.courseId, mode: "HYBRID" } });
    await onA(L, "mutation($id: ID!) { sendChatMessage(sessionId: $id, content: \"What causes tides?\") { assistantMessage { id } } }", { id: chat.createChatSession.id });

    // The other user's course, shared with the leaver as a co-author: a quiz and a course deck of the leaver's go into it.
    const others = await courseWithChapter(other, "Other's tides");
    await onA(O, "mutation($id: ID!) { publishCourse(id: $id, isPublic: true) { id } }", { id: others.courseId });
    await onA(O, "mutation($input: ShareInput!) { share(input: $input) }", { input: { kind: "COURSE", id: others.courseId, userId: leaver.id, role: "EDITOR" } });
    const quizForOthersCourse = await quizOn(leaver, others.courseId);
    const courseDeck = await onA(L, "mutation($input: CreateDeckInput!) { createDeck(input: $input) { id } }", { input: { title: "Co-authored cards", courseId: others.courseId } });
    await onA(L, "mutation($input: CreateCardInput!) { createCard(input: $input) { id } }", { input: { deckId: courseDeck.createDeck.id, front: "Neap tides?", back: "Sun and Moon at right angles" } });
    await onA(O, "mutation($id: ID!, $answers: [AnswerInput!]!) { submitQuizAttempt(quizId: $id, answers: $answers) { id } }", {
      id: quizForOthersCourse.id,
      answers: [{ questionId: quizForOthersCourse.questionIds[0], selectedOptions: [0] }],
    });

    // The leaver learns from the other user's course: enrollment, progress, an attempt with wrong answers (leaderboard, Mistakes deck).
    await onA(L, "mutation($id: ID!) { enroll(courseId: $id) { id } }", { id: others.courseId });
    const othersQuiz = await quizOn(other, others.courseId);
    await onA(L, "mutation($id: ID!, $answers: [AnswerInput!]!) { submitQuizAttempt(quizId: $id, answers: $answers) { id } }", {
      id: othersQuiz.id,
      answers: [
        { questionId: othersQuiz.questionIds[0], selectedOptions: [1] },
        { questionId: othersQuiz.questionIds[1], text: "Neap tides" },
      ],
    });

    // Classes: one of the other user's the leaver joined by invitation (with an assignment they worked on), one of
    // the leaver's with the other user as a student, one of the leaver's alone.
    const othersClass = await newClass(other, "Other's class");
    const now = Date.now();
    await onA(O, "mutation($input: CreateAssignmentInput!) { createAssignment(input: $input) { id } }", {
      input: { classId: othersClass.id, kind: "COURSE", targetId: others.courseId, opensAt: new Date(now - 3_600_000).toISOString(), dueAt: new Date(now + 86_400_000).toISOString() },
    });
    await onA(O, "mutation($id: ID!, $emails: [EmailAddress!]!) { inviteToClass(classId: $id, emails: $emails) { id } }", { id: othersClass.id, emails: [leaver.email] });
    // Invitations wait for a verified address: the leaver proves theirs through the mail (A's outbox).
    await verifyEmailThroughMail(a.graphqlUrl, join(a.dataDir, "outbox"), L, leaver.email);
    const invitations = await onA(L, "query { myInvitations { id } }");
    await onA(L, "mutation($id: ID!) { acceptClassInvitation(id: $id) { status } }", { id: invitations.myInvitations[0].id });
    await onA(L, "mutation($id: ID!) { completeChapter(chapterId: $id) { id } }", { id: others.chapterId });
    const classWithStudent = await newClass(leaver, "Leaver's class");
    await onA(O, "mutation($code: String!) { joinClass(code: $code) { id } }", { code: classWithStudent.code });
    await onA(L, "mutation($input: CreateAssignmentInput!) { createAssignment(input: $input) { id } }", {
      input: { classId: classWithStudent.id, kind: "COURSE", targetId: own.courseId, opensAt: new Date(now - 3_600_000).toISOString(), dueAt: new Date(now + 86_400_000).toISOString() },
    });
    await onA(L, "mutation($id: ID!, $emails: [EmailAddress!]!) { inviteToClass(classId: $id, emails: $emails) { id } }", { id: classWithStudent.id, emails: ["someone-else@example.com"] });
    const classAlone = await newClass(leaver, "Leaver's empty class");

    // Study: a personal deck shared with the other user, a card reviewed (schedule, log, studied deck, preferences).
    const deck = await onA(L, "mutation($input: CreateDeckInput!) { createDeck(input: $input) { id } }", { input: { title: "My cards" } });
    const card = await onA(L, "mutation($input: CreateCardInput!) { createCard(input: $input) { id } }", { input: { deckId: deck.createDeck.id, front: "What causes tides?", back: "The Moon" } });
    await onA(L, "mutation($id: ID!) { reviewCard(cardId: $id, rating: GOOD) { state { due } } }", { id: card.createCard.id });
    await onA(L, "mutation($input: ShareInput!) { share(input: $input) }", { input: { kind: "DECK", id: deck.createDeck.id, userId: other.id, role: "VIEWER" } });
    await onA(L, "mutation { updateStudyPreferences(input: { dailyNewLimit: 25 }) { dailyNewLimit } }");

    // An upload (its file in GridFS, its passages), a finished course generation (its job), a linked provider account.
    const uploadId = await uploaded(a.graphqlUrl, L, `${MATERIAL}\n\n${randomUUID()}`);
    const job = await onA(L, "mutation { startCourseGeneration(input: { topic: \"Tides\", level: BEGINNER, numChapters: 3 }) { id } }");
    await waitForJob(leaver, job.startCourseGeneration.id);
    // No provider runs here: the link is stored as a sign-in through one would store it (delete-account-oidc.test.ts signs in for real).
    await db.collection("user_identities").insertOne({
      user_id: new ObjectId(leaver.id), provider: "school", issuer: "https://id.example", subject: randomUUID(), email: leaver.email, linked_at: new Date(), last_sign_in_at: new Date(),
    });
    const upload = await db.collection("uploads").findOne({ _id: new ObjectId(uploadId) });

    world = {
      ownCourse: own.courseId,
      othersCourse: others.courseId,
      othersChapter: others.chapterId,
      othersQuiz: othersQuiz.id,
      quizForOthersCourse: quizForOthersCourse.id,
      deckForOthersCourse: courseDeck.createDeck.id,
      chatSession: chat.createChatSession.id,
      fileId: new ObjectId(String(upload!.file_id)),
      classWithStudent: classWithStudent.id,
      classAlone: classAlone.id,
      othersClass: othersClass.id,
    };
  });

  it("has material of the leaver in every domain before", async () => {
    const before = await rowsNaming(db, leaver);
    const domains = [
      "users", "user_profiles", "user_identities", "refresh_tokens", "courses", "progress", "embeddings", "uploads", "chat_sessions", "chat_messages",
      "quizzes", "quiz_history", "leaderboard_scores", "learning_activity", "decks", "cards", "review_states", "review_logs", "study_decks",
      "study_profiles", "classes", "class_members", "class_invitations", "assignments", "assignment_work", "jobs", "ai_usage",
    ];
    expect(domains.filter((name) => !before[name])).toEqual([]);
    expect(await db.collection("uploads_fs.files").countDocuments({ _id: world.fileId })).toBe(1);
    // The two wrong answers went to their Mistakes deck.
    const mistakes = await db.collection("decks").findOne({ owner_id: new ObjectId(leaver.id), kind: "MISTAKES" });
    expect(await db.collection("cards").countDocuments({ deck_id: mistakes?._id })).toBe(2);
  });

  it("refuses a wrong or missing password and changes nothing", async () => {
    const before = await rowsNaming(db, leaver);
    const wrong = await call(a.graphqlUrl, leaver.accessToken, "mutation { deleteAccount(password: \"not the password 1\") }");
    expect([codeOf(wrong), reasonOf(wrong)]).toEqual(["BAD_USER_INPUT", "password_incorrect"]);
    const missing = await call(a.graphqlUrl, leaver.accessToken, "mutation { deleteAccount }");
    expect([codeOf(missing), reasonOf(missing)]).toEqual(["BAD_USER_INPUT", "password_required"]);
    // Refusals sign nobody in or out: only the rows of other work may differ (none here).
    expect(await rowsNaming(db, leaver)).toEqual(before);
    expect((await onA(leaver.accessToken, "query { me { id } }")).me.id).toBe(leaver.id);
  });

  it("deletes everything of theirs on confirmation, ends their sessions on every instance and closes their sockets", async () => {
    const beforeOther = await rowsNaming(db, other);
    const socket = followOnB(leaver.accessToken, world.chatSession);
    try {
      await socket.ready;
      expect(await within(socket.ended, 300)).toBe("still open");
      expect(await onA(leaver.accessToken, "mutation($password: String) { deleteAccount(password: $password) }", { password: PASSWORD })).toEqual({ deleteAccount: true });
      expect(await within(socket.ended, 5_000)).toBe("4401");
    } finally {
      await socket.client.dispose();
    }

    expect(await rowsNaming(db, leaver)).toEqual({});
    expect(await db.collection("uploads_fs.files").countDocuments({ _id: world.fileId })).toBe(0);
    expect(await db.collection("uploads_fs.chunks").countDocuments({ files_id: world.fileId })).toBe(0);
    expect(await db.collection("courses").countDocuments({ _id: new ObjectId(world.ownCourse) })).toBe(0);
    expect(await db.collection("chapters").countDocuments({ course_id: new ObjectId(world.ownCourse) })).toBe(0);

    // The old tokens are nobody's, on both instances; the e-mail signs nobody in.
    for (const url of [a.graphqlUrl, b.graphqlUrl]) {
      expect(codeOf(await call(url, leaver.accessToken, "query { me { id } }"))).toBe("UNAUTHENTICATED");
      expect(codeOf(await call(url, undefined, "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }", { t: leaver.refreshToken }))).toBe("UNAUTHENTICATED");
    }
    expect(codeOf(await call(a.graphqlUrl, undefined, "mutation($input: LoginInput!) { login(input: $input) { accessToken } }", { input: { email: leaver.email, password: PASSWORD } }))).toBe(
      "UNAUTHENTICATED",
    );

    // Nothing of the other user's is lost but what hung off the leaver: their enrollment in the leaver's course, which
    // went with it, and their invitation of the leaver's address.
    const afterOther = await rowsNaming(db, other);
    const { progress: progressBefore = 0, class_invitations: invitationsBefore = 0, ...restBefore } = beforeOther;
    expect(afterOther.progress ?? 0).toBe(progressBefore - 1);
    expect(afterOther.class_invitations ?? 0).toBe(invitationsBefore - 1);
    for (const [name, count] of Object.entries(restBefore)) expect({ name, atLeast: (afterOther[name] ?? 0) >= count }).toEqual({ name, atLeast: true });
  });

  it("keeps what the leaver made for the other user's course, as the course owner's, and the other user's classes", async () => {
    const O = other.accessToken;
    const course = await onA(O, "query($id: ID!) { course(id: $id) { title chapters { id } } }", { id: world.othersCourse });
    expect(course.course).toEqual({ title: "Other's tides", chapters: [{ id: world.othersChapter }] });
    const quizzes = await onA(O, "query($a: ID!, $b: ID!) { a: quiz(id: $a) { owner { id } } b: quiz(id: $b) { owner { id } } }", { a: world.quizForOthersCourse, b: world.othersQuiz });
    expect(quizzes.a.owner.id).toBe(other.id);
    expect(quizzes.b.owner.id).toBe(other.id);
    const deck = await onA(O, "query($id: ID!) { deck(id: $id) { cardCount canEdit } }", { id: world.deckForOthersCourse });
    expect(deck.deck).toEqual({ cardCount: 1, canEdit: true });

    const board = await onA(O, "query { leaderboard(period: ALL_TIME) { entries { user { id } } } }");
    expect(board.leaderboard.entries.map((entry: { user: { id: string } | null }) => entry.user?.id)).not.toContain(leaver.id);

    // The leaver's class with a student is archived and still the student's; the empty one is gone; the other's keeps going.
    const classes = await onA(O, "query($a: ID!, $b: ID!) { a: class(id: $a) { archived memberCount } b: class(id: $b) { archived memberCount } }", {
      a: world.classWithStudent,
      b: world.othersClass,
    });
    expect(classes).toEqual({ a: { archived: true, memberCount: 1 }, b: { archived: false, memberCount: 1 } });
    expect(await db.collection("classes").countDocuments({ _id: new ObjectId(world.classAlone) })).toBe(0);
    expect(await db.collection("class_members").countDocuments({ class_id: new ObjectId(world.classAlone) })).toBe(0);
  });
});

describe("a verification mail not yet opened", () => {
  it("stops working with the account: its link is deleted with it", async () => {
    const pending = await person("pending");
    expect(await onA(pending.accessToken, "mutation { requestEmailVerification }")).toEqual({ requestEmailVerification: true });
    expect(Object.keys(await rowsNaming(db, pending))).toContain("email_verifications");
    await onA(pending.accessToken, "mutation($password: String) { deleteAccount(password: $password) }", { password: PASSWORD });
    expect(await rowsNaming(db, pending)).toEqual({});
  });
});

describe("deleteUser (admins)", () => {
  it("deletes another account, whose tokens stop working; a second call finds nobody", async () => {
    const student = await person("Student");
    await courseWithChapter(student, "Student's notes");
    expect(await onA(admin.accessToken, "mutation($id: ID!) { deleteUser(userId: $id) }", { id: student.id })).toEqual({ deleteUser: true });
    expect(codeOf(await call(b.graphqlUrl, student.accessToken, "query { me { id } }"))).toBe("UNAUTHENTICATED");
    expect(await rowsNaming(db, student)).toEqual({});
    expect(codeOf(await call(a.graphqlUrl, admin.accessToken, "mutation($id: ID!) { deleteUser(userId: $id) }", { id: student.id }))).toBe("NOT_FOUND");
  });

  it("is refused to students", async () => {
    const [student, target] = [await person("Asker"), await person("Target")];
    expect(codeOf(await call(a.graphqlUrl, student.accessToken, "mutation($id: ID!) { deleteUser(userId: $id) }", { id: target.id }))).toBe("FORBIDDEN");
    expect((await onA(target.accessToken, "query { me { id } }")).me.id).toBe(target.id);
  });

  it("finishes a deletion cut short, when called again and at the next start-up", async () => {
    // A deletion that stopped right after marking the account (a crash), as the database holds it.
    const cutShort = async (name: string) => {
      const user = await person(name);
      await courseWithChapter(user, `${name}'s course`);
      await uploaded(a.graphqlUrl, user.accessToken, `${MATERIAL}\n\n${randomUUID()}`);
      await db.collection("users").updateOne({ _id: new ObjectId(user.id) }, { $set: { deleting_at: new Date(), is_active: false } });
      return user;
    };
    const first = await cutShort("Interrupted");
    const reactivate = await call(a.graphqlUrl, admin.accessToken, "mutation($id: ID!) { setUserActive(userId: $id, active: true) { id } }", { id: first.id });
    expect([codeOf(reactivate), reasonOf(reactivate)]).toEqual(["CONFLICT", "account_deleting"]);
    expect(await onA(admin.accessToken, "mutation($id: ID!) { deleteUser(userId: $id) }", { id: first.id })).toEqual({ deleteUser: true });
    expect(await rowsNaming(db, first)).toEqual({});

    const second = await cutShort("Restarted");
    expect(Object.keys(await rowsNaming(db, second))).toContain("courses");
    await b.stop();
    b = await startInstance(env);
    expect(await waitUntilGone(second)).toEqual({});
  });
});

describe("the last admin", () => {
  it("cannot delete their account, by either mutation, until another admin exists", async () => {
    const own = await call(a.graphqlUrl, admin.accessToken, "mutation($p: String) { deleteAccount(password: $p) }", { p: PASSWORD });
    expect([codeOf(own), reasonOf(own)]).toEqual(["CONFLICT", "last_admin"]);
    const byId = await call(a.graphqlUrl, admin.accessToken, "mutation($id: ID!) { deleteUser(userId: $id) }", { id: admin.id });
    expect([codeOf(byId), reasonOf(byId)]).toEqual(["CONFLICT", "last_admin"]);
    expect((await onA(admin.accessToken, "query { me { id isActive } }")).me).toEqual({ id: admin.id, isActive: true });

    const successor = await person("Successor", "ADMIN");
    expect(await onA(admin.accessToken, "mutation($p: String) { deleteAccount(password: $p) }", { p: PASSWORD })).toEqual({ deleteAccount: true });
    expect(codeOf(await call(a.graphqlUrl, admin.accessToken, "query { me { id } }"))).toBe("UNAUTHENTICATED");
    const last = await call(a.graphqlUrl, successor.accessToken, "mutation($p: String) { deleteAccount(password: $p) }", { p: PASSWORD });
    expect([codeOf(last), reasonOf(last)]).toEqual(["CONFLICT", "last_admin"]);
  });
});
