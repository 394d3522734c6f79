import { startTestServer, type TestServer } from "../helpers/server";
import { Api, code, privateCourse, type Account } from "./support";

/**
 * Sharing through `CoursePolicy`: a class or a named user gets exactly what was shared, in
 * every place that asks "may read" (the course, its catalog, its chapters, its quizzes and
 * decks, search, chat), and nothing more; leaving the class ends it.
 */
jest.setTimeout(60_000);

const ADMIN = { ADMIN_EMAIL: "sharing-admin@example.com", ADMIN_PASSWORD: "admin password 1" };
let server: TestServer;
let api: Api;
let teacher: Account;
let student: Account;
let outsider: Account;
let coAuthor: Account;
let classId: string;

const SHARE = "mutation($input: ShareInput!) { share(input: $input) }";
const UNSHARE = "mutation($input: ShareInput!) { unshare(input: $input) }";
const CATALOG = "query { courses(filter: { owner: ALL }, limit: 100) { items { id } } }";
const ids = (data: { courses: { items: { id: string }[] } }) => data.courses.items.map((course) => course.id);

beforeAll(async () => {
  server = await startTestServer(ADMIN);
  api = new Api(server.graphqlUrl);
  const adminToken = await api.login(ADMIN.ADMIN_EMAIL, ADMIN.ADMIN_PASSWORD);
  teacher = await api.user("Teacher", "INSTRUCTOR", adminToken);
  [student, outsider, coAuthor] = [await api.user("Student"), await api.user("Outsider"), await api.user("Co Author")];
  const created = await api.must(teacher.token, "mutation { createClass(input: { name: \"Sharing\" }) { id joinCode { code } } }");
  classId = created.createClass.id;
  await api.must(student.token, "mutation($code: String!) { joinClass(code: $code) { id } }", { code: created.createClass.joinCode.code });
});

afterAll(async () => {
  await server?.stop();
});

test("a course shared with a class reaches its members everywhere they read, and nobody else", async () => {
  const material = await privateCourse(api, teacher.token, "Shared with the class");
  expect(ids(await api.must(student.token, CATALOG))).not.toContain(material.courseId);
  expect(await api.must(teacher.token, SHARE, { input: { kind: "COURSE", id: material.courseId, classId } })).toEqual({ share: true });

  const read = "query($id: ID!, $chapter: ID!, $quiz: ID!) { course(id: $id) { id } chapter(id: $chapter) { id } quiz(id: $quiz) { id questions { correctOptions } } quizzes(courseId: $id) { total } }";
  const vars = { id: material.courseId, chapter: material.chapterIds[0], quiz: material.quizId };
  const asStudent = await api.must(student.token, read, vars);
  expect(asStudent).toEqual({ course: { id: material.courseId }, chapter: { id: material.chapterIds[0] }, quiz: { id: material.quizId, questions: [{ correctOptions: null }, { correctOptions: null }] }, quizzes: { total: 1 } });
  expect(ids(await api.must(student.token, CATALOG))).toContain(material.courseId);
  // A viewer reads but does not write.
  expect(code(await api.call(student.token, "mutation($id: ID!) { updateCourse(id: $id, input: { title: \"Mine now\" }) { id } }", { id: material.courseId }))).toBe("FORBIDDEN");
  // Sharing is its owner's: a reader cannot pass it on.
  expect(code(await api.call(student.token, SHARE, { input: { kind: "COURSE", id: material.courseId, userId: outsider.id } }))).toBe("FORBIDDEN");

  // Enrolling, search and the tutor's material follow the same rule.
  await api.must(student.token, "mutation($id: ID!) { enroll(courseId: $id) { id } }", { id: material.courseId });
  const search = "query($id: ID) { search(query: \"spring tides Sun Moon line\", courseId: $id) { source { courseId } } }";
  let hits: { source: { courseId: string } }[] = [];
  for (let i = 0; i < 100 && hits.length === 0; i++) {
    hits = (await api.must(student.token, search, { id: material.courseId })).search;
    if (hits.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(hits.length).toBeGreaterThan(0);
  const everywhere = (await api.must(student.token, search, {})).search as { source: { courseId: string } }[];
  expect(everywhere.some((hit) => hit.source.courseId === material.courseId)).toBe(true);
  expect(code(await api.call(outsider.token, search, { id: material.courseId }))).toBe("NOT_FOUND");
  const outsiderHits = (await api.must(outsider.token, search, {})).search as { source: { courseId: string } }[];
  expect(outsiderHits.some((hit) => hit.source.courseId === material.courseId)).toBe(false);
  await api.must(student.token, "mutation($id: ID!) { createChatSession(input: { courseId: $id, mode: STRICT }) { id } }", { id: material.courseId });

  const asOutsider = await api.must(outsider.token, "query($id: ID!, $quiz: ID!) { course(id: $id) { id } quiz(id: $quiz) { id } }", { id: material.courseId, quiz: material.quizId });
  expect(asOutsider).toEqual({ course: null, quiz: null });
  expect(code(await api.call(outsider.token, "mutation($id: ID!) { createChatSession(input: { courseId: $id, mode: STRICT }) { id } }", { id: material.courseId }))).toBe("NOT_FOUND");

  // Unsharing ends it.
  await api.must(teacher.token, UNSHARE, { input: { kind: "COURSE", id: material.courseId, classId } });
  expect((await api.must(student.token, "query($id: ID!) { course(id: $id) { id } }", { id: material.courseId })).course).toBeNull();
  expect(ids(await api.must(student.token, CATALOG))).not.toContain(material.courseId);
});

test("an EDITOR share makes a co-author; sharing again changes the role", async () => {
  const material = await privateCourse(api, teacher.token, "Co-written");
  await api.must(teacher.token, SHARE, { input: { kind: "COURSE", id: material.courseId, userId: coAuthor.id, role: "VIEWER" } });
  const rename = "mutation($id: ID!) { updateCourse(id: $id, input: { title: \"Co-written, revised\" }) { title } }";
  expect(code(await api.call(coAuthor.token, rename, { id: material.courseId }))).toBe("FORBIDDEN");
  await api.must(teacher.token, SHARE, { input: { kind: "COURSE", id: material.courseId, userId: coAuthor.id, role: "EDITOR" } });
  expect((await api.must(coAuthor.token, rename, { id: material.courseId })).updateCourse.title).toBe("Co-written, revised");
  // A co-author reads the quiz keys of the course; the class student still reads nothing.
  const keys = await api.must(coAuthor.token, "query($id: ID!) { quiz(id: $id) { questions { correctOptions } } }", { id: material.quizId });
  expect(keys.quiz.questions).toEqual([{ correctOptions: [0] }, { correctOptions: [0] }]);
  expect((await api.must(student.token, "query($id: ID!) { course(id: $id) { id } }", { id: material.courseId })).course).toBeNull();
});

test("a quiz and a personal deck shared with a user, alone", async () => {
  const material = await privateCourse(api, teacher.token, "Quiz only");
  await api.must(teacher.token, SHARE, { input: { kind: "QUIZ", id: material.quizId, userId: outsider.id } });
  const read = await api.must(outsider.token, "query($quiz: ID!, $course: ID!) { quiz(id: $quiz) { id } course(id: $course) { id } }", { quiz: material.quizId, course: material.courseId });
  expect(read).toEqual({ quiz: { id: material.quizId }, course: null });
  const attempt = await api.must(outsider.token, "mutation($id: ID!, $answers: [AnswerInput!]!) { submitQuizAttempt(quizId: $id, answers: $answers) { percent } }", {
    id: material.quizId,
    answers: material.questionIds.map((questionId) => ({ questionId, selectedOptions: [0] })),
  });
  expect(attempt.submitQuizAttempt.percent).toBe(100);

  const deck = await api.must(teacher.token, "mutation { createDeck(input: { title: \"Teacher's cards\" }) { id } }");
  const deckId = deck.createDeck.id;
  await api.must(teacher.token, "mutation($input: CreateCardInput!) { createCard(input: $input) { id } }", { input: { deckId, front: "Neap tides?", back: "At right angles" } });
  const decks = "query { decks { items { id } } }";
  expect((await api.must(outsider.token, decks)).decks.items).toEqual([]);
  await api.must(teacher.token, SHARE, { input: { kind: "DECK", id: deckId, userId: outsider.id } });
  expect((await api.must(outsider.token, decks)).decks.items).toEqual([{ id: deckId }]);
  expect((await api.must(outsider.token, "query($id: ID!) { cards(deckId: $id) { total } }", { id: deckId })).cards.total).toBe(1);
  expect(code(await api.call(outsider.token, "mutation($id: ID!) { updateDeck(id: $id, input: { title: \"Mine\" }) { id } }", { id: deckId }))).toBe("FORBIDDEN");
  await api.must(teacher.token, UNSHARE, { input: { kind: "DECK", id: deckId, userId: outsider.id } });
  expect((await api.must(outsider.token, "query($id: ID!) { deck(id: $id) { id } }", { id: deckId })).deck).toBeNull();
});

test("a personal deck shared with the class joins each member's combined review queue and study statistics", async () => {
  const deck = await api.must(teacher.token, "mutation { createDeck(input: { title: \"Class cards\" }) { id } }");
  const deckId = deck.createDeck.id as string;
  const cardIds: string[] = [];
  for (const [front, back] of [["Spring tides?", "Sun and Moon in line"], ["Neap tides?", "At right angles"]]) {
    const card = await api.must(teacher.token, "mutation($input: CreateCardInput!) { createCard(input: $input) { id } }", { input: { deckId, front, back } });
    cardIds.push(card.createCard.id);
  }
  const queue = "query { reviewQueue(limit: 100) { items { card { id } } } }";
  const stats = "query { studyStats { newCards reviewsLast30Days } }";
  const queued = async (token: string) => ((await api.must(token, queue)).reviewQueue.items as { card: { id: string } }[]).map((item) => item.card.id);
  expect(await queued(student.token)).toEqual([]);

  await api.must(teacher.token, SHARE, { input: { kind: "DECK", id: deckId, classId } });
  // Never opened by its id: the combined queue finds it as it finds the student's own decks.
  expect((await queued(student.token)).sort()).toEqual([...cardIds].sort());
  expect((await api.must(student.token, stats)).studyStats).toEqual({ newCards: 2, reviewsLast30Days: 0 });
  await api.must(student.token, "mutation($id: ID!) { reviewCard(cardId: $id, rating: GOOD) { duplicate } }", { id: cardIds[0] });
  expect((await api.must(student.token, stats)).studyStats).toEqual({ newCards: 1, reviewsLast30Days: 1 });
  // Nobody outside the class gets it.
  expect(await queued(outsider.token)).toEqual([]);

  // Unshared: it leaves the queue and the statistics, though the student studied it.
  await api.must(teacher.token, UNSHARE, { input: { kind: "DECK", id: deckId, classId } });
  expect(await queued(student.token)).toEqual([]);
  expect((await api.must(student.token, stats)).studyStats).toEqual({ newCards: 0, reviewsLast30Days: 0 });
});

test("the owner lists a course's, quiz's and deck's current shares, to manage them", async () => {
  const material = await privateCourse(api, teacher.token, "Listed shares");
  const deck = await api.must(teacher.token, "mutation { createDeck(input: { title: \"Listed cards\" }) { id } }");
  const SHARES = "query($kind: SharedKind!, $id: ID!) { shares(kind: $kind, id: $id) { role class { id name } user { id name } } }";
  const sharesOf = async (token: string, kind: string, id: string) => (await api.must(token, SHARES, { kind, id })).shares;
  expect(await sharesOf(teacher.token, "COURSE", material.courseId)).toEqual([]);

  await api.must(teacher.token, SHARE, { input: { kind: "COURSE", id: material.courseId, classId } });
  await api.must(teacher.token, SHARE, { input: { kind: "COURSE", id: material.courseId, userId: coAuthor.id, role: "EDITOR" } });
  await api.must(teacher.token, SHARE, { input: { kind: "QUIZ", id: material.quizId, userId: outsider.id } });
  await api.must(teacher.token, SHARE, { input: { kind: "DECK", id: deck.createDeck.id, classId, role: "EDITOR" } });
  const classShare = { class: { id: classId, name: "Sharing" }, user: null };
  expect(await sharesOf(teacher.token, "COURSE", material.courseId)).toEqual([
    { role: "VIEWER", ...classShare },
    { role: "EDITOR", class: null, user: { id: coAuthor.id, name: "Co Author" } },
  ]);
  expect(await sharesOf(teacher.token, "QUIZ", material.quizId)).toEqual([{ role: "VIEWER", class: null, user: { id: outsider.id, name: "Outsider" } }]);
  expect(await sharesOf(teacher.token, "DECK", deck.createDeck.id)).toEqual([{ role: "EDITOR", ...classShare }]);

  // Those it is shared with do not see whom else it reaches: a reader or co-author is refused, anyone else finds nothing.
  expect(code(await api.call(student.token, SHARES, { kind: "COURSE", id: material.courseId }))).toBe("FORBIDDEN");
  expect(code(await api.call(outsider.token, SHARES, { kind: "QUIZ", id: material.quizId }))).toBe("FORBIDDEN");
  expect(code(await api.call(student.token, SHARES, { kind: "DECK", id: deck.createDeck.id }))).toBe("FORBIDDEN");
  expect(code(await api.call(outsider.token, SHARES, { kind: "COURSE", id: material.courseId }))).toBe("NOT_FOUND");

  // Managing them: a role changed and a share ended show at once.
  await api.must(teacher.token, SHARE, { input: { kind: "COURSE", id: material.courseId, classId, role: "EDITOR" } });
  await api.must(teacher.token, UNSHARE, { input: { kind: "COURSE", id: material.courseId, userId: coAuthor.id } });
  expect(await sharesOf(teacher.token, "COURSE", material.courseId)).toEqual([{ role: "EDITOR", ...classShare }]);
  await api.must(teacher.token, UNSHARE, { input: { kind: "COURSE", id: material.courseId, classId } });
  expect(await sharesOf(teacher.token, "COURSE", material.courseId)).toEqual([]);
});

test("bad shares are refused and change nothing", async () => {
  const material = await privateCourse(api, teacher.token, "Kept");
  const other = await api.must(outsider.token, "mutation { createCourse(input: { title: \"Not yours\", level: BEGINNER }) { id } }");
  // Not yours to see: NOT_FOUND, as for a course that does not exist.
  expect(code(await api.call(teacher.token, SHARE, { input: { kind: "COURSE", id: other.createCourse.id, classId } }))).toBe("NOT_FOUND");
  // Both or neither of class and user.
  expect(code(await api.call(teacher.token, SHARE, { input: { kind: "COURSE", id: material.courseId, classId, userId: outsider.id } }))).toBe("BAD_USER_INPUT");
  expect(code(await api.call(teacher.token, SHARE, { input: { kind: "COURSE", id: material.courseId } }))).toBe("BAD_USER_INPUT");
  // A class one does not teach.
  const theirs = await api.must(teacher.token, "mutation { createClass(input: { name: \"Other\" }) { id } }");
  expect(code(await api.call(student.token, SHARE, { input: { kind: "COURSE", id: material.courseId, classId: theirs.createClass.id } }))).toBe("NOT_FOUND");
  expect(code(await api.call(teacher.token, SHARE, { input: { kind: "COURSE", id: material.courseId, userId: "0123456789abcdef01234567" } }))).toBe("NOT_FOUND");
  expect((await api.must(outsider.token, "query($id: ID!) { course(id: $id) { id } }", { id: material.courseId })).course).toBeNull();
});

test("leaving the class ends what it shared, at once", async () => {
  const material = await privateCourse(api, teacher.token, "Until you leave");
  await api.must(teacher.token, SHARE, { input: { kind: "COURSE", id: material.courseId, classId } });
  const read = "query($id: ID!) { course(id: $id) { id } }";
  expect((await api.must(student.token, read, { id: material.courseId })).course).toEqual({ id: material.courseId });
  await api.must(student.token, "mutation($id: ID!) { leaveClass(classId: $id) }", { id: classId });
  expect((await api.must(student.token, read, { id: material.courseId })).course).toBeNull();
  expect(ids(await api.must(student.token, CATALOG))).not.toContain(material.courseId);
});
