import { AddChapterDocument } from "../generated/graphql";
import { databaseCalls } from "../helpers/database-calls";
import { createCourse, createQuiz, everyTypeAnswers, OPEN_QUIZ_RULES, ok, publish, startCourseWorld, submit, type CourseWorld } from "./support";

const QUIZ_PAGE = `query QuizPage($id: ID!) {
  quiz(id: $id) { id title questionCount createdAt owner { id name } stats { attempts averagePercent } questions { id type prompt options explanation } }
}`;

let world: CourseWorld;
afterAll(() => world.server.stop());

it("a quiz page reads the quiz, its course, its author and its statistics once each", async () => {
  world = await startCourseWorld({ ...OPEN_QUIZ_RULES });
  const author = await world.user("INSTRUCTOR");
  const learner = await world.user();
  const course = await createCourse(world.gql, author.accessToken, { title: "Tides" });
  const input = { courseId: course.id, title: "The moon", content: "The moon pulls the oceans. ".repeat(20), durationMinutes: 3 };
  const chapterId = ok(await world.gql(AddChapterDocument, { input }, { token: author.accessToken })).addChapter.id;
  await publish(world.gql, author.accessToken, course.id);
  const quiz = await createQuiz(world.gql, author.accessToken, { chapterId });
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
  expect(await databaseCalls(async () => (shown = await page()))).toEqual(["courses.find", "quiz_history.aggregate", "quizzes.findOne", "users.find"]);
  expect(shown!.data.quiz.owner.id).toBe(author.user.id);
  expect(shown!.data.quiz.stats.attempts).toBe(1);
  // A learner never sees the key, decided from the same course read.
  expect(shown!.data.quiz.questions.every((question) => question.explanation === null)).toBe(true);
});
