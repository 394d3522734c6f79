import { setTimeout as sleep } from "node:timers/promises";
import { GenerateQuizDocument } from "../generated/graphql";
import { createCourse, ok, startCourseWorld, type CourseWorld, type Session } from "../courses/support";
import { bearer, post } from "../hardening/support";
import { Types } from "mongoose";
import { chapterPassages, MAX_MATERIAL_CHARS, spreadPassages } from "../../src/modules/quizzes/quiz-material";
import type { Chapter } from "../../src/modules/chapters/chapter.model";

const CHAPTERS = 4;
/** The content limit, written as one paragraph (no blank line): the shape that made one huge passage. */
const CHAPTER_CHARS = 200_000;
/** /health is a few milliseconds; the report saw it time out. Generous against a busy test machine. */
const HEALTH_MS = 2_000;

const TOPICS = ["photosynthesis", "chlorophyll", "stomata", "glucose", "membrane", "mitochondria", "enzyme", "nucleus", "ribosome", "chromosome"];

/** Varied sentences, so the offline provider finds key terms and candidates all through the text. */
function longParagraph(seed: number): string {
  const sentences: string[] = [];
  let length = 0;
  for (let i = 0; length < CHAPTER_CHARS - 200; i++) {
    const a = TOPICS[(i + seed) % TOPICS.length];
    const b = TOPICS[(i * 3 + seed + 1) % TOPICS.length];
    const sentence = `The ${a} works closely with the ${b} in experiment number ${i} of series ${seed}.`;
    sentences.push(sentence);
    length += sentence.length + 1;
  }
  return sentences.join(" ");
}

let world: CourseWorld;
let alice: Session;
let courseId: string;

beforeAll(async () => {
  world = await startCourseWorld();
  alice = await world.user("INSTRUCTOR");
  courseId = (await createCourse(world.gql, alice.accessToken)).id;
  for (let i = 0; i < CHAPTERS; i++) {
    const input = { courseId, title: `Chapter ${i + 1}`, content: longParagraph(i) };
    const added = await post(world.server.graphqlUrl, { query: "mutation($input: AddChapterInput!) { addChapter(input: $input) { id } }", variables: { input } }, bearer(alice.accessToken));
    expect(added.body?.errors).toBeUndefined();
  }
}, 120_000);

afterAll(async () => {
  await world?.server.stop();
});

test("the material given to generation is bounded, however long the course", () => {
  const chapters = Array.from({ length: CHAPTERS }, (_, i) => ({ _id: new Types.ObjectId(), title: `Chapter ${i}`, content: longParagraph(i) }) as Chapter);
  const material = spreadPassages(chapters.flatMap(chapterPassages));
  const size = material.reduce((sum, passage) => sum + passage.text.length, 0);
  // 30 passages of at most 1,200 characters, against 800,000 characters of course here.
  expect(MAX_MATERIAL_CHARS).toBe(36_000);
  expect(size).toBeLessThanOrEqual(MAX_MATERIAL_CHARS);
  expect(size).toBeGreaterThan(MAX_MATERIAL_CHARS / 2);
  // Spread over the whole course, not its first chapter.
  expect(new Set(material.map((passage) => String(passage.sourceId))).size).toBe(CHAPTERS);
});

test("/health answers promptly while a quiz is generated from a very large course", async () => {
  let generating = true;
  const started = performance.now();
  const generation = world.gql(GenerateQuizDocument, { input: { courseId, numQuestions: 10 } }, { token: alice.accessToken }).finally(() => {
    generating = false;
  });
  const healthTimes: number[] = [];
  while (generating) {
    const before = performance.now();
    const response = await fetch(`${world.server.url}/health`, { signal: AbortSignal.timeout(30_000) });
    expect(response.status).toBe(200);
    healthTimes.push(performance.now() - before);
    await sleep(20);
  }
  const quiz = ok(await generation).generateQuiz;
  const elapsed = performance.now() - started;
  expect(quiz.questions.length).toBeGreaterThan(0);
  // Every cited passage is one of the bounded ones.
  for (const question of quiz.questions) expect(question.citation?.excerpt.length ?? 0).toBeLessThanOrEqual(300);
  expect(Math.max(...healthTimes)).toBeLessThan(HEALTH_MS);
  expect(elapsed).toBeLessThan(20_000);
}, 60_000);
