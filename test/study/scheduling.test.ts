import { CardDocument, DashboardDueTodayDocument, type DashboardDueTodayQuery, ReviewCardDocument, StudyStatsDocument, UpdateCardDocument, UpdateStudyPreferencesDocument } from "../generated/graphql";
import {
  createCard,
  createDeck,
  DAY,
  deckWithCards,
  errorCode,
  fakeDate,
  LONG_TOKENS,
  MINUTE,
  ok,
  publicCourseWithChapter,
  publish,
  queue,
  review,
  startCourseWorld,
  type CourseWorld,
} from "./support";

let world: CourseWorld;
beforeAll(async () => {
  world = await startCourseWorld(LONG_TOKENS);
}, 60_000);
afterAll(async () => {
  await world?.server.stop();
});

const at = (iso: string) => new Date(iso).getTime();

// First in the file: the tests below move the clock to 2032, past the admin's session (tokens last a year).
describe("the whole queue", () => {
  let instructor: Awaited<ReturnType<typeof publicCourseWithChapter>>["instructor"];
  let course: Awaited<ReturnType<typeof publicCourseWithChapter>>["course"];
  const courseCards: Awaited<ReturnType<typeof createCard>>[] = [];
  beforeAll(async () => {
    ({ instructor, course } = await publicCourseWithChapter(world));
    const courseDeck = await createDeck(world, instructor.accessToken, "Course deck", course.id);
    for (let i = 1; i <= 12; i++) courseCards.push(await createCard(world, instructor.accessToken, courseDeck.id, { front: `Course question ${i}`, back: `Course answer ${i}` }));
  }, 60_000);

  it("serves the due cards of every deck it covers, most overdue first, and none of a deck no longer readable however many are due", async () => {
    const learner = await world.user();
    const token = learner.accessToken;
    const { cards: own } = await deckWithCards(world, token, 2, "Own");
    // The course's cards are reviewed first, so they fall due first; the learner's own after them.
    for (const card of courseCards) await review(world, token, card.id, "GOOD");
    for (const card of own) await review(world, token, card.id, "GOOD");
    const later = new Date(Date.now() + 20 * DAY).toISOString();

    let clock = fakeDate(later);
    try {
      const whole = await queue(world, token);
      expect(whole.items.map((item) => item.card.id)).toEqual([...courseCards, ...own].map((card) => card.id));
      expect(whole.items.every((item) => !item.isNew && item.overdueDays > 19)).toBe(true);
      expect(whole.dueCount).toBe(14);
      expect((await queue(world, token, { limit: 3 })).items.map((item) => item.card.id)).toEqual(courseCards.slice(0, 3).map((card) => card.id));
    } finally {
      clock.restore();
    }

    // The course goes private: its deck leaves the whole queue, though its twelve cards are the most overdue.
    await publish(world.gql, instructor.accessToken, course.id, false);
    clock = fakeDate(later);
    try {
      expect((await queue(world, token, { limit: 1 })).items.map((item) => item.card.id)).toEqual([own[0].id]);
      expect((await queue(world, token)).items.map((item) => item.card.id)).toEqual(own.map((card) => card.id));
    } finally {
      clock.restore();
    }
  });
});

it("GOOD pushes a card days out, AGAIN brings it back within minutes, and each answer's due date was shown before", async () => {
  const learner = await world.user();
  const { deck, cards } = await deckWithCards(world, learner.accessToken, 1);
  const [first] = (await queue(world, learner.accessToken, { deckId: deck.id })).items;
  expect(first).toMatchObject({ isNew: true, prompt: "Question 1", answer: "Answer 1", state: { state: "NEW", reps: 0 } });

  const learning = await review(world, learner.accessToken, cards[0].id, "GOOD");
  expect(learning.state).toMatchObject({ state: "LEARNING", reps: 1 });
  const inLearning = Date.parse(learning.state.due) - Date.now();
  expect(inLearning).toBeGreaterThan(MINUTE);
  expect(inLearning).toBeLessThan(30 * MINUTE);

  const preview = ok(await world.gql(CardDocument, { id: cards[0].id }, { token: learner.accessToken })).card!;
  expect(preview.myReviews).toHaveLength(1);
  const graduated = await review(world, learner.accessToken, cards[0].id, "GOOD");
  expect(graduated.state.state).toBe("REVIEW");
  expect(Date.parse(graduated.state.due) - Date.now()).toBeGreaterThan(DAY - MINUTE);

  const lapsed = await review(world, learner.accessToken, cards[0].id, "AGAIN");
  expect(lapsed.state).toMatchObject({ state: "RELEARNING", lapses: 1, reps: 3 });
  const back = Date.parse(lapsed.state.due) - Date.now();
  expect(back).toBeGreaterThan(0);
  expect(back).toBeLessThan(15 * MINUTE);
});

it("shows in the queue the due date each rating gives, and the review gives exactly that date", async () => {
  const clock = fakeDate("2031-03-01T08:00:00Z");
  try {
    const learner = await world.user();
    const { deck, cards } = await deckWithCards(world, learner.accessToken, 1);
    const [item] = (await queue(world, learner.accessToken, { deckId: deck.id })).items;
    const { again, hard, good, easy } = item.schedulingPreview;
    expect(Date.parse(again)).toBeLessThan(Date.parse(hard));
    expect(Date.parse(hard)).toBeLessThanOrEqual(Date.parse(good));
    expect(Date.parse(good)).toBeLessThan(Date.parse(easy));
    clock.at("2031-03-01T08:00:00Z");
    const reviewed = await review(world, learner.accessToken, cards[0].id, "EASY");
    // The clock moved a few ms between the two requests; FSRS counts days, so the dates agree to the minute.
    expect(Math.abs(Date.parse(reviewed.state.due) - Date.parse(easy))).toBeLessThan(MINUTE);
    expect(Date.parse(reviewed.state.due) - at("2031-03-01T08:00:00Z")).toBeGreaterThan(DAY);
  } finally {
    clock.restore();
  }
});

it("honours the daily new-card limit and serves due cards most overdue first", async () => {
  const clock = fakeDate("2032-01-10T09:00:00Z");
  try {
    const learner = await world.user();
    const token = learner.accessToken;
    const { deck, cards } = await deckWithCards(world, token, 6);
    ok(await world.gql(UpdateStudyPreferencesDocument, { input: { dailyNewLimit: 3 } }, { token }));
    const day1 = await queue(world, token, { deckId: deck.id });
    expect(day1.items.map((item) => item.prompt)).toEqual(["Question 1", "Question 2", "Question 3"]);
    expect(day1.newLeftToday).toBe(3);
    // Three cards started today, with different intervals: EASY goes furthest, HARD least far.
    await review(world, token, cards[0].id, "EASY");
    await review(world, token, cards[1].id, "HARD");
    await review(world, token, cards[2].id, "GOOD");
    await review(world, token, cards[2].id, "GOOD");
    await review(world, token, cards[1].id, "GOOD");
    const after = await queue(world, token, { deckId: deck.id });
    expect(after.newLeftToday).toBe(0);
    expect(after.items.filter((item) => item.isNew)).toEqual([]);

    clock.at("2032-03-01T09:00:00Z");
    const later = await queue(world, token, { deckId: deck.id, limit: 10 });
    const due = later.items.filter((item) => !item.isNew);
    expect(due.map((item) => item.card.id).sort()).toEqual([cards[0].id, cards[1].id, cards[2].id].sort());
    const dues = due.map((item) => Date.parse(item.state.due));
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
    expect(due[0].overdueDays).toBeGreaterThan(due[2].overdueDays);
    expect(later.dueCount).toBe(3);
    // A new day: three more new cards, mixed in among the due ones.
    expect(later.items.filter((item) => item.isNew).map((item) => item.prompt)).toEqual(["Question 4", "Question 5", "Question 6"]);
    expect(later.items[0].isNew).toBe(false);

    const stats = ok(await world.gql(StudyStatsDocument, { deckId: deck.id }, { token })).studyStats;
    expect(stats).toMatchObject({ dueNow: 3, newCards: 3, reviewsLast30Days: 0 });
    expect(stats.forecast).toHaveLength(7);
    expect(stats.forecast[0]).toEqual({ date: "2032-03-01", due: 3 });
    expect(stats.longestStreak).toBe(1);
  } finally {
    clock.restore();
  }
});

it("keeps a card's schedule when its text is edited, and the dashboard counts what is due today", async () => {
  const learner = await world.user();
  const token = learner.accessToken;
  const none = ok(await world.gql(DashboardDueTodayDocument, {}, { token })) as DashboardDueTodayQuery;
  expect(none.dashboard.dueToday).toBe(0);
  const deck = await createDeck(world, token, "Edits");
  const card = await createCard(world, token, deck.id, { front: "Capital of France?", back: "Paris" });
  await queue(world, token, { deckId: deck.id });
  const reviewed = await review(world, token, card.id, "AGAIN");
  const edited = ok(await world.gql(UpdateCardDocument, { id: card.id, input: { front: "What is the capital of France?" } }, { token })).updateCard;
  expect(edited.front).toBe("What is the capital of France?");
  expect(edited.myReviews).toEqual([reviewed.state]);
  expect((ok(await world.gql(DashboardDueTodayDocument, {}, { token })) as DashboardDueTodayQuery).dashboard.dueToday).toBe(1);
});

it("applies a review sent twice once: the same idempotency key, or a stale expected version", async () => {
  const learner = await world.user();
  const token = learner.accessToken;
  const { cards } = await deckWithCards(world, token, 2);
  // A double click: both arrive at once. One is applied; the other is told it is a repeat, or to reload.
  const both = await Promise.all([0, 1].map(() => world.gql(ReviewCardDocument, { cardId: cards[0].id, rating: "GOOD", idempotencyKey: "click-1" }, { token })));
  const applied = both.filter((response) => response.data?.reviewCard.duplicate === false);
  expect(applied).toHaveLength(1);
  const other = both.find((response) => response !== applied[0])!;
  expect(other.data?.reviewCard.duplicate ?? errorCode(other)).toEqual(other.data ? true : "CONFLICT");
  const retried = await review(world, token, cards[0].id, "GOOD", { idempotencyKey: "click-1" });
  expect(retried).toMatchObject({ duplicate: true, state: { reps: 1, version: 1 } });

  const seen = await review(world, token, cards[1].id, "GOOD", { expectedVersion: 0 });
  expect(seen.state.version).toBe(1);
  const stale = await world.gql(ReviewCardDocument, { cardId: cards[1].id, rating: "GOOD", expectedVersion: 0 }, { token });
  expect(errorCode(stale)).toBe("CONFLICT");
  const card = ok(await world.gql(CardDocument, { id: cards[1].id }, { token })).card!;
  expect(card.myReviews[0]).toMatchObject({ reps: 1, version: 1 });
});

describe("reviews of one card sent at once", () => {
  /** What the learner's counts say after the reviews: new cards left today, due today, reviews logged. */
  async function counts(token: string, deckId: string) {
    const [{ newLeftToday }, dashboard, stats] = await Promise.all([
      queue(world, token, { deckId }),
      world.gql(DashboardDueTodayDocument, {}, { token }),
      world.gql(StudyStatsDocument, { deckId }, { token }),
    ]);
    return { newLeftToday, dueToday: (ok(dashboard) as DashboardDueTodayQuery).dashboard.dueToday, reviews: ok(stats).studyStats.reviewsLast30Days };
  }

  it("applies the same review (one idempotency key) sent six times at once once: one log, one schedule move, the counts moved once", async () => {
    const clock = fakeDate("2032-06-01T12:00:00Z");
    try {
      const learner = await world.user();
      const token = learner.accessToken;
      const { deck, cards } = await deckWithCards(world, token, 2);
      ok(await world.gql(UpdateStudyPreferencesDocument, { input: { dailyNewLimit: 5 } }, { token }));
      await queue(world, token, { deckId: deck.id });
      // The second card is started already: its copies move it from one due day to another.
      await review(world, token, cards[1].id, "GOOD");
      expect(await counts(token, deck.id)).toEqual({ newLeftToday: 4, dueToday: 1, reviews: 1 });

      for (const [card, key] of [
        [cards[0], "tap-new"],
        [cards[1], "tap-started"],
      ] as const) {
        const copies = await Promise.all(Array.from({ length: 6 }, () => world.gql(ReviewCardDocument, { cardId: card.id, rating: "GOOD", idempotencyKey: key }, { token })));
        const applied = copies.filter((response) => response.data?.reviewCard.duplicate === false);
        expect(applied).toHaveLength(1);
        for (const other of copies.filter((response) => response !== applied[0])) {
          expect(other.data?.reviewCard.duplicate ?? errorCode(other)).toEqual(other.data ? true : "CONFLICT");
        }
        const retried = await review(world, token, card.id, "GOOD", { idempotencyKey: key });
        expect(retried).toMatchObject({ duplicate: true, state: applied[0].data!.reviewCard.state });
      }
      const [fresh, started] = await Promise.all(cards.map(async (card) => ok(await world.gql(CardDocument, { id: card.id }, { token })).card!.myReviews[0]));
      expect(fresh).toMatchObject({ state: "LEARNING", reps: 1, version: 1 });
      expect(started).toMatchObject({ state: "REVIEW", reps: 2, version: 2 });
      // One new card more today; the first card due in minutes, the second a day or more out; three reviews logged.
      expect(await counts(token, deck.id)).toEqual({ newLeftToday: 3, dueToday: 1, reviews: 3 });
    } finally {
      clock.restore();
    }
  });

  it("applies one of two different reviews of a new card sent at once, refuses the other as CONFLICT, and counts one", async () => {
    const clock = fakeDate("2032-06-02T12:00:00Z");
    try {
      const learner = await world.user();
      const token = learner.accessToken;
      const { deck, cards } = await deckWithCards(world, token, 1);
      await queue(world, token, { deckId: deck.id });
      // Two devices showed the card at version 0; each sends its own review of it.
      const both = await Promise.all(
        (["phone", "laptop"] as const).map((key) =>
          world.gql(ReviewCardDocument, { cardId: cards[0].id, rating: key === "phone" ? "GOOD" : "EASY", idempotencyKey: key, expectedVersion: 0 }, { token }),
        ),
      );
      const applied = both.filter((response) => response.data?.reviewCard.duplicate === false);
      expect(applied).toHaveLength(1);
      const refused = both.find((response) => response !== applied[0])!;
      expect(errorCode(refused)).toBe("CONFLICT");
      const card = ok(await world.gql(CardDocument, { id: cards[0].id }, { token })).card!;
      expect(card.myReviews[0]).toMatchObject({ reps: 1, version: 1 });
      const left = await counts(token, deck.id);
      expect(left).toMatchObject({ newLeftToday: 19, reviews: 1 });

      // The refused review left nothing behind: sent again, it is applied as a new review.
      const refusedKey = refused === both[0] ? "phone" : "laptop";
      const again = await review(world, token, cards[0].id, refusedKey === "phone" ? "GOOD" : "EASY", { idempotencyKey: refusedKey, expectedVersion: 1 });
      expect(again).toMatchObject({ duplicate: false, state: { reps: 2, version: 2 } });
      expect(await counts(token, deck.id)).toMatchObject({ newLeftToday: 19, reviews: 2 });
    } finally {
      clock.restore();
    }
  });

  it("refuses one idempotency key sent for two cards at once for the card that did not get it, and puts its schedule back", async () => {
    const clock = fakeDate("2032-06-03T12:00:00Z");
    try {
      const learner = await world.user();
      const token = learner.accessToken;
      const { deck, cards } = await deckWithCards(world, token, 2);
      await queue(world, token, { deckId: deck.id });
      await Promise.all(cards.map((card) => review(world, token, card.id, "GOOD")));
      const before = await counts(token, deck.id);
      const both = await Promise.all(cards.map((card) => world.gql(ReviewCardDocument, { cardId: card.id, rating: "GOOD", idempotencyKey: "same-key" }, { token })));
      const applied = both.filter((response) => response.data?.reviewCard.duplicate === false);
      expect(applied).toHaveLength(1);
      const refused = both.find((response) => response !== applied[0])!;
      expect(errorCode(refused)).toBe("CONFLICT");
      const schedules = await Promise.all(cards.map(async (card) => ok(await world.gql(CardDocument, { id: card.id }, { token })).card!.myReviews[0]));
      const refusedAt = both.indexOf(refused);
      expect(schedules[1 - refusedAt]).toMatchObject({ state: "REVIEW", reps: 2, version: 2 });
      expect(schedules[refusedAt]).toMatchObject({ state: "LEARNING", reps: 1, version: 1 });
      // The applied review moved its card out of today and logged once; the refused one moved nothing.
      expect(await counts(token, deck.id)).toEqual({ ...before, dueToday: before.dueToday - 1, reviews: before.reviews + 1 });
    } finally {
      clock.restore();
    }
  });
});
