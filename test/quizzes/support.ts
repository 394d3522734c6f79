import {
  AddChapterDocument,
  CreateQuizDocument,
  EnrollDocument,
  SubmitQuizAttemptDocument,
  type AnswerInput,
  type CreateQuizMutation,
  type QuestionInput,
  type SubmitQuizAttemptMutation,
} from "../generated/graphql";
import { createCourse, ok, publish, startCourseWorld, type CourseWorld, type Gql, type Session } from "../courses/support";

export { createCourse, errorCode, failedFields, ok, publish, startCourseWorld } from "../courses/support";
export type { CourseWorld, Gql, Session };

/** Material the offline provider can write cloze questions from, in three paragraph passages. */
export const CHAPTER_CONTENT = [
  "# Photosynthesis",
  "Photosynthesis converts light energy into chemical energy stored in glucose. Chlorophyll molecules inside the chloroplasts absorb mostly red and blue light, which is why leaves look green to us.",
  "The light-dependent reactions take place in the thylakoid membranes and split water molecules, releasing oxygen as a byproduct. The Calvin cycle then fixes carbon dioxide into sugars inside the stroma using ATP and NADPH.",
  "Stomata are tiny pores on the underside of leaves that let carbon dioxide enter and water vapour escape. Guard cells open and close the stomata depending on light, temperature and humidity.",
].join("\n\n");

export type CreatedQuiz = CreateQuizMutation["createQuiz"];
export type SubmittedAttempt = SubmitQuizAttemptMutation["submitQuizAttempt"];

/** A public course with one chapter of `CHAPTER_CONTENT`, owned by a new instructor. */
export async function publicCourseWithChapter(world: CourseWorld, title = "Biology") {
  const instructor = await world.user("INSTRUCTOR");
  const course = await createCourse(world.gql, instructor.accessToken, { title });
  const chapter = ok(
    await world.gql(AddChapterDocument, { input: { courseId: course.id, title: "Photosynthesis", content: CHAPTER_CONTENT, durationMinutes: 20 } }, { token: instructor.accessToken }),
  ).addChapter;
  await publish(world.gql, instructor.accessToken, course.id);
  return { instructor, course, chapter };
}

/** One question of each type; keys: 1, [0, 2], 0 (True), "chlorophyll". */
export const EVERY_TYPE: QuestionInput[] = [
  { type: "SINGLE_CHOICE", prompt: "Where does the Calvin cycle take place?", options: ["Thylakoid", "Stroma", "Nucleus", "Cell wall"], correctOptions: [1], explanation: "It fixes carbon in the stroma." },
  { type: "MULTIPLE_CHOICE", prompt: "Which colours does chlorophyll absorb most?", options: ["Red", "Green", "Blue", "Yellow"], correctOptions: [0, 2], explanation: "Red and blue; green is reflected." },
  { type: "TRUE_FALSE", prompt: "Oxygen is a byproduct of splitting water.", options: ["True", "False"], correctOptions: [0], explanation: "The light reactions release it." },
  { type: "SHORT_ANSWER", prompt: "Which pigment absorbs the light?", acceptedAnswers: ["Chlorophyll"], explanation: "Chlorophyll, in the chloroplasts." },
];

export async function createQuiz(gql: Gql, token: string, source: { chapterId?: string; courseId?: string }, questions = EVERY_TYPE, title = "Hand-made quiz"): Promise<CreatedQuiz> {
  return ok(await gql(CreateQuizDocument, { input: { title, ...source, questions } }, { token })).createQuiz;
}

export async function submit(gql: Gql, token: string, quizId: string, answers: AnswerInput[]): Promise<SubmittedAttempt> {
  return ok(await gql(SubmitQuizAttemptDocument, { quizId, answers }, { token })).submitQuizAttempt;
}

/** Answers to a quiz made of `EVERY_TYPE`, right where `right[i]` is true. */
export function everyTypeAnswers(quiz: Pick<CreatedQuiz, "questions">, right: boolean[]): AnswerInput[] {
  const [single, multiple, trueFalse, short] = quiz.questions.map((question) => question.id);
  return [
    { questionId: single, selectedOptions: right[0] ? [1] : [0] },
    { questionId: multiple, selectedOptions: right[1] ? [2, 0] : [0] },
    { questionId: trueFalse, selectedOptions: right[2] ? [0] : [1] },
    { questionId: short, text: right[3] ? "  chlorophyll!" : "carotene" },
  ];
}

export async function enroll(gql: Gql, token: string, courseId: string): Promise<void> {
  ok(await gql(EnrollDocument, { courseId }, { token }));
}

/**
 * Fakes only `Date` (timers stay real, and the clock keeps ticking from the set time), for the
 * server in this process too: attempts and completions are stored at the scripted times.
 * Tokens must outlive the scripted jumps: start the server with a long ACCESS_TOKEN_EXPIRE_MINUTES.
 */
export function fakeDate(start: string): { at(iso: string): void; restore(): void } {
  jest.useFakeTimers({
    now: new Date(start),
    advanceTimers: true,
    doNotFake: [
      "hrtime",
      "nextTick",
      "performance",
      "queueMicrotask",
      "requestAnimationFrame",
      "cancelAnimationFrame",
      "requestIdleCallback",
      "cancelIdleCallback",
      "setImmediate",
      "clearImmediate",
      "setInterval",
      "clearInterval",
      "setTimeout",
      "clearTimeout",
    ],
  });
  return { at: (iso) => jest.setSystemTime(new Date(iso)), restore: () => jest.useRealTimers() };
}

/**
 * A year: tokens issued at one scripted time stay valid at the later ones. Sessions too: the
 * engine's TTL monitor, on the faked clock, would otherwise remove their refresh tokens.
 */
export const LONG_TOKENS = { ACCESS_TOKEN_EXPIRE_MINUTES: "525600", REFRESH_TOKEN_EXPIRE_DAYS: "365" };

/**
 * The open rules an operator may choose: any reader adds quizzes to a course, every attempt and
 * authors score, no cap per quiz. The quiz, dashboard and leaderboard tests are about grading,
 * batching and ranking, and build their fixtures that way; the default (closed) rules are tested
 * in test/integrity/quizzes.test.ts.
 */
export const OPEN_QUIZ_RULES = {
  COURSE_QUIZ_AUTHORS: "readers",
  LEADERBOARD_FIRST_ATTEMPT_ONLY: "false",
  LEADERBOARD_AUTHORS_SCORE: "true",
  LEADERBOARD_MAX_POINTS_PER_QUIZ: "1000000",
};
