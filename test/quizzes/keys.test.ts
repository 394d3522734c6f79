import { MyQuizAttemptsDocument, QuizDocument, QuizzesDocument, SubmitQuizAttemptDocument, UpdateQuizDocument } from "../generated/graphql";
import { recordResponses } from "../accounts/support";
import {
  createCourse,
  createQuiz,
  enroll,
  ok,
  publicCourseWithChapter,
  startCourseWorld,
  submit,
  type CourseWorld,
  type CreatedQuiz,
  type Session,
  OPEN_QUIZ_RULES,
} from "./support";

/** Only in the key: a learner's response containing it has leaked the key. */
const SECRET_ANSWER = "zanzibar-secret-answer";
const SECRET_EXPLANATION = "because-of-the-secret-explanation";

describe("answer keys", () => {
  let world: CourseWorld;
  let instructor: Session;
  let learner: Session;
  let courseId: string;
  let quiz: CreatedQuiz;

  beforeAll(async () => {
    world = await startCourseWorld({ BCRYPT_COST: "4", ...OPEN_QUIZ_RULES });
    const setup = await publicCourseWithChapter(world);
    instructor = setup.instructor;
    courseId = setup.course.id;
    learner = await world.user();
    await enroll(world.gql, learner.accessToken, courseId);
    quiz = await createQuiz(world.gql, instructor.accessToken, { chapterId: setup.chapter.id }, [
      { type: "SHORT_ANSWER", prompt: "What is the secret?", acceptedAnswers: [SECRET_ANSWER], explanation: SECRET_EXPLANATION },
      { type: "SINGLE_CHOICE", prompt: "Pick the second.", options: ["first", "second"], correctOptions: [1], explanation: SECRET_EXPLANATION },
    ]);
  });

  afterAll(() => world.server.stop());

  it("are shown to the quiz's author", () => {
    expect(quiz.canEdit).toBe(true);
    expect(quiz.questions.map((question) => question.acceptedAnswers)).toEqual([[SECRET_ANSWER], []]);
    expect(quiz.questions.map((question) => question.correctOptions)).toEqual([[], [1]]);
  });

  it("never reach a learner before they submit, on any field path", async () => {
    const recorder = recordResponses();
    try {
      const read = ok(await world.gql(QuizDocument, { id: quiz.id }, { token: learner.accessToken })).quiz!;
      expect(read.canEdit).toBe(false);
      for (const question of read.questions) {
        expect(question).toMatchObject({ correctOptions: null, acceptedAnswers: null, explanation: null, citation: null });
      }
      expect(read.questionStats).toBeNull();
      expect(read.generationReport).toBeNull();

      const listed = ok(await world.gql(QuizzesDocument, { courseId }, { token: learner.accessToken })).quizzes;
      expect(listed.items.map((item) => item.id)).toEqual([quiz.id]);
      expect(listed.items[0].questions.every((question) => question.correctOptions === null && question.acceptedAnswers === null)).toBe(true);

      const attempts = ok(await world.gql(MyQuizAttemptsDocument, {}, { token: learner.accessToken })).myQuizAttempts;
      expect(attempts.total).toBe(0);
      expect(recorder.bodies.some((body) => body.includes(SECRET_ANSWER) || body.includes(SECRET_EXPLANATION))).toBe(false);
    } finally {
      recorder.restore();
    }
  });

  it("stay hidden in the quiz after submitting, while the attempt explains each answer", async () => {
    const [short, single] = quiz.questions.map((question) => question.id);
    const attempt = await submit(world.gql, learner.accessToken, quiz.id, [
      { questionId: short, text: "no idea" },
      { questionId: single, selectedOptions: [0] },
    ]);
    expect(attempt.quiz!.questions.every((question) => question.correctOptions === null && question.acceptedAnswers === null && question.explanation === null)).toBe(true);
    expect(attempt.answers.map((answer) => [answer.correct, answer.explanation])).toEqual([
      [false, SECRET_EXPLANATION],
      [false, SECRET_EXPLANATION],
    ]);
    expect(attempt.answers[0].acceptedAnswers).toEqual([SECRET_ANSWER]);

    const history = ok(await world.gql(MyQuizAttemptsDocument, { quizId: quiz.id }, { token: learner.accessToken })).myQuizAttempts;
    expect(history.items[0].quiz!.questions.every((question) => question.acceptedAnswers === null && question.correctOptions === null)).toBe(true);
  });

  it("are shown to admins and to the course's owner, even for a learner's own quiz on the course", async () => {
    const learnersQuiz = await createQuiz(world.gql, learner.accessToken, { courseId }, [
      { type: "TRUE_FALSE", prompt: "Leaves are green.", options: ["True", "False"], correctOptions: [0] },
    ]);
    for (const token of [world.admin.accessToken, instructor.accessToken, learner.accessToken]) {
      const read = ok(await world.gql(QuizDocument, { id: learnersQuiz.id }, { token })).quiz!;
      expect(read.canEdit).toBe(true);
      expect(read.questions[0].correctOptions).toEqual([0]);
    }
    const other = await world.user();
    const read = ok(await world.gql(QuizDocument, { id: learnersQuiz.id }, { token: other.accessToken })).quiz!;
    expect(read.questions[0].correctOptions).toBeNull();
  });

  it("cannot be changed by a learner who is not an author", async () => {
    const response = await world.gql(UpdateQuizDocument, { id: quiz.id, input: { title: "Mine now" } }, { token: learner.accessToken });
    expect(response.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("are not reachable through a quiz on a private course", async () => {
    const owner = await world.user("INSTRUCTOR");
    const hidden = await createCourse(world.gql, owner.accessToken, { title: "Private" });
    const hiddenQuiz = await createQuiz(world.gql, owner.accessToken, { courseId: hidden.id }, [
      { type: "TRUE_FALSE", prompt: "Private?", options: ["True", "False"], correctOptions: [0] },
    ]);
    expect(ok(await world.gql(QuizDocument, { id: hiddenQuiz.id }, { token: learner.accessToken })).quiz).toBeNull();
    const submitted = await world.gql(SubmitQuizAttemptDocument, { quizId: hiddenQuiz.id, answers: [] }, { token: learner.accessToken });
    expect(submitted.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });
});
