import { AddChapterDocument, MeDocument } from "../generated/graphql";
import { databaseCommands } from "../helpers/database-calls";
import { createCourse, createQuiz, enroll, everyTypeAnswers, ok, publish, startCourseWorld, submit, type CourseWorld } from "./support";

/**
 * What a learner's writes send to the database, command by command (the in-process server's
 * driver, monitored): every command is a wait for the database, so a write sends what its checks
 * and its answer need once, and what depends only on the request goes together.
 */
let world: CourseWorld;
beforeAll(async () => {
  world = await startCourseWorld({ DB_COMMAND_MONITORING: "true" });
});
afterAll(() => world.server.stop());

const COMPLETE = `mutation Complete($chapterId: ID!) { completeChapter(chapterId: $chapterId) { id myProgress { completedChapters percent } } }`;
const UNCOMPLETE = `mutation Uncomplete($chapterId: ID!) { uncompleteChapter(chapterId: $chapterId) { id myProgress { completedChapters percent } } }`;

async function learnerWithQuiz(title: string) {
  const author = await world.user("INSTRUCTOR");
  const learner = await world.user();
  const course = await createCourse(world.gql, author.accessToken, { title });
  const input = { courseId: course.id, title: "The moon", content: "The moon pulls the oceans. ".repeat(20), durationMinutes: 3 };
  const chapterId = ok(await world.gql(AddChapterDocument, { input }, { token: author.accessToken })).addChapter.id;
  ok(await world.gql(AddChapterDocument, { input: { ...input, title: "The sun" } }, { token: author.accessToken }));
  await publish(world.gql, author.accessToken, course.id);
  await enroll(world.gql, learner.accessToken, course.id);
  const quiz = await createQuiz(world.gql, author.accessToken, { chapterId });
  return { learner, chapterId, quiz };
}

/** The request as its sender sees it, after one that brings the learner's session into the server's memory. */
async function commandsOf<T>(token: string, send: () => Promise<T>): Promise<{ commands: string[]; answer: T }> {
  ok(await world.gql(MeDocument, {}, { token }));
  let answer: T | undefined;
  const commands = await databaseCommands(async () => (answer = await send()));
  return { commands, answer: answer as T };
}

it("completing a chapter writes the progress and answers from what the write returned; a learner in no class has no assignment read", async () => {
  const { learner, chapterId } = await learnerWithQuiz("Tides");
  const token = learner.accessToken;
  const gql = (query: string) => fetch(world.server.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables: { chapterId } }) }).then((response) => response.json());

  const completed = await commandsOf(token, () => gql(COMPLETE));
  expect(completed.answer).toEqual({ data: { completeChapter: { id: expect.any(String), myProgress: { completedChapters: 1, percent: 50 } } } });
  expect(completed.commands).toEqual(["chapters.find", "courses.find", "progress.findAndModify", "learning_activity.insert"]);

  const uncompleted = await commandsOf(token, () => gql(UNCOMPLETE));
  expect(uncompleted.answer).toEqual({ data: { uncompleteChapter: { id: expect.any(String), myProgress: { completedChapters: 0, percent: 0 } } } });
  expect(uncompleted.commands).toEqual(["chapters.find", "courses.find", "progress.findAndModify"]);
});

it("an attempt files its mistakes after reading the learner's settings and their cards in one command, and marks a studying learner no more", async () => {
  const { learner, quiz } = await learnerWithQuiz("Currents");
  const token = learner.accessToken;
  await submit(world.gql, token, quiz.id, everyTypeAnswers(quiz, [true, false, true, false])); // the two cards made, the learner now studying

  const again = await commandsOf(token, () => submit(world.gql, token, quiz.id, everyTypeAnswers(quiz, [true, false, true, false])));
  expect(again.answer.answers.map((answer) => answer.correct)).toEqual([true, false, true, false]);
  expect(again.commands).toEqual([
    "1.aggregate(quiz_history,quizzes)",
    "courses.find",
    "1.bulkWrite",
    "1.aggregate(study_profiles,cards)",
    "1.aggregate(review_states,review_logs)",
    "1.bulkWrite",
    "leaderboard_scores.update",
    "learning_activity.insert",
  ]);
});
