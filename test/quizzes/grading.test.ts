import { Types } from "mongoose";
import { CreateQuizDocument, MyQuizAttemptsDocument, QuizDocument, SubmitQuizAttemptDocument, UpdateQuizDocument } from "../generated/graphql";
import { gradeAnswer, scoreOf } from "../../src/modules/quizzes/grading";
import { isNearDuplicate, questionProblems, type CandidateQuestion } from "../../src/modules/quizzes/question-checks";
import { QuestionType } from "../../src/modules/quizzes/quiz.model";
import {
  createQuiz,
  enroll,
  errorCode,
  everyTypeAnswers,
  failedFields,
  ok,
  publicCourseWithChapter,
  startCourseWorld,
  submit,
  type CourseWorld,
  type CreatedQuiz,
  type Session,
} from "./support";

describe("grading rules", () => {
  const question = (type: QuestionType, correct: number[], accepted: string[] = []) => ({ type, correct_options: correct, accepted_answers: accepted });

  it("single choice and true/false: exactly the key", () => {
    expect(gradeAnswer(question(QuestionType.SINGLE_CHOICE, [2]), { selectedOptions: [2] })).toBe(true);
    expect(gradeAnswer(question(QuestionType.SINGLE_CHOICE, [2]), { selectedOptions: [2, 1] })).toBe(false);
    expect(gradeAnswer(question(QuestionType.TRUE_FALSE, [1]), { selectedOptions: [1] })).toBe(true);
    expect(gradeAnswer(question(QuestionType.TRUE_FALSE, [1]), { selectedOptions: [] })).toBe(false);
    expect(gradeAnswer(question(QuestionType.TRUE_FALSE, [1]), undefined)).toBe(false);
  });

  it("multiple choice: every key and nothing else, in any order, repeats ignored", () => {
    const multiple = question(QuestionType.MULTIPLE_CHOICE, [0, 3]);
    expect(gradeAnswer(multiple, { selectedOptions: [3, 0] })).toBe(true);
    expect(gradeAnswer(multiple, { selectedOptions: [3, 0, 0] })).toBe(true);
    expect(gradeAnswer(multiple, { selectedOptions: [0] })).toBe(false);
    expect(gradeAnswer(multiple, { selectedOptions: [0, 1, 3] })).toBe(false);
  });

  it("short answer: an accepted answer after normalizing case, spacing and punctuation", () => {
    const short = question(QuestionType.SHORT_ANSWER, [], ["Calvin cycle", "light-independent reactions"]);
    expect(gradeAnswer(short, { text: "  the calvin cycle" })).toBe(false);
    expect(gradeAnswer(short, { text: "CALVIN   cycle!" })).toBe(true);
    expect(gradeAnswer(short, { text: "light independent reactions" })).toBe(true);
    expect(gradeAnswer(short, { text: "" })).toBe(false);
  });

  it("scores: correct count, percent to one decimal, 10 points per correct answer", () => {
    expect(scoreOf([true, false, false])).toEqual({ score: 1, percent: 33.3, points: 10 });
    expect(scoreOf([true, true])).toEqual({ score: 2, percent: 100, points: 20 });
  });
});

describe("question checks", () => {
  const base: CandidateQuestion = { type: QuestionType.SINGLE_CHOICE, prompt: "Q?", options: ["a", "b", "c"], correct: [0], acceptedAnswers: [], explanation: "why", passage: 1 };
  const problems = (changes: Partial<CandidateQuestion>) => questionProblems({ ...base, ...changes }, { passageCount: 2, requireExplanation: true });

  it("accept a sound question and name each problem of a broken one", () => {
    expect(problems({})).toEqual([]);
    expect(problems({ options: ["Paris", "paris!", "Rome"] })).toEqual(["options repeat"]);
    expect(problems({ correct: [3] })).toEqual(["a key is out of range"]);
    expect(problems({ correct: [] })).toEqual(["exactly one key is needed"]);
    expect(problems({ type: QuestionType.MULTIPLE_CHOICE, correct: [0, 1, 2] })).toEqual(["a multiple-choice question has at least one right and one wrong option"]);
    expect(problems({ type: QuestionType.TRUE_FALSE, options: ["Yes", "No"] })).toEqual(['a true/false question has the options "True" and "False"']);
    expect(problems({ type: QuestionType.SHORT_ANSWER, options: [], correct: [], acceptedAnswers: [" "] })).toEqual(["no accepted answer"]);
    expect(problems({ explanation: "" })).toEqual(["no explanation"]);
    expect(problems({ passage: 3 })).toEqual(["the citation must name a passage from 1 to 2"]);
  });

  it("see reworded repeats of a question", () => {
    expect(isNearDuplicate("What is the capital of France?", "what is the capital of france")).toBe(true);
    expect(isNearDuplicate("Which organelle makes ATP in animal cells?", "Which organelle makes ATP in plant cells?")).toBe(false);
  });
});

describe("submitQuizAttempt", () => {
  let world: CourseWorld;
  let learner: Session;
  let courseId: string;
  let instructor: Session;
  let quiz: CreatedQuiz;

  beforeAll(async () => {
    world = await startCourseWorld();
    const setup = await publicCourseWithChapter(world);
    courseId = setup.course.id;
    instructor = setup.instructor;
    learner = await world.user();
    await enroll(world.gql, learner.accessToken, courseId);
    quiz = await createQuiz(world.gql, instructor.accessToken, { courseId });
  });

  afterAll(() => world.server.stop());

  it("grades every type on the server", async () => {
    const allRight = await submit(world.gql, learner.accessToken, quiz.id, everyTypeAnswers(quiz, [true, true, true, true]));
    expect(allRight).toMatchObject({ score: 4, questionCount: 4, percent: 100, points: 40 });
    expect(allRight.answers.map((answer) => answer.correct)).toEqual([true, true, true, true]);

    const mixed = await submit(world.gql, learner.accessToken, quiz.id, everyTypeAnswers(quiz, [false, true, false, true]));
    expect(mixed).toMatchObject({ score: 2, percent: 50, points: 20 });
    expect(mixed.answers.map((answer) => answer.correct)).toEqual([false, true, false, true]);
    expect(mixed.answers[0]).toMatchObject({ selectedOptions: [0], correctOptions: [1], explanation: "It fixes carbon in the stroma." });
    expect(mixed.answers[3]).toMatchObject({ text: "  chlorophyll!", acceptedAnswers: ["Chlorophyll"], correctOptions: null });
  });

  it("counts questions left out as wrong", async () => {
    const attempt = await submit(world.gql, learner.accessToken, quiz.id, everyTypeAnswers(quiz, [true, true, true, true]).slice(0, 1));
    expect(attempt).toMatchObject({ score: 1, percent: 25, points: 10 });
    expect(attempt.answers.map((answer) => answer.correct)).toEqual([true, false, false, false]);
  });

  it("keeps every attempt in the history, newest first", async () => {
    const history = ok(await world.gql(MyQuizAttemptsDocument, { quizId: quiz.id, limit: 2 }, { token: learner.accessToken })).myQuizAttempts;
    expect(history.total).toBe(3);
    expect(history.hasMore).toBe(true);
    expect(history.items.map((attempt) => attempt.percent)).toEqual([25, 50]);
    const others = ok(await world.gql(MyQuizAttemptsDocument, {}, { token: instructor.accessToken })).myQuizAttempts;
    expect(others.total).toBe(0);
  });

  it("rejects answers that do not fit the quiz, naming them", async () => {
    const [single] = quiz.questions.map((question) => question.id);
    const cases = [
      { answers: [{ questionId: new Types.ObjectId().toHexString(), selectedOptions: [0] }], field: "answers.0.questionId" },
      { answers: [{ questionId: single, selectedOptions: [0] }, { questionId: single, selectedOptions: [1] }], field: "answers.1.questionId" },
      { answers: [{ questionId: single, selectedOptions: [4] }], field: "answers.0.selectedOptions" },
    ];
    for (const { answers, field } of cases) {
      const response = await world.gql(SubmitQuizAttemptDocument, { quizId: quiz.id, answers }, { token: learner.accessToken });
      expect(errorCode(response)).toBe("BAD_USER_INPUT");
      expect(failedFields(response)).toEqual([field]);
    }
  });

  it("refuses hand-made questions that would be broken", async () => {
    const response = await world.gql(
      CreateQuizDocument,
      {
        input: {
          title: "Broken",
          courseId,
          questions: [
            { type: "SINGLE_CHOICE", prompt: "Capital of France?", options: ["Paris", " paris"], correctOptions: [0] },
            { type: "MULTIPLE_CHOICE", prompt: "Pick two", options: ["a", "b", "c"], correctOptions: [5] },
            { type: "SINGLE_CHOICE", prompt: "Capital of France ?", options: ["Paris", "Rome"], correctOptions: [0] },
          ],
        },
      },
      { token: instructor.accessToken },
    );
    expect(errorCode(response)).toBe("BAD_USER_INPUT");
    expect(failedFields(response)).toEqual(["input.questions.0", "input.questions.1", "input.questions.2.prompt"]);
  });

  it("lets an author rewrite a quiz: new questions are checked, graded from then on, and start fresh statistics", async () => {
    const own = await createQuiz(world.gql, instructor.accessToken, { courseId });
    await submit(world.gql, learner.accessToken, own.id, everyTypeAnswers(own, [true, true, true, true]));
    const broken = await world.gql(UpdateQuizDocument, { id: own.id, input: { questions: [{ type: "TRUE_FALSE", prompt: "Yes?", options: ["Yes", "No"], correctOptions: [0] }] } }, { token: instructor.accessToken });
    expect(failedFields(broken)).toEqual(["input.questions.0"]);

    const updated = ok(
      await world.gql(
        UpdateQuizDocument,
        { id: own.id, input: { title: "Rewritten", questions: [{ type: "TRUE_FALSE", prompt: "Leaves are green.", options: ["True", "False"], correctOptions: [0] }] } },
        { token: instructor.accessToken },
      ),
    ).updateQuiz;
    expect(updated).toMatchObject({ title: "Rewritten", questionCount: 1 });
    const attempt = await submit(world.gql, learner.accessToken, own.id, [{ questionId: updated.questions[0].id, selectedOptions: [0] }]);
    expect(attempt).toMatchObject({ score: 1, questionCount: 1, percent: 100, points: 10 });
    const read = ok(await world.gql(QuizDocument, { id: own.id }, { token: instructor.accessToken })).quiz!;
    expect(read.questionStats!.map((item) => [item.answered, item.correctShare])).toEqual([[1, 1]]);
  });
});
