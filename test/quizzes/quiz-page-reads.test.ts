import { AddChapterDocument } from "../generated/graphql";
import { databaseCalls, databaseCommands } from "../helpers/database-calls";
import { createCourse, createQuiz, everyTypeAnswers, OPEN_QUIZ_RULES, ok, publish, startCourseWorld, submit, type CourseWorld } from "./support";

const QUIZ_PAGE = `query QuizPage($id: ID!) {
  quiz(id: $id) { id title questionCount createdAt owner { id name } stats { attempts averagePercent } questions { id type prompt options explanation } }
}`;

let world: CourseWorld;
beforeAll(async () => {
  world = await startCourseWorld({ ...OPEN_QUIZ_RULES, DB_COMMAND_MONITORING: "true" });
});
afterAll(() => world.server.stop());

/** An author's published course of one chapter with a quiz on it, and a learner. */
async function publishedQuiz(courseTitle: string, chapter: { title: string; content: string }) {
  const author = await world.user("INSTRUCTOR");
  const learner = await world.user();
  const course = await createCourse(world.gql, author.accessToken, { title: courseTitle });
  const input = { courseId: course.id, ...chapter, durationMinutes: 3 };
  const chapterId = ok(await world.gql(AddChapterDocument, { input }, { token: author.accessToken })).addChapter.id;
  await publish(world.gql, author.accessToken, course.id);
  return { author, learner, quiz: await createQuiz(world.gql, author.accessToken, { chapterId }) };
}

it("a quiz page reads the quiz with its statistics, then its course with its author: two commands", async () => {
  const { author, learner, quiz } = await publishedQuiz("Tides", { title: "The moon", content: "The moon pulls the oceans. ".repeat(20) });
  await submit(world.gql, learner.accessToken, quiz.id, everyTypeAnswers(quiz, [true, false, true, true]));

  const page = async () => {
    const response = await fetch(world.server.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${learner.accessToken}` },
      body: JSON.stringify({ query: QUIZ_PAGE, variables: { id: quiz.id } }),
    });
    return (await response.json()) as { data: { quiz: { owner: { id: string }; stats: { attempts: number }; questions: { explanation: string | null }[] } } };
  };
  await page(); // the session is known before counting
  let shown: Awaited<ReturnType<typeof page>> | undefined;
  expect(await databaseCommands(async () => (shown = await page()))).toEqual(["1.aggregate(quiz_stats,quizzes)", "1.aggregate(users,courses)"]);
  expect(shown!.data.quiz.owner.id).toBe(author.user.id);
  expect(shown!.data.quiz.stats.attempts).toBe(1);
  // A learner never sees the key, decided from the same course read.
  expect(shown!.data.quiz.questions.every((question) => question.explanation === null)).toBe(true);
});

it("an attempt reads its quiz and its course once, for its checks and for its answer", async () => {
  const { learner, quiz } = await publishedQuiz("Currents", { title: "The gulf stream", content: "Warm water flows north. ".repeat(20) });
  await submit(world.gql, learner.accessToken, quiz.id, everyTypeAnswers(quiz, [true, true, true, true])); // the session is known before counting

  let attempt: Awaited<ReturnType<typeof submit>> | undefined;
  const calls = await databaseCalls(async () => (attempt = await submit(world.gql, learner.accessToken, quiz.id, everyTypeAnswers(quiz, [true, false, true, false]))), ["quizzes", "courses"]);
  // Reads only: the new users' names reach the courses' owner names in the background meanwhile.
  const reads = calls.filter((call) => /\.(find|findOne|aggregate)$/.test(call));
  // The course answers whether the quiz may be read, is taken through a class, is the learner's to author, and the answer's keys.
  expect(reads).toEqual(["courses.find", "quizzes.findOne"]);
  expect(attempt!.answers.map((answer) => answer.correct)).toEqual([true, false, true, false]);
  // Keys and explanations revealed: the learner took it.
  expect(attempt!.answers.every((answer) => answer.explanation !== null)).toBe(true);
  expect(attempt!.quiz?.id).toBe(quiz.id);
  expect(attempt!.quiz?.questions.map((question) => question.id)).toEqual(quiz.questions.map((question) => question.id));
});
