import { randomUUID } from "node:crypto";
import type { Types } from "mongoose";
import { raise } from "../../lib/errors";
import { asObjectId } from "../../lib/ids";
import type { DomainEventBus } from "../../lib/events";
import type { Actor } from "../../lib/identity";
import type { CourseService } from "../courses/course.service";
import { streaksOf, utcDay } from "../dashboard/streaks";
import type { ProgressService } from "../progress/progress.service";
import type { UserService } from "../users/user.service";
import { CardKind, type Card } from "./card.model";
import { clozeAnswer, clozePrompt } from "./cloze";
import type { Deck } from "./deck.model";
import type { DeckService } from "./deck.service";
import { dayNumber, dayStart, defaultProfile, StudyProfileModel, type StudyPreferences } from "./preferences.model";
import { CardState, NEW_DUE_DAY, ReviewLogModel, ReviewRating, ReviewStateModel, StudiedDeckModel, type ReviewLog, type ReviewState, type StudiedDeck } from "./review.model";
import type { Schedule, Scheduler } from "./scheduler";
import { FORECAST_DAYS, type ReviewCardArgs, type StudyPreferencesInput } from "./study.inputs";
import type { ForecastDay, ReviewItem, ReviewQueue, ReviewResult, StudyStats } from "./study.types";

declare module "../../lib/events" {
  interface DomainEvents {
    /** A learner reviewed a card (not a replay): deck assignments count it. */
    "review.done": { userId: Types.ObjectId; deckId: Types.ObjectId; at: Date };
  }
}

const STARTED = [CardState.LEARNING, CardState.REVIEW, CardState.RELEARNING];
/** New schedules made per deck per queue read: more than a day's new cards can use. */
const SYNC_BATCH = 500;
const STATS_DAYS = 30;
const DAY_MS = 86_400_000;

export interface StudyScope {
  deckId?: string;
  courseId?: string;
}

interface ScopedDecks {
  decks: Deck[];
  /** No deck or course was named: every deck the learner studies. */
  all: boolean;
  studied?: StudiedDeck[];
}

/**
 * Each learner's schedules (FSRS through `Scheduler`), reviews, queue and statistics: with
 * `StudyCleanup` (which deletes), the only code that writes `review_states`, `review_logs`,
 * `study_decks` and `study_profiles`.
 */
export class ReviewService {
  constructor(
    private readonly deps: { decks: DeckService; courses: CourseService; progress: ProgressService; users: UserService; scheduler: Scheduler; events: DomainEventBus },
  ) {}

  async ready(): Promise<void> {
    await Promise.all([ReviewStateModel.init(), ReviewLogModel.init(), StudiedDeckModel.init(), StudyProfileModel.init()]);
  }

  async profile(userId: Types.ObjectId): Promise<StudyPreferences> {
    return (await StudyProfileModel.findOne({ user_id: userId }).lean<StudyPreferences>().exec()) ?? defaultProfile(userId);
  }

  async updatePreferences(userId: Types.ObjectId, input: StudyPreferencesInput): Promise<StudyPreferences> {
    const set: Partial<StudyPreferences> = {};
    if (input.desiredRetention !== undefined && input.desiredRetention !== null) set.desired_retention = input.desiredRetention;
    if (input.dailyNewLimit !== undefined && input.dailyNewLimit !== null) set.daily_new_limit = input.dailyNewLimit;
    if (input.mistakesDeck !== undefined && input.mistakesDeck !== null) set.mistakes_deck = input.mistakesDeck;
    await this.ensureProfile(userId);
    return (await StudyProfileModel.findOneAndUpdate({ user_id: userId }, { $set: set }, { returnDocument: "after" }).lean<StudyPreferences>().exec())!;
  }

  /** Cards due by the end of today (UTC), overdue ones included: one read of the learner's counts. */
  async dueToday(userId: Types.ObjectId, now = new Date()): Promise<number> {
    const profile = await this.profile(userId);
    const today = dayNumber(now);
    return Object.entries(profile.due_days).reduce((sum, [day, count]) => (Number(day) <= today ? sum + Math.max(0, count) : sum), 0);
  }

  // The queue

  async queue(actor: Exclude<Actor, null>, scope: StudyScope, limit: number, now = new Date()): Promise<ReviewQueue> {
    const [scoped, profile] = await Promise.all([this.scopeDecks(actor, scope), this.profile(actor._id)]);
    await this.sync(actor, scoped, now);
    const today = dayNumber(now);
    const newLeftToday = Math.max(0, profile.daily_new_limit - (profile.new_day === today ? profile.new_count : 0));
    const { due, dueCount, fresh } = await this.dueStates(actor._id, profile, scoped, now, limit, newLeftToday);
    const ordered = interleave(due, fresh);
    const cards = new Map((await this.deps.decks.byCardIds(ordered.map((state) => state.card_id))).map((card) => [String(card._id), card]));
    const items: ReviewItem[] = [];
    for (const state of ordered) {
      const card = cards.get(String(state.card_id));
      if (card) items.push(this.item(card, state, profile, now));
    }
    return { items, dueCount, newLeftToday };
  }

  /** One card of the queue: what to show, and where each rating would take it. */
  private item(card: Card, state: ReviewState, profile: StudyPreferences, now: Date): ReviewItem {
    const preview = this.deps.scheduler.preview(state, now, profile.desired_retention);
    const cloze = card.kind === CardKind.CLOZE;
    return {
      card,
      clozeNumber: state.ord,
      prompt: cloze ? clozePrompt(card.front, state.ord) : card.front,
      answer: cloze ? [clozeAnswer(card.front), card.back].filter(Boolean).join("\n\n") : card.back,
      isNew: state.state === CardState.NEW,
      state,
      overdueDays: state.state === CardState.NEW ? 0 : Math.max(0, Math.round(((now.getTime() - state.due.getTime()) / DAY_MS) * 100) / 100),
      schedulingPreview: {
        again: preview[ReviewRating.AGAIN],
        hard: preview[ReviewRating.HARD],
        good: preview[ReviewRating.GOOD],
        easy: preview[ReviewRating.EASY],
      },
    };
  }

  /**
   * Started schedules due now in scope, most overdue first, and the new ones to mix in. Schedules
   * are found by their UTC due day (an equality lookup, which every MongoDB answers from an index),
   * oldest day first, taking only as many days as `limit` needs; the learner's counts by day say
   * which days hold any. The first days, the counts and (when the counts say the due cards fall
   * short) the new cards are read at once.
   */
  private async dueStates(
    userId: Types.ObjectId,
    profile: StudyPreferences,
    { decks, all }: ScopedDecks,
    now: Date,
    limit: number,
    newLeftToday: number,
  ): Promise<{ due: ReviewState[]; dueCount: number; fresh: ReviewState[] }> {
    if (decks.length === 0) return { due: [], dueCount: 0, fresh: [] };
    const today = dayNumber(now);
    const deckIds = decks.map((deck) => deck._id);
    const inScope = { user_id: userId, deck_id: { $in: deckIds }, state: { $in: STARTED } };
    const days = Object.entries(profile.due_days)
      .map(([day, count]) => ({ day: Number(day), count }))
      .filter(({ day, count }) => day <= today && count > 0)
      .sort((a, b) => a.day - b.day);
    const earlierDays = days.filter(({ day }) => day < today);
    const dueAtMost = days.reduce((sum, { count }) => sum + count, 0);
    // A named deck or course may hold few of the learner's due cards: its days are read all at once.
    const chunkAt = (from: number, wanted: number): { chunk: number[]; next: number } => {
      const chunk: number[] = [];
      let next = from;
      for (let expected = 0; next < days.length && (!all || expected < wanted || chunk.length === 0); next++) {
        chunk.push(days[next].day);
        expected += days[next].count;
      }
      return { chunk, next };
    };
    const first = chunkAt(0, limit);
    const newWanted = (dueFound: number) => Math.min(newLeftToday, limit - dueFound);
    const [firstDue, dueToday, earlier, early] = await Promise.all([
      first.chunk.length > 0 ? this.dueOn(inScope, first.chunk, now, limit) : Promise.resolve([]),
      days.some(({ day }) => day === today) ? ReviewStateModel.countDocuments({ ...inScope, due_day: today, due: { $lte: now } }).exec() : Promise.resolve(0),
      all || earlierDays.length === 0
        ? Promise.resolve(earlierDays.reduce((sum, { count }) => sum + count, 0))
        : ReviewStateModel.countDocuments({ ...inScope, due_day: { $in: earlierDays.map(({ day }) => day) } }).exec(),
      dueAtMost < limit ? this.newStates(userId, deckIds, newWanted(0)) : Promise.resolve(null),
    ]);
    const due = [...firstDue];
    for (let next = first.next; next < days.length && due.length < limit; ) {
      const chunk = chunkAt(next, limit - due.length);
      due.push(...(await this.dueOn(inScope, chunk.chunk, now, limit - due.length)));
      next = chunk.next;
    }
    const wanted = newWanted(due.length);
    const fresh = wanted <= 0 ? [] : early ? early.slice(0, wanted) : await this.newStates(userId, deckIds, wanted);
    return { due, dueCount: earlier + dueToday, fresh };
  }

  /** The learner's first new schedules in these decks. */
  private newStates(userId: Types.ObjectId, deckIds: Types.ObjectId[], limit: number): Promise<ReviewState[]> {
    if (limit <= 0) return Promise.resolve([]);
    return ReviewStateModel.find({ user_id: userId, state: CardState.NEW, deck_id: { $in: deckIds } })
      .sort({ _id: 1 })
      .limit(limit)
      .lean<ReviewState[]>()
      .exec();
  }

  /** The most overdue schedules in scope falling due on these days, up to `limit`. */
  private dueOn(inScope: Record<string, unknown>, days: number[], now: Date, limit: number): Promise<ReviewState[]> {
    return ReviewStateModel.find({ ...inScope, due_day: { $in: days }, due: { $lte: now } })
      .sort({ due: 1, _id: 1 })
      .limit(limit)
      .lean<ReviewState[]>()
      .exec();
  }

  /** The decks a queue or statistics cover; NOT_FOUND for a deck or course the learner may not read. */
  private async scopeDecks(actor: Exclude<Actor, null>, scope: StudyScope): Promise<ScopedDecks> {
    if (scope.deckId && scope.courseId) {
      raise("BAD_USER_INPUT", "Give at most one of deckId and courseId", {
        fields: [
          { field: "deckId", message: "give at most one of deckId and courseId" },
          { field: "courseId", message: "give at most one of deckId and courseId" },
        ],
      });
    }
    if (scope.deckId) return { decks: [(await this.deps.decks.readableOrFail(actor, scope.deckId)).deck], all: false };
    if (scope.courseId) {
      const course = (await this.deps.courses.readable(actor, scope.courseId)) ?? raise("NOT_FOUND", "Course not found");
      return { decks: await this.deps.decks.courseDecks(course._id), all: false };
    }
    const [personal, enrolled, studied] = await Promise.all([
      this.deps.decks.studyDecks(actor),
      this.deps.progress.enrolledCourseIds(actor._id),
      StudiedDeckModel.find({ user_id: actor._id }).lean<StudiedDeck[]>().exec(),
    ]);
    const candidates = enrolled.length > 0 ? [...personal, ...(await this.deps.decks.courseDecksOf(enrolled))] : personal;
    const known = new Set(candidates.map((deck) => String(deck._id)));
    const others = studied.filter((entry) => !known.has(String(entry.deck_id))).map((entry) => entry.deck_id);
    const more = others.length > 0 ? (await this.deps.decks.byIds(others)).filter((deck): deck is Deck => deck !== null) : [];
    return { decks: await this.deps.decks.readableAmong(actor, [...candidates, ...more]), all: true, studied };
  }

  /**
   * Gives the learner a NEW schedule for each card added to their decks since they last looked
   * (cards are numbered per deck, so this is an equality lookup of the numbers in between).
   */
  private async sync(actor: Exclude<Actor, null>, scoped: ScopedDecks, now: Date): Promise<void> {
    if (scoped.decks.length === 0) return;
    const studied =
      scoped.studied ??
      (await StudiedDeckModel.find({ user_id: actor._id, deck_id: { $in: scoped.decks.map((deck) => deck._id) } })
        .lean<StudiedDeck[]>()
        .exec());
    const synced = new Map(studied.map((entry) => [String(entry.deck_id), entry.synced_seq]));
    const behind = scoped.decks.filter((deck) => !synced.has(String(deck._id)) || deck.card_seq > synced.get(String(deck._id))!);
    if (behind.length === 0) return;
    let created = false;
    await Promise.all(
      behind.map(async (deck) => {
        const from = (synced.get(String(deck._id)) ?? 0) + 1;
        const to = Math.min(deck.card_seq, from + SYNC_BATCH - 1);
        const cards = to >= from ? await this.deps.decks.cardsNumbered(deck._id, from, to) : [];
        const fresh = cards.flatMap((card) => card.ords.map((ord) => this.newState(actor._id, card, ord, now)));
        if (fresh.length > 0) {
          created = true;
          await ReviewStateModel.insertMany(fresh, { ordered: false }).catch(ignoreDuplicates);
        }
        await StudiedDeckModel.updateOne({ user_id: actor._id, deck_id: deck._id }, { $max: { synced_seq: Math.max(0, to) } }, { upsert: true }).exec();
      }),
    );
    if (created) await this.deps.users.markStudying(actor);
  }

  private newState(userId: Types.ObjectId, card: Pick<Card, "_id" | "deck_id">, ord: number, now: Date): Omit<ReviewState, "_id"> {
    return { user_id: userId, card_id: card._id, deck_id: card.deck_id, ord, ...this.deps.scheduler.emptySchedule(now), due_day: NEW_DUE_DAY, version: 0 };
  }

  // Reviews

  /**
   * Applies one review with the server's clock. A repeated idempotency key returns the first
   * result unchanged; a schedule that moved on since `expectedVersion` (or under a concurrent
   * review) is CONFLICT, and nothing is stored.
   */
  async review(actor: Exclude<Actor, null>, args: ReviewCardArgs, now = new Date()): Promise<ReviewResult> {
    const cardId = asObjectId(args.cardId);
    // The learner's schedules for the card and profile are read alongside the card and its access
    // check (one round trip in all for a personal deck's card); nothing is written before it passes.
    const [card, states, profile] = await Promise.all([
      this.deps.decks.readableCardOrFail(actor, args.cardId),
      cardId ? ReviewStateModel.find({ user_id: actor._id, card_id: cardId }).lean<ReviewState[]>().exec() : Promise.resolve([]),
      this.profile(actor._id),
    ]);
    const ord = ordOf(card, args.clozeNumber);
    const current = states.find((state) => state.ord === ord) ?? null;
    if (args.expectedVersion !== undefined && args.expectedVersion !== null && (current?.version ?? 0) !== args.expectedVersion) {
      const seen = args.idempotencyKey ? await this.replayed(actor._id, args.idempotencyKey, card, ord) : null;
      if (seen) return seen;
      raise("CONFLICT", "This card was reviewed since you loaded it; load it again", { version: current?.version ?? 0 });
    }
    const key = args.idempotencyKey ?? randomUUID();
    const state = await this.apply(actor._id, card, ord, current, args.rating, now, { key, profile, countsAsNew: true });
    if (!state) {
      // Its key was taken: a repeat of a review already applied (or one in flight), else a concurrent review.
      const seen = args.idempotencyKey ? await this.replayed(actor._id, args.idempotencyKey, card, ord) : null;
      return seen ?? raise("CONFLICT", "This card was reviewed at the same time elsewhere; load it again");
    }
    // A schedule that existed came from a deck the learner already studies.
    if (!current) await StudiedDeckModel.updateOne({ user_id: actor._id, deck_id: card.deck_id }, { $setOnInsert: { synced_seq: 0 } }, { upsert: true }).exec();
    await this.deps.users.markStudying(actor);
    await this.deps.events.emit("review.done", { userId: actor._id, deckId: card.deck_id, at: now });
    return { state, duplicate: false };
  }

  /**
   * A quiz question answered wrongly: an AGAIN review at the attempt's time, left due at once
   * (it is a failed recall, so a new card starts learning and a known one relearns).
   */
  async missed(userId: Types.ObjectId, card: Card, at: Date, key: string): Promise<void> {
    const [profile, current] = await Promise.all([
      this.profile(userId),
      ReviewStateModel.findOne({ user_id: userId, card_id: card._id, ord: 0 }).lean<ReviewState>().exec(),
    ]);
    if (await ReviewLogModel.exists({ user_id: userId, key }).exec()) return;
    await this.apply(userId, card, 0, current, ReviewRating.AGAIN, at, { key, profile, countsAsNew: false, dueAt: at });
    await StudiedDeckModel.updateOne({ user_id: userId, deck_id: card.deck_id }, { $setOnInsert: { synced_seq: 0 } }, { upsert: true }).exec();
    await this.deps.users.markStudying({ _id: userId });
  }

  /** The stored result of a review already applied under this key, if there is one. */
  private async replayed(userId: Types.ObjectId, key: string, card: Card, ord: number): Promise<ReviewResult | null> {
    const log = await ReviewLogModel.findOne({ user_id: userId, key }).lean<ReviewLog>().exec();
    if (!log) return null;
    if (!log.card_id.equals(card._id) || log.ord !== ord) raise("CONFLICT", "This idempotency key was used for another review");
    const state = await ReviewStateModel.findOne({ user_id: userId, card_id: card._id, ord }).lean<ReviewState>().exec();
    return state ? { state, duplicate: true } : null;
  }

  /**
   * Logs the review (claiming its key), then moves the schedule on from the version it was read
   * at; if another review got there first, the log is taken back and null returned.
   */
  private async apply(
    userId: Types.ObjectId,
    card: Card,
    ord: number,
    current: ReviewState | null,
    rating: ReviewRating,
    now: Date,
    options: { key: string; profile: StudyPreferences; countsAsNew: boolean; dueAt?: Date },
  ): Promise<ReviewState | null> {
    const before: Schedule = current ?? this.deps.scheduler.emptySchedule(now);
    const { next, log } = this.deps.scheduler.next(before, now, rating, options.profile.desired_retention);
    if (options.dueAt) next.due = options.dueAt;
    try {
      await ReviewLogModel.create({
        user_id: userId,
        card_id: card._id,
        ord,
        deck_id: card.deck_id,
        rating,
        state: before.state,
        due: log.due,
        stability: log.stability,
        difficulty: log.difficulty,
        elapsed_days: log.elapsed_days,
        last_elapsed_days: log.last_elapsed_days,
        scheduled_days: log.scheduled_days,
        learning_steps: log.learning_steps,
        review: now,
        day: dayNumber(now),
        key: options.key,
      });
    } catch (error) {
      if (isDuplicate(error)) return null;
      throw error;
    }
    const changes = { ...next, due_day: dayNumber(next.due), ...(before.state === CardState.NEW ? { introduced_at: now } : {}) };
    const moves = dueMoves(current, changes.due_day);
    const introduced = options.countsAsNew && before.state === CardState.NEW;
    // The log holds the key, so the schedule can move and the counts follow at once: if another
    // review moved the schedule first, the counts are put back and the log taken back.
    const [state] = await Promise.all([
      current
        ? ReviewStateModel.findOneAndUpdate({ _id: current._id, version: current.version }, { $set: changes, $inc: { version: 1 } }, { returnDocument: "after" })
            .lean<ReviewState>()
            .exec()
        : ReviewStateModel.create({ user_id: userId, card_id: card._id, deck_id: card.deck_id, ord, ...changes, version: 1 })
            .then((created) => created.toObject<ReviewState>())
            .catch((error: unknown) => (isDuplicate(error) ? null : Promise.reject(error))),
      this.count(userId, moves, now, { introduced, stored: isStored(options.profile) }),
    ]);
    if (!state) {
      await Promise.all([ReviewLogModel.deleteOne({ user_id: userId, key: options.key }).exec(), this.uncount(userId, moves, now, introduced)]);
      return null;
    }
    return state;
  }

  /** Moves the learner's counts along with one review. */
  private async count(userId: Types.ObjectId, moves: Record<string, number>, now: Date, { introduced, stored }: { introduced: boolean; stored: boolean }): Promise<void> {
    if (!stored) await this.ensureProfile(userId);
    const today = dayNumber(now);
    const update = { $inc: moves, $addToSet: { review_days: today } };
    if (!introduced) {
      await StudyProfileModel.updateOne({ user_id: userId }, update).exec();
      return;
    }
    const sameDay = await StudyProfileModel.updateOne({ user_id: userId, new_day: today }, { ...update, $inc: { ...moves, new_count: 1 } }).exec();
    if (sameDay.matchedCount === 0) {
      await StudyProfileModel.updateOne({ user_id: userId }, { ...update, $set: { new_day: today, new_count: 1 } }).exec();
    }
  }

  /** Takes back what `count` did for a review that lost to a concurrent one (its day in the streak stays: the other review was that day). */
  private async uncount(userId: Types.ObjectId, moves: Record<string, number>, now: Date, introduced: boolean): Promise<void> {
    const back = Object.fromEntries(Object.entries(moves).map(([field, by]) => [field, -by]));
    await StudyProfileModel.updateOne({ user_id: userId }, { $inc: back }).exec();
    if (introduced) await StudyProfileModel.updateOne({ user_id: userId, new_day: dayNumber(now), new_count: { $gt: 0 } }, { $inc: { new_count: -1 } }).exec();
  }

  private async ensureProfile(userId: Types.ObjectId): Promise<void> {
    await StudyProfileModel.updateOne({ user_id: userId }, { $setOnInsert: defaultProfile(userId) }, { upsert: true })
      .exec()
      .catch(ignoreDuplicates);
  }

  // Statistics

  async stats(actor: Exclude<Actor, null>, scope: StudyScope, now = new Date()): Promise<StudyStats> {
    const scoped = await this.scopeDecks(actor, scope);
    await this.sync(actor, scoped, now);
    const deckIds = scoped.decks.map((deck) => deck._id);
    const today = dayNumber(now);
    const statsDays = Array.from({ length: STATS_DAYS }, (_, i) => today - i);
    const [states, fresh, logs, profile] = await Promise.all([
      ReviewStateModel.find({ user_id: actor._id, state: { $in: STARTED }, deck_id: { $in: deckIds } }, { due: 1 })
        .lean<Pick<ReviewState, "due">[]>()
        .exec(),
      ReviewStateModel.countDocuments({ user_id: actor._id, state: CardState.NEW, deck_id: { $in: deckIds } }).exec(),
      ReviewLogModel.find({ user_id: actor._id, day: { $in: statsDays } }, { rating: 1, state: 1, deck_id: 1 })
        .lean<Pick<ReviewLog, "rating" | "state" | "deck_id">[]>()
        .exec(),
      this.profile(actor._id),
    ]);
    const inScope = new Set(deckIds.map(String));
    const scopedLogs = logs.filter((log) => inScope.has(String(log.deck_id)));
    const mature = scopedLogs.filter((log) => log.state === CardState.REVIEW);
    const forecast: ForecastDay[] = Array.from({ length: FORECAST_DAYS }, (_, i) => ({ date: utcDay(dayStart(today + i)), due: 0 }));
    for (const { due } of states) {
      const offset = Math.max(0, dayNumber(due) - today);
      if (offset < FORECAST_DAYS) forecast[offset].due += 1;
    }
    const streaks = streaksOf(profile.review_days.map((day) => utcDay(dayStart(day))), utcDay(now));
    return {
      dueNow: states.filter((state) => state.due <= now).length,
      newCards: fresh,
      forecast,
      reviewsLast30Days: scopedLogs.length,
      trueRetention: mature.length === 0 ? null : Math.round((mature.filter((log) => log.rating !== ReviewRating.AGAIN).length / mature.length) * 1000) / 1000,
      currentStreak: streaks.current,
      longestStreak: streaks.longest,
    };
  }

  /** The learner's schedules for these cards (for `Card.myReviews`). */
  async statesOf(userId: Types.ObjectId, cardIds: readonly Types.ObjectId[]): Promise<ReviewState[][]> {
    const states = await ReviewStateModel.find({ user_id: userId, card_id: { $in: [...cardIds] } }).lean<ReviewState[]>().exec();
    return cardIds.map((id) => states.filter((state) => state.card_id.equals(id)).sort((a, b) => a.ord - b.ord));
  }
}

/** The cloze number a review is for: the card's first when not given; BAD_USER_INPUT when the card has no such number. */
function ordOf(card: Card, clozeNumber: number | undefined | null): number {
  if (clozeNumber === undefined || clozeNumber === null) return card.ords[0] ?? 0;
  if (!card.ords.includes(clozeNumber)) {
    const allowed = card.kind === CardKind.CLOZE ? `one of ${card.ords.join(", ")}` : "0 (or nothing) for a BASIC card";
    raise("BAD_USER_INPUT", `clozeNumber must be ${allowed}`, { fields: [{ field: "clozeNumber", message: `must be ${allowed}` }] });
  }
  return clozeNumber;
}

/** How one review changes the learner's started schedules per due day. */
function dueMoves(before: ReviewState | null, afterDay: number): Record<string, number> {
  const moves: Record<string, number> = {};
  if (before && STARTED.includes(before.state)) moves[`due_days.${before.due_day}`] = -1;
  moves[`due_days.${afterDay}`] = (moves[`due_days.${afterDay}`] ?? 0) + 1;
  return moves;
}

/** Due cards with new ones spread evenly among them, as Anki mixes them. */
function interleave(due: ReviewState[], fresh: ReviewState[]): ReviewState[] {
  if (fresh.length === 0) return due;
  const out: ReviewState[] = [];
  let d = 0;
  for (let n = 0; n < fresh.length; n++) {
    const until = Math.ceil(((n + 1) * due.length) / (fresh.length + 1));
    while (d < until) out.push(due[d++]);
    out.push(fresh[n]);
  }
  while (d < due.length) out.push(due[d++]);
  return out;
}

/** Whether a profile was read from the database (not the defaults of a learner who has none yet). */
function isStored(profile: StudyPreferences): boolean {
  return "_id" in profile;
}

function isDuplicate(error: unknown): boolean {
  const code = (error as { code?: number }).code;
  const writeErrors = (error as { writeErrors?: { code?: number; err?: { code?: number } }[] }).writeErrors;
  return code === 11000 || (writeErrors !== undefined && writeErrors.every((item) => (item.code ?? item.err?.code) === 11000));
}

function ignoreDuplicates(error: unknown): void {
  if (!isDuplicate(error)) throw error;
}
