import { GenerateQuizDocument, QuizDocument } from "../generated/graphql";
import { CHAPTER_CONTENT, errorCode, failedFields, ok, publicCourseWithChapter, startCourseWorld, type CourseWorld, type Session, OPEN_QUIZ_RULES } from "./support";

describe("generateQuiz with the offline provider", () => {
  let world: CourseWorld;
  let learner: Session;
  let setup: Awaited<ReturnType<typeof publicCourseWithChapter>>;

  beforeAll(async () => {
    world = await startCourseWorld(OPEN_QUIZ_RULES);
    setup = await publicCourseWithChapter(world);
    learner = await world.user();
  });

  afterAll(() => world.server.stop());

  it("writes checked questions from a chapter, each citing a real passage of it", async () => {
    const quiz = ok(await world.gql(GenerateQuizDocument, { input: { chapterId: setup.chapter.id, numQuestions: 3 } }, { token: learner.accessToken })).generateQuiz;
    expect(quiz).toMatchObject({ sourceType: "CHAPTER", sourceId: setup.chapter.id, courseId: setup.course.id, chapterId: setup.chapter.id, title: "Quiz: Photosynthesis" });
    expect(quiz.questions.length).toBeGreaterThan(0);
    expect(quiz.questions.length).toBeLessThanOrEqual(3);
    const flat = CHAPTER_CONTENT.replace(/\s+/g, " ");
    for (const question of quiz.questions) {
      expect(question.type).toBe("SINGLE_CHOICE");
      expect(question.correctOptions).toHaveLength(1);
      expect(question.citation).toMatchObject({ sourceType: "CHAPTER", sourceId: setup.chapter.id });
      expect(flat).toContain(question.citation!.excerpt.replace(/…$/, ""));
    }
    expect(quiz.generationReport).toMatchObject({ requested: 3, provider: "offline" });
  });

  it("writes a quiz from a whole course, readable by its learners without keys", async () => {
    const quiz = ok(await world.gql(GenerateQuizDocument, { input: { courseId: setup.course.id, numQuestions: 2, difficulty: "HARD", title: "Course check" } }, { token: setup.instructor.accessToken })).generateQuiz;
    expect(quiz).toMatchObject({ title: "Course check", sourceType: "COURSE", courseId: setup.course.id, chapterId: null });
    const read = ok(await world.gql(QuizDocument, { id: quiz.id }, { token: learner.accessToken })).quiz!;
    expect(read.questions.map((question) => question.prompt)).toEqual(quiz.questions.map((question) => question.prompt));
    expect(read.questions.every((question) => question.correctOptions === null && question.citation === null)).toBe(true);
  });

  it("says plainly that it cannot write other question types", async () => {
    const response = await world.gql(GenerateQuizDocument, { input: { chapterId: setup.chapter.id, numQuestions: 2, types: ["SHORT_ANSWER"] } }, { token: learner.accessToken });
    expect(errorCode(response)).toBe("BAD_USER_INPUT");
    expect(failedFields(response)).toEqual(["input.types"]);
  });
});
