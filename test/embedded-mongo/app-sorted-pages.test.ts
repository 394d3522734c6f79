import type { Document } from "mongodb";
import mongoose from "mongoose";
import { AddChapterDocument } from "../generated/graphql";
import { whileSending } from "../helpers/database-calls";
import { createCourse, createQuiz, everyTypeAnswers, OPEN_QUIZ_RULES, ok, publish, startCourseWorld, submit, type CourseWorld } from "../quizzes/support";

/**
 * The app's pages that sort (catalog, chat history, quiz attempts, recent activity) on the
 * embedded engine, with many more documents stored than a page shows: every sorted read they
 * send is explained, and must examine at most twice the documents it returns.
 */
let world: CourseWorld;
afterAll(() => world?.server.stop());

const SORTED_COLLECTIONS = ["courses", "chat_messages", "chat_sessions", "quiz_history", "learning_activity"];

async function post(token: string | undefined, query: string, variables: Document = {}): Promise<Document> {
  const response = await fetch(world.server.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Document;
  expect(body.errors).toBeUndefined();
  return body.data;
}

/**
 * The sorted finds the app sent while `work` ran, as the driver sent them; and the sorted reads of
 * `readTogether` commands (a db-level aggregate of uncorrelated `$lookup`s, the dashboard's), as
 * the finds the engine reads their leading `$match`/`$sort`/`$limit` as (through the planner, as a
 * find: src/embedded-mongo/commands/uncorrelated-lookups.ts).
 */
async function sortedFinds(work: () => Promise<unknown>): Promise<Document[]> {
  const seen: Document[] = [];
  await whileSending(work, (event) => {
    const command = event.command;
    // The driver sends mongoose's sort as a Map.
    const sort = command.sort instanceof Map ? Object.fromEntries(command.sort) : command.sort;
    if (event.commandName === "find" && SORTED_COLLECTIONS.includes(command.find) && sort && Object.keys(sort).length > 0) seen.push({ ...command, sort });
    if (event.commandName === "aggregate" && command.aggregate === 1) seen.push(...sortedLookups(command.pipeline as Document[]));
  });
  return seen;
}

/** The sorted reads among a pipeline's uncorrelated `$lookup`s, as finds. */
function sortedLookups(pipeline: Document[]): Document[] {
  return pipeline.flatMap((stage) => {
    const lookup = stage.$lookup as Document | undefined;
    if (!lookup || !SORTED_COLLECTIONS.includes(lookup.from) || !Array.isArray(lookup.pipeline)) return [];
    const part = (name: string) => (lookup.pipeline as Document[]).find((step) => name in step)?.[name];
    const sort = part("$sort");
    if (!sort || Object.keys(sort).length === 0) return [];
    return [{ find: lookup.from, filter: part("$match") ?? {}, sort, ...(part("$limit") ? { limit: part("$limit") } : {}), ...(part("$project") ? { projection: part("$project") } : {}) }];
  });
}

/** explain of a command as sent: the driver's session and cluster fields dropped. */
async function examined(command: Document): Promise<{ returned: number; docs: number; collection: string }> {
  const { lsid: _lsid, $clusterTime: _time, $db: _db, txnNumber: _txn, ...plain } = command;
  const explain = await mongoose.connection.db!.command({ explain: plain, verbosity: "executionStats" });
  return { returned: explain.executionStats.nReturned, docs: explain.executionStats.totalDocsExamined, collection: command.find };
}

/** Copies of a stored document under new ids (and the given changes), newest last, as the app would have written them. */
async function copies(collection: string, template: Document, count: number, change: (i: number) => Document): Promise<void> {
  const { _id, ...rest } = template;
  const docs = Array.from({ length: count }, (_, i) => ({ ...rest, _id: new mongoose.Types.ObjectId(), ...change(i) }));
  await mongoose.connection.db!.collection(collection).insertMany(docs);
}

it("catalog, chat history, quiz attempts and activity examine at most twice what they return", async () => {
  world = await startCourseWorld({ ...OPEN_QUIZ_RULES, DB_COMMAND_MONITORING: "true" });
  const author = await world.user("INSTRUCTOR");
  const learner = await world.user();
  const other = await world.user();
  const course = await createCourse(world.gql, author.accessToken, { title: "Tides" });
  const input = { courseId: course.id, title: "The moon", content: "The moon pulls the oceans. ".repeat(20), durationMinutes: 3 };
  const chapterId = ok(await world.gql(AddChapterDocument, { input }, { token: author.accessToken })).addChapter.id;
  await publish(world.gql, author.accessToken, course.id);
  const quiz = await createQuiz(world.gql, author.accessToken, { chapterId });
  await submit(world.gql, learner.accessToken, quiz.id, everyTypeAnswers(quiz, [true, false, true, true]));
  const session = (await post(learner.accessToken, `mutation { createChatSession(input: { mode: HYBRID, title: "Moon" }) { id } }`)).createChatSession;
  await post(learner.accessToken, `mutation($id: ID!) { sendChatMessage(sessionId: $id, content: "Why tides?") { userMessage { id } } }`, { id: session.id });

  // Many more documents than a page shows, most of them belonging to someone else.
  const db = mongoose.connection.db!;
  const start = Date.now() - 86_400_000;
  const at = (i: number) => new Date(start + i * 1000);
  const courseDoc = (await db.collection("courses").findOne({}))!;
  const learnerId = new mongoose.Types.ObjectId(learner.user.id);
  const otherId = new mongoose.Types.ObjectId(other.user.id);
  await copies("courses", courseDoc, 600, (i) => ({ title: `Course ${i}`, created_at: at(i), updated_at: at(i), is_public: i % 3 !== 0, owner_id: i % 3 === 0 ? otherId : courseDoc.owner_id }));
  const attempt = (await db.collection("quiz_history").findOne({}))!;
  await copies("quiz_history", attempt, 400, (i) => ({ user_id: i % 4 === 0 ? learnerId : otherId, created_at: at(i) }));
  const activity = (await db.collection("learning_activity").findOne({}))!;
  await copies("learning_activity", activity, 400, (i) => ({ user_id: i % 4 === 0 ? learnerId : otherId, at: at(i) }));
  const message = (await db.collection("chat_messages").findOne({}))!;
  const otherSession = new mongoose.Types.ObjectId();
  await copies("chat_messages", message, 400, (i) => ({ session_id: i % 4 === 0 ? message.session_id : otherSession, created_at: at(i) }));
  const sessionDoc = (await db.collection("chat_sessions").findOne({}))!;
  await copies("chat_sessions", sessionDoc, 200, (i) => ({ owner_id: i % 4 === 0 ? learnerId : otherId, updated_at: at(i) }));

  const pages: Array<[string, string | undefined, string, Document?]> = [
    ["public catalog", undefined, `{ courses(limit: 20) { items { id title } total } }`],
    ["signed-in catalog", learner.accessToken, `{ courses(limit: 20) { items { id } } }`],
    ["catalog of public courses", learner.accessToken, `{ courses(limit: 20, filter: { owner: PUBLIC }) { items { id } } }`],
    ["admin catalog", world.admin.accessToken, `{ courses(limit: 20) { items { id } } }`],
    ["own courses", author.accessToken, `{ courses(limit: 10, filter: { owner: MINE }) { items { id } } }`],
    ["chat history", learner.accessToken, `query($id: ID!) { chatSession(id: $id) { messages(limit: 20) { items { id content } total } } }`, { id: session.id }],
    ["chat sessions", learner.accessToken, `{ chatSessions(limit: 20) { items { id } } }`],
    ["quiz attempts", learner.accessToken, `{ myQuizAttempts(limit: 20) { items { id percent } total } }`],
    ["attempts at one quiz", learner.accessToken, `query($quiz: ID!) { myQuizAttempts(limit: 5, quizId: $quiz) { items { id } } }`, { quiz: quiz.id }],
    ["recent activity", learner.accessToken, `{ dashboard { recentActivity { kind } } }`],
  ];
  const checked: string[] = [];
  for (const [name, token, query, variables] of pages) {
    let data: Document | undefined;
    const finds = await sortedFinds(async () => (data = await post(token, query, variables)));
    expect({ name, sortedReads: finds.length > 0 }).toEqual({ name, sortedReads: true });
    expect(JSON.stringify(data)).toMatch(/"id"|"kind"/);
    for (const find of finds) {
      const { returned, docs, collection } = await examined(find);
      expect({ name, collection, sort: find.sort, returned, withinTwice: docs <= 2 * Math.max(returned, 1) }).toEqual({ name, collection, sort: find.sort, returned, withinTwice: true });
      checked.push(`${name}: ${collection} returned ${returned}, examined ${docs}`);
    }
  }
  expect(checked.length).toBeGreaterThanOrEqual(pages.length);
});
