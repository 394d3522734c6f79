import { CreateCardDocument, CreateDeckDocument, ReviewCardDocument, ReviewQueueDocument, type CardContentInput, type ReviewRating } from "../generated/graphql";
import { ok, type CourseWorld } from "../courses/support";

export { createCourse, errorCode, failedFields, ok, publish, startCourseWorld } from "../courses/support";
export type { CourseWorld, Gql, Session } from "../courses/support";
export { CHAPTER_CONTENT, createQuiz, enroll, everyTypeAnswers, EVERY_TYPE, fakeDate, LONG_TOKENS, publicCourseWithChapter, submit } from "../quizzes/support";

export async function createDeck(world: CourseWorld, token: string, title = "My deck", courseId?: string) {
  return ok(await world.gql(CreateDeckDocument, { input: { title, courseId } }, { token })).createDeck;
}

export async function createCard(world: CourseWorld, token: string, deckId: string, content: CardContentInput) {
  return ok(await world.gql(CreateCardDocument, { input: { deckId, ...content } }, { token })).createCard;
}

/** A deck of `count` basic cards "Question i" / "Answer i". */
export async function deckWithCards(world: CourseWorld, token: string, count: number, title = "Numbers") {
  const deck = await createDeck(world, token, title);
  const cards = [];
  for (let i = 1; i <= count; i++) cards.push(await createCard(world, token, deck.id, { front: `Question ${i}`, back: `Answer ${i}` }));
  return { deck, cards };
}

export async function review(world: CourseWorld, token: string, cardId: string, rating: ReviewRating, extra: { idempotencyKey?: string; expectedVersion?: number; clozeNumber?: number } = {}) {
  return ok(await world.gql(ReviewCardDocument, { cardId, rating, ...extra }, { token })).reviewCard;
}

export async function queue(world: CourseWorld, token: string, scope: { deckId?: string; courseId?: string; limit?: number } = {}) {
  return ok(await world.gql(ReviewQueueDocument, scope, { token })).reviewQueue;
}

export const MINUTE = 60_000;
export const DAY = 86_400_000;
