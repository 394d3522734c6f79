import { CreateQuizDocument, GenerateQuizDocument, LeaderboardDocument, QuizzesDocument } from "../generated/graphql";
import {
  EVERY_TYPE,
  createCourse,
  createQuiz,
  enroll,
  errorCode,
  everyTypeAnswers,
  ok,
  publicCourseWithChapter,
  startCourseWorld,
  submit,
  type CourseWorld,
  type Session,
} from "../quizzes/support";

let world: CourseWorld;

// The production rules, which NODE_ENV=test leaves off for the older leaderboard tests.
beforeAll(async () => {
  world = await startCourseWorld({ COURSE_QUIZ_AUTHORS: "editors", LEADERBOARD_FIRST_ATTEMPT_ONLY: "true", LEADERBOARD_AUTHORS_SCORE: "false", LEADERBOARD_MAX_POINTS_PER_QUIZ: "100" });
});
afterAll(() => world.server.stop());

const pointsOf = async (session: Session) =>
  ok(await world.gql(LeaderboardDocument, {}, { token: session.accessToken })).leaderboard.me?.points ?? 0;

describe("who may add quizzes to a course", () => {
  it("refuses a student who reads someone else's public course, by hand and generated; its owner and admins may", async () => {
    const { instructor, course, chapter } = await publicCourseWithChapter(world);
    const student = await world.user();
    await enroll(world.gql, student.accessToken, course.id);
    for (const source of [{ courseId: course.id }, { chapterId: chapter.id }]) {
      const byHand = await world.gql(CreateQuizDocument, { input: { title: "Spam", ...source, questions: EVERY_TYPE } }, { token: student.accessToken });
      expect(errorCode(byHand)).toBe("FORBIDDEN");
      const generated = await world.gql(GenerateQuizDocument, { input: { ...source, numQuestions: 2 } }, { token: student.accessToken });
      expect(errorCode(generated)).toBe("FORBIDDEN");
    }
    await createQuiz(world.gql, instructor.accessToken, { courseId: course.id }, EVERY_TYPE, "By the owner");
    await createQuiz(world.gql, world.admin.accessToken, { chapterId: chapter.id }, EVERY_TYPE, "By an admin");
    const listed = ok(await world.gql(QuizzesDocument, { courseId: course.id }, { token: student.accessToken })).quizzes;
    expect(listed.items.map((quiz) => quiz.title).sort()).toEqual(["By an admin", "By the owner"]);
  });

  it("still lets a student write quizzes on their own course", async () => {
    const student = await world.user();
    const own = await createCourse(world.gql, student.accessToken, { title: "Notes" });
    await expect(createQuiz(world.gql, student.accessToken, { courseId: own.id })).resolves.toMatchObject({ title: "Hand-made quiz" });
  });
});

describe("what earns leaderboard points", () => {
  it("a blank attempt, then a retake with the revealed keys: only the first attempt counts", async () => {
    const { instructor, course } = await publicCourseWithChapter(world);
    const quiz = await createQuiz(world.gql, instructor.accessToken, { courseId: course.id });
    const farmer = await world.user();
    const blank = await submit(world.gql, farmer.accessToken, quiz.id, []);
    expect(blank.points).toBe(0);
    // The keys are revealed after the first attempt...
    expect(blank.answers[0].correctOptions).toEqual([1]);
    const perfect = await submit(world.gql, farmer.accessToken, quiz.id, everyTypeAnswers(quiz, [true, true, true, true]));
    // ...so the retake is graded, but earns nothing on the board.
    expect(perfect).toMatchObject({ percent: 100, points: 40 });
    expect(await pointsOf(farmer)).toBe(0);

    const honest = await world.user();
    await submit(world.gql, honest.accessToken, quiz.id, everyTypeAnswers(quiz, [true, true, false, false]));
    expect(await pointsOf(honest)).toBe(20);
  });

  it("one's own quiz (or a quiz on one's own course) earns nothing", async () => {
    const student = await world.user();
    const own = await createCourse(world.gql, student.accessToken, { title: "Mine" });
    const quiz = await createQuiz(world.gql, student.accessToken, { courseId: own.id });
    const attempt = await submit(world.gql, student.accessToken, quiz.id, everyTypeAnswers(quiz, [true, true, true, true]));
    expect(attempt.points).toBe(40);
    expect(await pointsOf(student)).toBe(0);
  });

  it("caps what one quiz is worth, however many questions it has", async () => {
    const { instructor, course } = await publicCourseWithChapter(world);
    // Words shared by no two prompts, so the near-duplicate check keeps all 15.
    const word = (n: number) => Array.from({ length: 3 }, (_, k) => String.fromCharCode(97 + ((n * 7 + k * 11) % 26))).join("") + n;
    const questions = Array.from({ length: 15 }, (_, i) => ({
      type: "TRUE_FALSE" as const,
      prompt: [0, 1, 2, 3].map((k) => word(i * 4 + k)).join(" "),
      options: ["True", "False"],
      correctOptions: [0],
    }));
    const quiz = ok(await world.gql(CreateQuizDocument, { input: { title: "Long", courseId: course.id, questions } }, { token: instructor.accessToken })).createQuiz;
    const learner = await world.user();
    const attempt = await submit(world.gql, learner.accessToken, quiz.id, quiz.questions.map((question) => ({ questionId: question.id, selectedOptions: [0] })));
    expect(attempt.points).toBe(150);
    expect(await pointsOf(learner)).toBe(100);
  });
});
