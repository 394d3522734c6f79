import { randomUUID } from "node:crypto";
import type { Document } from "mongodb";
import { Types } from "mongoose";
import { writeTogether, type RawWrite, type WriteOutcome } from "../../infra/db/write-together";
import { raise } from "../../lib/errors";
import { asObjectId } from "../../lib/ids";
import { findRaw, readTogether, type RawRead, type Reading } from "../../lib/raw-reads";
import type { DomainEventBus } from "../../lib/events";
import type { Actor } from "../../lib/identity";
import type { CourseService } from "../courses/course.service";
import { streaksOf, utcDay } from "../dashboard/streaks";
import type { ProgressService } from "../progress/progress.service";
import type { UserService } from "../users/user.service";
import { CardKind, CardModel, type Card } from "./card.model";
import { clozeAnswer, clozePrompt } from "./cloze";
import type { Deck } from "./deck.model";
import type { DeckService } from "./deck.service";
import { cardNotFound } from "./study.policy";
import { dayNumber, dayStart, defaultProfile, StudyProfileModel, type StudyPreferences } from "./preferences.model";
import { CardState, NEW_DUE_DAY, ReviewLogModel, ReviewRating, ReviewStateModel, StudiedDeckModel, type ReviewLog, type ReviewState, type StudiedDeck } from "./review.model";
import type { Schedule, Scheduler } from "./scheduler";
import { FORECAST_DAYS, type ReviewCardArgs, type StudyPreferencesInput } from "./study.inputs";
import type { ForecastDay, ReviewItem, ReviewQueue, ReviewResult, StudyStats } from "./study.types";

declare module "../../lib/events" {
  interface DomainEvents {
    /**
     * A learner reviewed a card (not a replay): deck assignments count it. `classIds` are the
     * learner's classes as their user holds them (`User.class_ids`): none, no assignment to look up.
     */
    "review.done": { userId: Types.ObjectId; classIds: readonly Types.ObjectId[]; deckId: Types.ObjectId; at: Date };
  }
}

const STARTED = [CardState.LEARNING, CardState.REVIEW, CardState.RELEARNING];
/** New schedules made per deck per queue read: more than a day's new cards can use. */
const SYNC_BATCH = 500;
const STATS_DAYS = 30;
const DAY_MS = 86_400_000;
/** Schedules read ahead for the whole queue beyond its limit, so a few in decks out of scope do not send it back to the database. */
const READ_AHEAD_SLACK = 10;
/** What a review reads of the profile: the preferences, not the counts by day (hundreds of fields for a long-time learner). */
const SETTINGS_ONLY = { due_days: 0, review_days: 0 } as const;
/** What the queue reads of the profile: the streak's days are not among it. */
const QUEUE_FIELDS = { review_days: 0 } as const;

/** The profile without the counts a caller does not read. */
export type ProfileSettings = Omit<StudyPreferences, "due_days" | "review_days">;
type QueueProfile = Omit<StudyPreferences, "review_days">;

export interface StudyScope {
  deckId?: string;
  courseId?: string;
}

interface ScopedDecks {
  decks: Deck[];
  /** No deck or course was named: every deck the learner studies. */
  all: boolean;
  /** Every deck the learner has studied (read with the decks, for `sync`). */
  studied: StudiedDeck[];
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
    return this.profileWith(userId, {});
  }

  /** The learner's profile (the defaults while they have none) without the fields `leftOut` names. */
  private async profileWith<T extends Partial<StudyPreferences>>(userId: Types.ObjectId, leftOut: Record<string, 0>): Promise<T> {
    const [found] = await findRaw<T>(StudyProfileModel, { user_id: userId }, { projection: leftOut, limit: 1 });
    return found ?? (defaultProfile(userId) as unknown as T);
  }

  /** The learner's settings (the defaults while they have none), as `answerTogether` takes them. */
  settingsRead(userId: Types.ObjectId): Reading<ProfileSettings> {
    return {
      read: settingsOf(userId),
      answer: ([found]: ProfileSettings[]) => found ?? defaultProfile(userId),
    };
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
    const profile = await this.profileWith<Pick<StudyPreferences, "due_days">>(userId, QUEUE_FIELDS);
    const today = dayNumber(now);
    return Object.entries(profile.due_days).reduce((sum, [day, count]) => (Number(day) <= today ? sum + Math.max(0, count) : sum), 0);
  }

  // The queue

  async queue(actor: Exclude<Actor, null>, scope: StudyScope, limit: number, now = new Date()): Promise<ReviewQueue> {
    // The whole queue (the usual one) reads its most overdue schedules with their cards, and
    // today's due schedules by deck, with its decks and profile, before it knows which decks are in
    // scope (see `dueStates`): one wait for the database.
    const whole = !scope.deckId && !scope.courseId;
    const ahead = limit + READ_AHEAD_SLACK;
    const [scoped, profile, overdue, todayByDeck] = whole
      ? await this.wholeQueueReads(actor, now, ahead)
      : await Promise.all([this.scopeDecks(actor, scope), this.profileWith<QueueProfile>(actor._id, QUEUE_FIELDS), undefined, undefined]);
    await this.sync(actor, scoped, now);
    const today = dayNumber(now);
    const days = dueDaysOf(profile, today);
    const newLeftToday = Math.max(0, profile.daily_new_limit - (profile.new_day === today ? profile.new_count : 0));
    const readAhead = overdue && { states: overdue, asked: ahead };
    const [dueCount, { due, fresh }] = await Promise.all([
      todayByDeck ? countedAhead(scoped, days, today, todayByDeck) : this.dueCount(actor._id, days, scoped, now),
      this.dueStates(actor._id, days, scoped, now, limit, newLeftToday, readAhead),
    ]);
    const items: ReviewItem[] = [];
    for (const { card, ...state } of interleave(due, fresh)) {
      if (card[0]) items.push(this.item(card[0], state, profile, now));
    }
    return { items, dueCount, newLeftToday };
  }

  /**
   * What the whole queue reads before it knows its decks: the learner's personal decks, studied
   * decks, profile, most overdue schedules with their cards and today's due schedules by deck in
   * one database command, beside the courses they are enrolled in.
   */
  private async wholeQueueReads(
    actor: Exclude<Actor, null>,
    now: Date,
    ahead: number,
  ): Promise<[ScopedDecks, QueueProfile, Scheduled[], Map<string, number>]> {
    const [reads, enrolled] = await Promise.all([
      readTogether<{ decks: Deck[]; studied: StudiedDeck[]; profile: QueueProfile[]; overdue: Scheduled[]; today: { _id: Types.ObjectId; n: number }[] }>({
        decks: this.deps.decks.studyDecksRead(actor),
        studied: { model: StudiedDeckModel, filter: { user_id: actor._id } },
        profile: { model: StudyProfileModel, filter: { user_id: actor._id }, limit: 1, projection: QUEUE_FIELDS },
        overdue: mostOverdueRead(actor._id, now, ahead),
        today: dueTodayByDeckRead(actor._id, now),
      }),
      this.deps.progress.enrolledCourseIds(actor._id),
    ]);
    const scoped = await this.allDecks(actor, reads.decks, enrolled, reads.studied);
    const profile = reads.profile[0] ?? (defaultProfile(actor._id) as unknown as QueueProfile);
    return [scoped, profile, reads.overdue, new Map(reads.today.map((row) => [String(row._id), row.n]))];
  }

  /** One card of the queue: what to show, and where each rating would take it. */
  private item(card: Card, state: ReviewState, profile: ProfileSettings, now: Date): ReviewItem {
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
   * which days hold any. The whole queue has read its most overdue schedules already (`readAhead`):
   * those in scope answer it unless decks out of scope took too many of them. Otherwise the first
   * days and (when the counts say the due cards fall short) the new cards are read at once.
   */
  private async dueStates(
    userId: Types.ObjectId,
    days: DueDay[],
    { decks, all }: ScopedDecks,
    now: Date,
    limit: number,
    newLeftToday: number,
    readAhead?: { states: Scheduled[]; asked: number },
  ): Promise<{ due: Scheduled[]; fresh: Scheduled[] }> {
    if (decks.length === 0) return { due: [], fresh: [] };
    const deckIds = decks.map((deck) => deck._id);
    const inScope = { user_id: userId, deck_id: { $in: deckIds }, state: { $in: STARTED } };
    const newWanted = (dueFound: number) => Math.min(newLeftToday, limit - dueFound);
    const known = readAhead && keptAhead(readAhead, deckIds, days, limit);
    if (known) {
      const wanted = newWanted(known.length);
      return { due: known, fresh: wanted <= 0 ? [] : await this.newStates(userId, deckIds, wanted) };
    }
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
    const [firstDue, early] = await Promise.all([
      first.chunk.length > 0 ? this.dueOn(inScope, first.chunk, now, limit) : Promise.resolve([]),
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
    return { due, fresh };
  }

  /**
   * Started schedules due now in scope, however many the queue shows: for the whole queue the
   * learner's counts of earlier days, for a deck or course a count of those days; today's are counted.
   */
  private async dueCount(userId: Types.ObjectId, days: DueDay[], { decks, all }: ScopedDecks, now: Date): Promise<number> {
    if (decks.length === 0) return 0;
    const today = dayNumber(now);
    const inScope = { user_id: userId, deck_id: { $in: decks.map((deck) => deck._id) }, state: { $in: STARTED } };
    const earlierDays = days.filter(({ day }) => day < today);
    const [dueToday, earlier] = await Promise.all([
      days.some(({ day }) => day === today) ? ReviewStateModel.collection.countDocuments({ ...inScope, due_day: today, due: { $lte: now } }) : Promise.resolve(0),
      all || earlierDays.length === 0
        ? Promise.resolve(earlierDays.reduce((sum, { count }) => sum + count, 0))
        : ReviewStateModel.collection.countDocuments({ ...inScope, due_day: { $in: earlierDays.map(({ day }) => day) } }),
    ]);
    return earlier + dueToday;
  }

  /** The learner's first new schedules in these decks, with their cards. */
  private newStates(userId: Types.ObjectId, deckIds: Types.ObjectId[], limit: number): Promise<Scheduled[]> {
    if (limit <= 0) return Promise.resolve([]);
    return withCards({ user_id: userId, state: CardState.NEW, deck_id: { $in: deckIds } }, { _id: 1 }, limit);
  }

  /** The most overdue schedules in scope falling due on these days, up to `limit`, with their cards. */
  private dueOn(inScope: Record<string, unknown>, days: number[], now: Date, limit: number): Promise<Scheduled[]> {
    return withCards({ ...inScope, due_day: { $in: days }, due: { $lte: now } }, { due: 1, _id: 1 }, limit);
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
    // The learner's studied decks (a few small documents) are read alongside, so `sync` need not wait for them.
    const studiedDecks = () => findRaw<StudiedDeck>(StudiedDeckModel, { user_id: actor._id });
    if (scope.deckId) {
      const [{ deck }, studied] = await Promise.all([this.deps.decks.readableOrFail(actor, scope.deckId), studiedDecks()]);
      return { decks: [deck], all: false, studied };
    }
    if (scope.courseId) {
      const [course, studied] = await Promise.all([this.deps.courses.readable(actor, scope.courseId), studiedDecks()]);
      return { decks: await this.deps.decks.courseDecks((course ?? raise("NOT_FOUND", "Course not found"))._id), all: false, studied };
    }
    const [personal, enrolled, studied] = await Promise.all([this.deps.decks.studyDecks(actor), this.deps.progress.enrolledCourseIds(actor._id), studiedDecks()]);
    return this.allDecks(actor, personal, enrolled, studied);
  }

  /** Every deck the learner studies: their personal decks, their courses' decks and the other decks they studied, those they may still read. */
  private async allDecks(actor: Exclude<Actor, null>, personal: Deck[], enrolled: Types.ObjectId[], studied: StudiedDeck[]): Promise<ScopedDecks> {
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
    const synced = new Map(scoped.studied.map((entry) => [String(entry.deck_id), entry.synced_seq]));
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
    // The card, the learner's schedules for it, their profile and the log of this idempotency key
    // are read in one command, then the card's access checked (no further read for a card of the
    // learner's own deck); nothing is written before it passes.
    if (!cardId) cardNotFound();
    const clientKey = args.idempotencyKey ?? undefined;
    const read = await readTogether<{ card: Card[]; states: ReviewState[]; profile: ProfileSettings[]; logged?: KeyLog[] }>({
      card: this.deps.decks.cardRead(cardId),
      states: { model: ReviewStateModel, filter: { user_id: actor._id, card_id: cardId } },
      profile: settingsOf(actor._id),
      ...(clientKey ? { logged: keyLogRead(actor._id, clientKey) } : {}),
    });
    const card = (read.card[0] && (await this.deps.decks.ifReadable(actor, read.card[0]))) ?? cardNotFound();
    const profile = read.profile[0] ?? (defaultProfile(actor._id) as unknown as ProfileSettings);
    const ord = ordOf(card, args.clozeNumber);
    const current = read.states.find((state) => state.ord === ord) ?? null;
    const seen = clientKey ? replayOf(clientKey, card, ord, read.logged?.[0], current) : null;
    if (seen) return seen;
    if (args.expectedVersion !== undefined && args.expectedVersion !== null && (current?.version ?? 0) !== args.expectedVersion) {
      raise("CONFLICT", "This card was reviewed since you loaded it; load it again", { version: current?.version ?? 0 });
    }
    if (!isStored(profile)) await this.ensureProfile(actor._id);
    const state = await this.apply(actor._id, card, ord, current, args.rating, now, { key: clientKey ?? randomUUID(), profile, countsAsNew: true });
    if (!state) {
      // Another review moved the schedule first: a copy of this one (same key), or this one came too late.
      const after = clientKey
        ? await readTogether<{ logged: KeyLog[]; states: ReviewState[] }>({
            logged: keyLogRead(actor._id, clientKey),
            states: { model: ReviewStateModel, filter: { user_id: actor._id, card_id: card._id, ord }, limit: 1 },
          })
        : null;
      const replay = clientKey && after ? replayOf(clientKey, card, ord, after.logged[0], after.states[0] ?? null) : null;
      return replay ?? raise("CONFLICT", "This card was reviewed at the same time elsewhere; load it again");
    }
    await this.deps.users.markStudying(actor);
    await this.deps.events.emit("review.done", { userId: actor._id, classIds: actor.class_ids ?? [], deckId: card.deck_id, at: now });
    return { state, duplicate: false };
  }

  /**
   * Quiz questions answered wrongly, each its card and the key that makes it count once: an AGAIN
   * review at the attempt's time, left due at once (a failed recall, so a new card starts learning
   * and a known one relearns). The schedules and keys are read in one command, and every card's
   * writes go in one more.
   */
  async missed(learner: { _id: Types.ObjectId; studying_since?: Date }, profile: ProfileSettings, missed: { card: Card; key: string }[], at: Date): Promise<void> {
    if (missed.length === 0) return;
    const userId = learner._id;
    const read = await readTogether<{ states: ReviewState[]; logged: Pick<ReviewLog, "key">[] }>({
      states: { model: ReviewStateModel, filter: { user_id: userId, card_id: { $in: missed.map(({ card }) => card._id) }, ord: 0 } },
      logged: { model: ReviewLogModel, filter: { user_id: userId, key: { $in: missed.map(({ key }) => key) } }, projection: { key: 1 } },
    });
    const logged = new Set(read.logged.map((log) => log.key));
    if (!isStored(profile)) await this.ensureProfile(userId);
    const plans = missed
      .filter(({ key }) => !logged.has(key))
      .map(({ card, key }) => {
        const current = read.states.find((state) => state.card_id.equals(card._id)) ?? null;
        return this.plan(userId, card, 0, current, ReviewRating.AGAIN, at, { key, profile, countsAsNew: false, dueAt: at });
      });
    // Unordered: one card's lost race does not stop the others' writes (none of them counts a new card, whose two steps need order).
    const outcomes = await writeTogether(plans.flatMap((plan) => plan.writes), { ordered: false });
    const settled: Promise<ReviewState | null>[] = [];
    for (let i = 0, start = 0; i < plans.length; start += plans[i].writes.length, i++) settled.push(plans[i].settle(outcomes.slice(start, start + plans[i].writes.length)));
    const applied = await Promise.all(settled);
    if (applied.some(Boolean)) await this.deps.users.markStudying(learner);
  }

  /**
   * Moves the counts, marks a first schedule's deck studied, moves the schedule on from the
   * version it was read at and logs the review (claiming its key), in that order in one command
   * (one wait), then settles the races. Lost the schedule to another review: the counts are put
   * back, and the log taken back unless the winner, a copy of this review (same key), claimed it;
   * null. Won it while the key's log was another request's: a concurrent copy's log is claimed (or
   * this review's written, the copy having taken its own back); a key already used for another
   * review puts the schedule and the counts back; null.
   */
  private async apply(...review: Parameters<ReviewService["plan"]>): Promise<ReviewState | null> {
    const planned = this.plan(...review);
    return planned.settle(await writeTogether(planned.writes));
  }

  /** A review's writes (`apply`), and how their outcomes are settled; the learner's profile must exist. */
  private plan(
    userId: Types.ObjectId,
    card: Card,
    ord: number,
    current: ReviewState | null,
    rating: ReviewRating,
    now: Date,
    options: { key: string; profile: ProfileSettings; countsAsNew: boolean; dueAt?: Date },
  ): { writes: RawWrite[]; settle: (outcomes: WriteOutcome[]) => Promise<ReviewState | null> } {
    const before: Schedule = current ?? this.deps.scheduler.emptySchedule(now);
    const { next, log } = this.deps.scheduler.next(before, now, rating, options.profile.desired_retention);
    if (options.dueAt) next.due = options.dueAt;
    const entry: Omit<ReviewLog, "_id"> = {
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
    };
    const changes = { ...next, due_day: dayNumber(next.due), last_key: options.key, ...(before.state === CardState.NEW ? { introduced_at: now } : {}) };
    const moves = dueMoves(current, changes.due_day);
    const introduced = options.countsAsNew && before.state === CardState.NEW;
    const counting = countWrites(userId, moves, dayNumber(now), introduced);
    // The schedule as this review leaves it, if it wins.
    const moved: ReviewState = current
      ? { ...current, ...definedOnly(changes), version: current.version + 1 }
      : new ReviewStateModel({ user_id: userId, card_id: card._id, deck_id: card.deck_id, ord, ...changes, version: 1 }).toObject<ReviewState>();
    const logId = new Types.ObjectId();
    const writes: RawWrite[] = [
      ...counting,
      // A schedule that existed came from a deck the learner already studies; marking a deck twice changes nothing.
      ...(current ? [] : [{ model: StudiedDeckModel, updateOne: { filter: { user_id: userId, deck_id: card.deck_id }, update: { $setOnInsert: { synced_seq: 0 } }, upsert: true } }]),
      current
        ? { model: ReviewStateModel, updateOne: { filter: { _id: current._id, version: current.version }, update: { $set: definedOnly(changes), $inc: { version: 1 } } } }
        : { model: ReviewStateModel, insertOne: moved },
      { model: ReviewLogModel, insertOne: { _id: logId, ...entry } },
    ];
    return { writes, settle: (outcomes) => this.settle(outcomes, { userId, current, moved, moves, now, introduced, counted: counting.length, entry, logId }) };
  }

  /** What became of a review's writes: its schedule if it won (see `apply`), else null once what it did is put back. */
  private async settle(
    outcomes: WriteOutcome[],
    review: { userId: Types.ObjectId; current: ReviewState | null; moved: ReviewState; moves: Record<string, number>; now: Date; introduced: boolean; counted: number; entry: Omit<ReviewLog, "_id">; logId: Types.ObjectId },
  ): Promise<ReviewState | null> {
    const { userId, current, moved, moves, now, introduced, entry, logId } = review;
    const [scheduled, logWrite] = outcomes.slice(-2);
    // Only a concurrent review of the same card collides, on the new schedule's key or the log's.
    const failed = outcomes.find((outcome, i) => outcome.error && !(isDuplicate(outcome.error) && i >= outcomes.length - 2));
    if (failed) throw new Error(`review: a write failed: ${failed.error!.message}`);
    if (introduced && outcomes.slice(0, review.counted).every((outcome) => outcome.matched === 0)) {
      // Another review started today's tally in between.
      await StudyProfileModel.collection.updateOne(...onToday(userId, moves, dayNumber(now)));
    }
    const state = scheduled.ran && !scheduled.error && (current ? scheduled.matched > 0 : true) ? moved : null;
    const logged = logWrite.ran && !logWrite.error;
    if (!state) {
      await Promise.all([this.uncount(userId, moves, now, introduced), logged && ReviewLogModel.collection.deleteOne({ _id: logId, applied: { $ne: true } })]);
      return null;
    }
    if (logged || (await claimLog(entry))) return state;
    await Promise.all([
      current ? ReviewStateModel.collection.replaceOne({ _id: current._id, version: state.version }, current) : ReviewStateModel.collection.deleteOne({ _id: state._id, version: state.version }),
      this.uncount(userId, moves, now, introduced),
    ]);
    return null;
  }

  /** Takes back what `countWrites` did for a review that lost to a concurrent one (its day in the streak stays: the other review was that day). */
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

/** A schedule of the queue with its card (`card`: one, or none when the card is gone). */
type Scheduled = ReviewState & { card: Card[] };

/** Joins each schedule's card, found by its id: the queue shows both, and need not wait for the database again. */
const CARD_OF_STATE = { $lookup: { from: CardModel.collection.collectionName, localField: "card_id", foreignField: "_id", as: "card" } };

/** Schedules matching `filter` in `sort` order, up to `limit`, each with its card. */
function withCards(filter: Record<string, unknown>, sort: Record<string, 1 | -1>, limit: number): Promise<Scheduled[]> {
  return ReviewStateModel.collection.aggregate<Scheduled>([{ $match: filter }, { $sort: sort }, { $limit: limit }, CARD_OF_STATE]).toArray();
}

/**
 * The learner's most overdue started schedules in any deck, in queue order, each with its card:
 * the index on (user, due day, due, _id) walks them in that order, new schedules (day
 * NEW_DUE_DAY) left out, and each card is found by its id.
 */
function mostOverdueRead(userId: Types.ObjectId, now: Date, limit: number): RawRead {
  return {
    model: ReviewStateModel,
    filter: { user_id: userId, due_day: { $gt: NEW_DUE_DAY, $lte: dayNumber(now) }, due: { $lte: now } },
    sort: { due_day: 1, due: 1, _id: 1 },
    limit,
    then: [CARD_OF_STATE],
  };
}

/** How many of the learner's started schedules falling due today are due now, by deck. */
function dueTodayByDeckRead(userId: Types.ObjectId, now: Date): RawRead {
  return {
    model: ReviewStateModel,
    filter: { user_id: userId, due_day: dayNumber(now), due: { $lte: now } },
    then: [{ $group: { _id: "$deck_id", n: { $sum: 1 } } }],
  };
}

/** How one review changes the learner's started schedules per due day. */
function dueMoves(before: ReviewState | null, afterDay: number): Record<string, number> {
  const moves: Record<string, number> = {};
  if (before && STARTED.includes(before.state)) moves[`due_days.${before.due_day}`] = -1;
  moves[`due_days.${afterDay}`] = (moves[`due_days.${afterDay}`] ?? 0) + 1;
  return moves;
}

interface DueDay {
  day: number;
  count: number;
}

/** The days up to `today` that the learner's counts say hold started schedules, oldest first. */
function dueDaysOf(profile: Pick<StudyPreferences, "due_days">, today: number): DueDay[] {
  return Object.entries(profile.due_days)
    .map(([day, count]) => ({ day: Number(day), count }))
    .filter(({ day, count }) => day <= today && count > 0)
    .sort((a, b) => a.day - b.day);
}

/**
 * The queue's due schedules from those read ahead (the learner's most overdue in any deck, in
 * queue order): the ones in scope on days the counts hold, as the reads by day would find them.
 * Undefined when they cannot say: fewer than `limit` kept while more may be due.
 */
function keptAhead(
  { states, asked }: { states: Scheduled[]; asked: number },
  deckIds: Types.ObjectId[],
  days: DueDay[],
  limit: number,
): Scheduled[] | undefined {
  const decks = new Set(deckIds.map(String));
  const onDays = new Set(days.map(({ day }) => day));
  const kept = states.filter((state) => STARTED.includes(state.state) && decks.has(String(state.deck_id)) && onDays.has(state.due_day));
  if (kept.length >= limit) return kept.slice(0, limit);
  return states.length < asked ? kept : undefined;
}

/**
 * `dueCount` for the whole queue from today's due schedules by deck, read ahead: the learner's
 * counts of earlier days, and today's in the decks in scope when the counts say today holds any.
 */
function countedAhead({ decks }: ScopedDecks, days: DueDay[], today: number, todayByDeck: Map<string, number>): number {
  if (decks.length === 0) return 0;
  const earlier = days.filter(({ day }) => day < today).reduce((sum, { count }) => sum + count, 0);
  const dueToday = days.some(({ day }) => day === today) ? decks.reduce((sum, deck) => sum + (todayByDeck.get(String(deck._id)) ?? 0), 0) : 0;
  return earlier + dueToday;
}

/** Due cards with new ones spread evenly among them, as Anki mixes them. */
function interleave<T>(due: T[], fresh: T[]): T[] {
  if (fresh.length === 0) return due;
  const out: T[] = [];
  let d = 0;
  for (let n = 0; n < fresh.length; n++) {
    const until = Math.ceil(((n + 1) * due.length) / (fresh.length + 1));
    while (d < until) out.push(due[d++]);
    out.push(fresh[n]);
  }
  while (d < due.length) out.push(due[d++]);
  return out;
}

/** What a review reads of its idempotency key's log: which review it logged. */
type KeyLog = Pick<ReviewLog, "_id" | "card_id" | "ord">;

/** The learner's log under an idempotency key (the unique index on user and key answers it). */
function keyLogRead(userId: Types.ObjectId, key: string): RawRead {
  return { model: ReviewLogModel, filter: { user_id: userId, key }, limit: 1, projection: { card_id: 1, ord: 1 } };
}

/**
 * A review under `key` as a replay of the one already applied: the key's log (or, while a
 * concurrent copy's log is being replaced, the schedule's last key) says it was, and the schedule
 * is returned as it stands. CONFLICT when the key logged another card or cloze number.
 */
function replayOf(key: string, card: Card, ord: number, log: KeyLog | undefined, state: ReviewState | null): ReviewResult | null {
  if (log && (!log.card_id.equals(card._id) || log.ord !== ord)) raise("CONFLICT", "This idempotency key was used for another review");
  if (!state || (!log && state.last_key !== key)) return null;
  return { state, duplicate: true };
}

/**
 * The writes that move the learner's counts along with one review. A card introduced adds one to
 * today's new cards, or starts today's tally at one on the first of the day: each step is
 * conditional, so concurrent reviews (and the `uncount` of those that lost) never undo one
 * another's; in order, at most one of the two matches.
 */
function countWrites(userId: Types.ObjectId, moves: Record<string, number>, today: number, introduced: boolean): RawWrite[] {
  const update = { $inc: moves, $addToSet: { review_days: today } };
  if (!introduced) return [{ model: StudyProfileModel, updateOne: { filter: { user_id: userId }, update } }];
  const [filter, onTodayUpdate] = onToday(userId, moves, today);
  return [
    { model: StudyProfileModel, updateOne: { filter, update: onTodayUpdate } },
    { model: StudyProfileModel, updateOne: { filter: { user_id: userId, new_day: { $ne: today } }, update: { ...update, $set: { new_day: today, new_count: 1 } } } },
  ];
}

/** A card introduced on a day whose tally is started: one more. */
function onToday(userId: Types.ObjectId, moves: Record<string, number>, today: number): [filter: Document, update: Document] {
  return [{ user_id: userId, new_day: today }, { $inc: { ...moves, new_count: 1 }, $addToSet: { review_days: today } }];
}

/** Writes a review's log; its `_id`, or null when its key is taken. */
function insertLog(entry: Omit<ReviewLog, "_id">): Promise<Types.ObjectId | null> {
  // A copy: the driver gives what it inserts an `_id`, which `claimLog` must not set on another log.
  return ReviewLogModel.collection.insertOne({ ...entry }).then(
    (result) => result.insertedId as Types.ObjectId,
    (error: unknown) => (isDuplicate(error) ? null : Promise.reject(error)),
  );
}

/**
 * For a review that moved the schedule while its key's log was another request's: a concurrent
 * copy's log (same card and cloze number) becomes this review's, marked so its writer keeps it;
 * gone (its writer lost and took it back), this review's is written. False when the key belongs
 * to another review.
 */
async function claimLog(entry: Omit<ReviewLog, "_id">): Promise<boolean> {
  const claimed = await ReviewLogModel.collection.updateOne({ user_id: entry.user_id, key: entry.key, card_id: entry.card_id, ord: entry.ord }, { $set: { ...entry, applied: true } });
  return claimed.matchedCount > 0 || (await insertLog(entry)) !== null;
}

/** The learner's profile without its counts by day, as `readTogether` reads it. */
function settingsOf(userId: Types.ObjectId): RawRead {
  return { model: StudyProfileModel, filter: { user_id: userId }, limit: 1, projection: SETTINGS_ONLY };
}

/** Whether a profile was read from the database (not the defaults of a learner who has none yet). */
function isStored(profile: ProfileSettings): boolean {
  return "_id" in profile;
}

/** The fields set to a value: the driver would store an undefined one as null, where mongoose leaves it out. */
function definedOnly<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function isDuplicate(error: unknown): boolean {
  const code = (error as { code?: number }).code;
  const writeErrors = (error as { writeErrors?: { code?: number; err?: { code?: number } }[] }).writeErrors;
  return code === 11000 || (writeErrors !== undefined && writeErrors.every((item) => (item.code ?? item.err?.code) === 11000));
}

function ignoreDuplicates(error: unknown): void {
  if (!isDuplicate(error)) throw error;
}
