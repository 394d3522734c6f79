import { GenerateQuizDocument, QuizzesDocument, type GenerateQuizMutation } from "../generated/graphql";
import { startFakeGemini, type FakeGemini } from "../helpers/fake-gemini";
import { normalizeOption } from "../../src/infra/ai/schemas";
import { CHAPTER_CONTENT, createQuiz, errorCode, ok, publicCourseWithChapter, startCourseWorld, submit, type CourseWorld, type Session, OPEN_QUIZ_RULES } from "./support";

const good = {
  type: "SINGLE_CHOICE",
  prompt: "Where does the Calvin cycle take place?",
  options: ["Thylakoid", "Stroma", "Nucleus", "Cell wall"],
  correct: [1],
  explanation: "The Calvin cycle fixes carbon dioxide inside the stroma.",
  passage: 2,
};
const trueFalse = {
  type: "TRUE_FALSE",
  prompt: "Oxygen is released when water molecules are split.",
  options: ["true", "FALSE"],
  correct: [0],
  explanation: "The light-dependent reactions release oxygen as a byproduct.",
  passage: 2,
};
const multiple = {
  type: "MULTIPLE_CHOICE",
  prompt: "Which light does chlorophyll absorb most?",
  options: ["Red", "Green", "Blue", "Infrared"],
  correct: [0, 2],
  explanation: "Chlorophyll absorbs mostly red and blue light.",
  passage: 1,
};
const duplicateOptions = { ...good, prompt: "What do guard cells open and close?", options: ["Stomata", " stomata.", "Roots", "Petals"], correct: [0], passage: 3 };
const keyOutOfRange = { ...good, prompt: "What do chloroplasts contain?", options: ["Chlorophyll", "Keratin", "Chitin", "Lignin"], correct: [7], passage: 1 };
const repeated = { ...good, prompt: "Where does the Calvin cycle take place ?", options: ["Stroma", "Mitochondria", "Ribosome", "Vacuole"], correct: [0] };
const badCitation = { ...good, prompt: "What escapes through the stomata?", options: ["Water vapour", "Glucose", "Chlorophyll", "Starch"], correct: [0], passage: 9 };
const noExplanation = { ...good, prompt: "What does the Calvin cycle use?", options: ["ATP and NADPH", "Only light", "Oxygen", "Salt"], correct: [0], explanation: " " };
const twoKeysForSingle = { ...good, prompt: "What is stored in glucose?", options: ["Chemical energy", "Heat", "Sound", "Light"], correct: [0, 1], passage: 1 };

type GeneratedQuiz = GenerateQuizMutation["generateQuiz"];

describe("generateQuiz with a model that writes broken questions", () => {
  let fake: FakeGemini;
  let world: CourseWorld;
  let learner: Session;
  let chapterId: string;

  beforeAll(async () => {
    fake = await startFakeGemini();
    world = await startCourseWorld({ ...fake.env(), ...OPEN_QUIZ_RULES });
    const setup = await publicCourseWithChapter(world);
    chapterId = setup.chapter.id;
    learner = await world.user();
  });

  beforeEach(() => fake.reset());

  afterAll(async () => {
    await world.server.stop();
    await fake.stop();
  });

  const quizRequests = () => fake.requests.filter((request) => request.task === "generateContent");

  it("keeps the good questions, regenerates bad ones a bounded number of times, drops the rest and reports them", async () => {
    fake.enqueue(
      "generateContent",
      { json: { questions: [good, duplicateOptions, keyOutOfRange, repeated, badCitation, noExplanation, trueFalse] } },
      { json: { questions: [multiple, twoKeysForSingle] } },
      { json: { questions: [{ ...trueFalse, prompt: "Oxygen is released when water molecules are split!" }] } },
    );
    const response = await world.gql(
      GenerateQuizDocument,
      { input: { chapterId, numQuestions: 4, types: ["SINGLE_CHOICE", "MULTIPLE_CHOICE", "TRUE_FALSE"] } },
      { token: learner.accessToken },
    );
    const quiz = ok(response).generateQuiz;

    expect(quiz.questions.map((question) => question.prompt)).toEqual([good.prompt, trueFalse.prompt, multiple.prompt]);
    expect(quiz.questions.map((question) => question.type)).toEqual(["SINGLE_CHOICE", "TRUE_FALSE", "MULTIPLE_CHOICE"]);
    expect(quiz.questions[1].options).toEqual(["True", "False"]);
    expect(quizRequests()).toHaveLength(3);
    // Replacement requests name the questions already kept, so the model does not repeat them.
    expect(JSON.stringify(quizRequests()[1].body)).toContain(good.prompt);

    const report = quiz.generationReport!;
    expect(report).toMatchObject({ requested: 4, regenerated: 1, provider: "gemini" });
    const problemsOf = (prompt: string) => report.rejected.find((item) => item.prompt === prompt)?.problems.join("; ");
    expect(problemsOf(duplicateOptions.prompt)).toMatch(/options repeat/);
    expect(problemsOf(keyOutOfRange.prompt)).toMatch(/key is out of range/);
    expect(problemsOf(repeated.prompt)).toMatch(/repeats another question/);
    expect(problemsOf(badCitation.prompt)).toMatch(/citation/);
    expect(problemsOf(noExplanation.prompt)).toMatch(/explanation/);
    expect(problemsOf(twoKeysForSingle.prompt)).toMatch(/exactly one key/);
    expect(report.rejected).toHaveLength(7);
    expectWellFormed(quiz);
  });

  it("stores nothing when no question passes, and says the AI is unavailable", async () => {
    const before = ok(await world.gql(QuizzesDocument, { mine: true }, { token: learner.accessToken })).quizzes.total;
    fake.enqueue(
      "generateContent",
      { json: { questions: [duplicateOptions] } },
      { json: { questions: [keyOutOfRange] } },
      { json: { questions: [badCitation] } },
    );
    const response = await world.gql(GenerateQuizDocument, { input: { chapterId, numQuestions: 2 } }, { token: learner.accessToken });
    expect(errorCode(response)).toBe("AI_UNAVAILABLE");
    expect(quizRequests()).toHaveLength(3);
    expect(ok(await world.gql(QuizzesDocument, { mine: true }, { token: learner.accessToken })).quizzes.total).toBe(before);
  });

  it("rejects a number of questions outside 1..20 and a missing or double source", async () => {
    for (const input of [
      { chapterId, numQuestions: 0 },
      { chapterId, numQuestions: 21 },
      { numQuestions: 3 },
      { chapterId, courseId: chapterId, numQuestions: 3 },
    ]) {
      const response = await world.gql(GenerateQuizDocument, { input }, { token: learner.accessToken });
      expect(errorCode(response)).toBe("BAD_USER_INPUT");
    }
    expect(quizRequests()).toHaveLength(0);
  });
});

describe("short answers graded by the model", () => {
  let fake: FakeGemini;
  let world: CourseWorld;

  beforeAll(async () => {
    fake = await startFakeGemini();
    world = await startCourseWorld({ ...fake.env(), ...OPEN_QUIZ_RULES });
  });

  afterAll(async () => {
    await world.server.stop();
    await fake.stop();
  });

  it("accepts an answer the model judges equivalent, and falls back to matching when the model fails", async () => {
    const { instructor, course } = await publicCourseWithChapter(world);
    const learner = await world.user();
    const quiz = await createQuiz(world.gql, instructor.accessToken, { courseId: course.id }, [
      { type: "SHORT_ANSWER", prompt: "Where are sugars made?", acceptedAnswers: ["In the stroma"] },
    ]);
    const questionId = quiz.questions[0].id;
    fake.reset();

    const exact = await submit(world.gql, learner.accessToken, quiz.id, [{ questionId, text: "in the STROMA." }]);
    expect(exact.score).toBe(1);
    expect(fake.requests).toHaveLength(0);

    fake.enqueue("generateContent", { json: { correct: true, score: 0.9, feedback: "Same place, said differently." } });
    const paraphrase = await submit(world.gql, learner.accessToken, quiz.id, [{ questionId, text: "the fluid around the thylakoids" }]);
    expect(paraphrase.score).toBe(1);
    expect(JSON.stringify(fake.requests[0].body)).toContain("In the stroma");

    fake.setDefault("generateContent", { error: 500 });
    const unavailable = await submit(world.gql, learner.accessToken, quiz.id, [{ questionId, text: "the fluid around the thylakoids" }]);
    expect(unavailable.score).toBe(0);
  });
});

/** Whatever was generated, stored questions satisfy every check. */
function expectWellFormed(quiz: GeneratedQuiz) {
  const prompts = new Set<string>();
  for (const question of quiz.questions) {
    const options = question.options.map(normalizeOption);
    expect(new Set(options).size).toBe(options.length);
    for (const key of question.correctOptions!) expect(key).toBeLessThan(options.length);
    expect(question.explanation!.trim()).not.toBe("");
    expect(CHAPTER_CONTENT.replace(/\s+/g, " ")).toContain(question.citation!.excerpt.replace(/…$/, ""));
    expect(question.citation!.sourceTitle).toBe("Photosynthesis");
    expect(prompts.has(normalizeOption(question.prompt))).toBe(false);
    prompts.add(normalizeOption(question.prompt));
  }
}
