import {
  CardDocument,
  CardsDocument,
  CreateCardDocument,
  DashboardDueTodayDocument,
  DeckDocument,
  DecksDocument,
  DeleteCourseDocument,
  GenerateFlashcardsDocument,
  ReviewCardDocument,
  StudyStatsDocument,
  UpdateStudyPreferencesDocument,
  type DashboardDueTodayQuery,
} from "../generated/graphql";
import {
  CHAPTER_CONTENT,
  createCard,
  createDeck,
  createQuiz,
  enroll,
  errorCode,
  everyTypeAnswers,
  ok,
  publicCourseWithChapter,
  queue,
  review,
  startCourseWorld,
  submit,
  type CourseWorld,
} from "./support";

let world: CourseWorld;
beforeAll(async () => {
  world = await startCourseWorld();
}, 60_000);
afterAll(async () => {
  await world?.server.stop();
});

/** A public course with a course deck of two cards, written by its instructor. */
async function courseDeck() {
  const { instructor, course, chapter } = await publicCourseWithChapter(world);
  const deck = await createDeck(world, instructor.accessToken, "Photosynthesis deck", course.id);
  const cards = [
    await createCard(world, instructor.accessToken, deck.id, { front: "Where does the Calvin cycle run?", back: "In the stroma" }),
    await createCard(world, instructor.accessToken, deck.id, { kind: "CLOZE", front: "Stomata let {{c1::carbon dioxide}} in and {{c2::water vapour}} out." }),
  ];
  return { instructor, course, chapter, deck, cards };
}

it("a course deck is authored by the course's editors and studied by its learners, each on their own schedule", async () => {
  const { instructor, course, deck, cards } = await courseDeck();
  const [ada, bob, stranger] = [await world.user(), await world.user(), await world.user()];
  await enroll(world.gql, ada.accessToken, course.id);
  await enroll(world.gql, bob.accessToken, course.id);

  // Enrolled learners read it but may not change it; the instructor may.
  const asAda = ok(await world.gql(DeckDocument, { id: deck.id }, { token: ada.accessToken })).deck!;
  expect(asAda).toMatchObject({ kind: "COURSE", courseId: course.id, cardCount: 2, canEdit: false });
  expect(ok(await world.gql(DeckDocument, { id: deck.id }, { token: instructor.accessToken })).deck!.canEdit).toBe(true);
  const refused = await world.gql(CreateCardDocument, { input: { deckId: deck.id, front: "Mine?", back: "No" } }, { token: ada.accessToken });
  expect(errorCode(refused)).toBe("FORBIDDEN");
  expect(ok(await world.gql(DecksDocument, { courseId: course.id }, { token: stranger.accessToken })).decks.total).toBe(1);

  // The whole queue of an enrolled learner holds the course's cards: the cloze card twice, once per number.
  const adaQueue = await queue(world, ada.accessToken);
  expect(adaQueue.items.map((item) => [item.card.id, item.clozeNumber])).toEqual([
    [cards[0].id, 0],
    [cards[1].id, 1],
    [cards[1].id, 2],
  ]);
  expect(adaQueue.items[1].prompt).toBe("Stomata let [\u2026] in and water vapour out.");
  expect(adaQueue.items[2].prompt).toBe("Stomata let carbon dioxide in and [\u2026] out.");

  await review(world, ada.accessToken, cards[0].id, "EASY");
  await review(world, ada.accessToken, cards[1].id, "AGAIN", { clozeNumber: 2 });
  const adaCard = ok(await world.gql(CardDocument, { id: cards[0].id }, { token: ada.accessToken })).card!;
  const bobCard = ok(await world.gql(CardDocument, { id: cards[0].id }, { token: bob.accessToken })).card!;
  expect(adaCard.myReviews).toEqual([expect.objectContaining({ state: "REVIEW", reps: 1 })]);
  expect(bobCard.myReviews).toEqual([]);
  const bobQueue = await queue(world, bob.accessToken, { courseId: course.id });
  expect(bobQueue.items.every((item) => item.isNew && item.state.reps === 0)).toBe(true);
  expect(bobQueue.items).toHaveLength(3);
  const bad = await world.gql(ReviewCardDocument, { cardId: cards[1].id, rating: "GOOD", clozeNumber: 3 }, { token: bob.accessToken });
  expect(errorCode(bad)).toBe("BAD_USER_INPUT");
});

it("a deleted course takes its decks, cards and every learner's schedules with it", async () => {
  const { instructor, course, deck, cards } = await courseDeck();
  const learner = await world.user();
  await enroll(world.gql, learner.accessToken, course.id);
  await review(world, learner.accessToken, cards[0].id, "AGAIN");
  await review(world, learner.accessToken, cards[1].id, "AGAIN", { clozeNumber: 1 });
  const dueBefore = ok(await world.gql(DashboardDueTodayDocument, {}, { token: learner.accessToken })) as DashboardDueTodayQuery;
  expect(dueBefore.dashboard.dueToday).toBe(2);

  ok(await world.gql(DeleteCourseDocument, { id: course.id }, { token: instructor.accessToken }));
  expect(ok(await world.gql(DeckDocument, { id: deck.id }, { token: instructor.accessToken })).deck).toBeNull();
  expect(ok(await world.gql(CardDocument, { id: cards[0].id }, { token: learner.accessToken })).card).toBeNull();
  expect((await queue(world, learner.accessToken)).items).toEqual([]);
  const stats = ok(await world.gql(StudyStatsDocument, {}, { token: learner.accessToken })).studyStats;
  expect(stats).toMatchObject({ dueNow: 0, newCards: 0, reviewsLast30Days: 0 });
  const dueAfter = ok(await world.gql(DashboardDueTodayDocument, {}, { token: learner.accessToken })) as DashboardDueTodayQuery;
  expect(dueAfter.dashboard.dueToday).toBe(0);
});

it("a quiz attempt with two wrong answers puts two cards in the Mistakes deck, due at once; a third miss brings one back", async () => {
  const { instructor, course, chapter } = await publicCourseWithChapter(world);
  const learner = await world.user();
  const token = learner.accessToken;
  await enroll(world.gql, token, course.id);
  const quiz = await createQuiz(world.gql, instructor.accessToken, { chapterId: chapter.id });
  const attempt = await submit(world.gql, token, quiz.id, everyTypeAnswers(quiz, [true, false, true, false]));
  expect(attempt.score).toBe(2);

  const decks = ok(await world.gql(DecksDocument, {}, { token })).decks.items;
  const mistakes = decks.find((deck) => deck.kind === "MISTAKES")!;
  expect(mistakes).toMatchObject({ title: "Mistakes", cardCount: 2 });
  const cards = ok(await world.gql(CardsDocument, { deckId: mistakes.id }, { token })).cards.items;
  expect(cards.map((card) => [card.front, card.back])).toEqual([
    ["Which colours does chlorophyll absorb most?", "Red, Blue"],
    ["Which pigment absorbs the light?", "Chlorophyll"],
  ]);
  expect(cards[0]).toMatchObject({ explanation: "Red and blue; green is reflected.", source: { type: "QUIZ_QUESTION", quizId: quiz.id, chapterId: chapter.id } });

  const due = await queue(world, token, { deckId: mistakes.id });
  expect(due.dueCount).toBe(2);
  expect(due.items.map((item) => [item.card.id, item.isNew, item.state.state])).toEqual([
    [cards[0].id, false, "LEARNING"],
    [cards[1].id, false, "LEARNING"],
  ]);

  // Learnt: it drifts out as FSRS schedules it.
  await review(world, token, cards[0].id, "EASY");
  expect((await queue(world, token, { deckId: mistakes.id })).items.map((item) => item.card.id)).toEqual([cards[1].id]);
  // Missed again in a new attempt: the same card comes back, relearning, no new card.
  await submit(world.gql, token, quiz.id, everyTypeAnswers(quiz, [true, false, true, true]));
  const back = await queue(world, token, { deckId: mistakes.id });
  expect(back.items.map((item) => [item.card.id, item.state.state, item.state.lapses])).toEqual([
    [cards[1].id, "LEARNING", 0],
    [cards[0].id, "RELEARNING", 1],
  ]);
  expect(ok(await world.gql(DeckDocument, { id: mistakes.id }, { token })).deck!.cardCount).toBe(2);

  // Switched off: wrong answers no longer make cards.
  ok(await world.gql(UpdateStudyPreferencesDocument, { input: { mistakesDeck: false } }, { token }));
  const other = await createQuiz(world.gql, instructor.accessToken, { chapterId: chapter.id }, undefined, "Second quiz");
  await submit(world.gql, token, other.id, everyTypeAnswers(other, [false, false, false, false]));
  expect(ok(await world.gql(DeckDocument, { id: mistakes.id }, { token })).deck!.cardCount).toBe(2);
});

it("generates cards from a chapter, each citing its passage and supported by it", async () => {
  const { instructor, course, chapter } = await publicCourseWithChapter(world);
  const learner = await world.user();
  const generated = ok(await world.gql(GenerateFlashcardsDocument, { input: { chapterId: chapter.id, count: 5 } }, { token: learner.accessToken })).generateFlashcards;
  expect(generated.deck).toMatchObject({ kind: "PERSONAL", title: "Cards: Photosynthesis", canEdit: true });
  expect(generated.report).toMatchObject({ requested: 5, provider: "offline" });
  expect(generated.cards.length).toBeGreaterThanOrEqual(3);
  expect(generated.report.kept).toBe(generated.cards.length);
  const material = CHAPTER_CONTENT.replace(/\s+/g, " ");
  for (const card of generated.cards) {
    expect(card.source).toMatchObject({ type: "CHAPTER", chapterId: chapter.id, courseId: course.id, title: "Photosynthesis" });
    expect(card.source.passageIndex).toBeGreaterThanOrEqual(0);
    expect(material).toContain(card.source.excerpt!.replace(/…$/, ""));
    if (card.kind === "CLOZE") {
      expect(card.clozeNumbers).toEqual([1]);
      const hidden = /\{\{c1::(.+?)\}\}/.exec(card.front)![1];
      expect(card.source.excerpt).toContain(hidden);
    } else {
      expect(card.back.length).toBeGreaterThan(0);
      expect(material).toContain(card.back.replace(/[.]$/, ""));
    }
  }
  expect(new Set(generated.cards.map((card) => card.kind))).toEqual(new Set(["BASIC", "CLOZE"]));

  // Again into the same deck: nothing it already holds is added twice.
  const again = ok(
    await world.gql(GenerateFlashcardsDocument, { input: { chapterId: chapter.id, count: 5, deckId: generated.deck.id, kinds: ["CLOZE"] } }, { token: learner.accessToken }),
  ).generateFlashcards;
  const fronts = [...generated.cards, ...again.cards].map((card) => card.front);
  expect(new Set(fronts).size).toBe(fronts.length);
  expect(again.cards.every((card) => card.kind === "CLOZE")).toBe(true);

  // A course deck is generated into by the course's author only.
  const courseDeckOf = await createDeck(world, instructor.accessToken, "Course cards", course.id);
  const refused = await world.gql(GenerateFlashcardsDocument, { input: { chapterId: chapter.id, count: 2, deckId: courseDeckOf.id } }, { token: learner.accessToken });
  expect(errorCode(refused)).toBe("FORBIDDEN");
  const twoSources = await world.gql(GenerateFlashcardsDocument, { input: { chapterId: chapter.id, courseId: course.id, count: 2 } }, { token: learner.accessToken });
  expect(errorCode(twoSources)).toBe("BAD_USER_INPUT");
});

