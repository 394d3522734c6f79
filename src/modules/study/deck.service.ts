import { dropPrincipalFrom, grantedFilter, setGrantOn, type GrantOptions, type GrantRole } from "../../lib/grants";
import type { QueryFilter, Types } from "mongoose";
import { normalizeOption } from "../../infra/ai/schemas";
import { raise, type FieldError } from "../../lib/errors";
import { asObjectId } from "../../lib/ids";
import type { Actor } from "../../lib/identity";
import { findPage, type Page, type PageWindow } from "../../lib/pagination";
import { findRaw, type RawRead, type Reading } from "../../lib/raw-reads";
import type { Course } from "../courses/course.model";
import type { CourseService } from "../courses/course.service";
import { Card, CardKind, CardModel, CardSourceType, type CardSource } from "./card.model";
import { clozeNumbers } from "./cloze";
import { Deck, DeckKind, DeckModel, MAX_CARDS_PER_DECK, MAX_DECKS_PER_OWNER } from "./deck.model";
import type { StudyCleanup } from "./study.cleanup";
import { cardNotFound, DeckPolicy, deckNotFound } from "./study.policy";
import type { CardContentInput, CreateDeckInput, UpdateDeckInput } from "./study.inputs";

/** A card's content as stored. */
export interface CardContent {
  kind: CardKind;
  front: string;
  back: string;
  explanation: string;
  tags: string[];
}

/** A deck with the course that decides who may use it (null for personal and Mistakes decks). */
export interface DeckAccess {
  deck: Deck;
  course: Course | null;
}

const MISTAKES_TITLE = "Mistakes";

/** Decks and cards: with the review service and the cleanup, the only code that touches `decks` and `cards`. */
export class DeckService {
  constructor(private readonly deps: { courses: CourseService; cleanup: StudyCleanup }) {}

  async ready(): Promise<void> {
    await Promise.all([DeckModel.init(), CardModel.init()]);
  }

  /** The deck and its course if the actor may read it, else null. */
  async readable(actor: Actor, id: Types.ObjectId | string): Promise<DeckAccess | null> {
    const deckId = asObjectId(id);
    const deck = deckId && (await DeckModel.findById(deckId).lean<Deck>().exec());
    if (!deck) return null;
    const course = deck.course_id ? ((await this.deps.courses.byIds([deck.course_id]))[0] ?? null) : null;
    return DeckPolicy.canRead(actor, deck, course) ? { deck, course } : null;
  }

  async readableOrFail(actor: Actor, id: Types.ObjectId | string): Promise<DeckAccess> {
    return (await this.readable(actor, id)) ?? deckNotFound();
  }

  /** FORBIDDEN only where the actor may already read the deck (a course's learner), NOT_FOUND otherwise. */
  async editableOrFail(actor: Actor, id: Types.ObjectId | string): Promise<DeckAccess> {
    const access = await this.readableOrFail(actor, id);
    if (!DeckPolicy.canEdit(actor, access.deck, access.course)) raise("FORBIDDEN", "Only the course's authors may change its decks");
    return access;
  }

  /** Which of these decks the actor may read (one query for their courses). */
  async readableAmong(actor: Actor, decks: readonly Deck[]): Promise<Deck[]> {
    const courseIds = decks.flatMap((deck) => (deck.course_id ? [deck.course_id] : []));
    const courses = courseIds.length > 0 ? await this.deps.courses.byIds(courseIds) : [];
    const byId = new Map(courses.flatMap((course) => (course ? [[String(course._id), course] as const] : [])));
    return decks.filter((deck) => DeckPolicy.canRead(actor, deck, deck.course_id ? (byId.get(String(deck.course_id)) ?? null) : null));
  }

  /** A course's decks for whoever may read the course, else the actor's own decks, newest first. */
  async list(actor: Exclude<Actor, null>, courseId: string | undefined, page: PageWindow): Promise<Page<Deck>> {
    let filter: QueryFilter<Deck>;
    if (courseId) {
      const course = (await this.deps.courses.readable(actor, courseId)) ?? raise("NOT_FOUND", "Course not found");
      filter = { course_id: course._id, kind: DeckKind.COURSE };
    } else {
      filter = personalDecksFilter(actor);
    }
    return findPage<Deck>(DeckModel, filter, { created_at: -1, _id: -1 }, page);
  }

  /** Adds, changes or removes (`role` null) a share of a deck; the caller checked who may share it. */
  async setGrant(deckId: Types.ObjectId, principal: Types.ObjectId, role: GrantRole | null, options?: GrantOptions): Promise<void> {
    await setGrantOn(DeckModel, deckId, principal, role, options);
  }

  /** Decks by id, in key order (null where missing); callers check access. */
  /** Removes every share naming `principal` (a deleted class). */
  async dropSharesWith(principal: Types.ObjectId): Promise<void> {
    await dropPrincipalFrom(DeckModel, principal);
  }

  async byIds(ids: readonly Types.ObjectId[]): Promise<(Deck | null)[]> {
    const found = await DeckModel.find({ _id: { $in: [...ids] } }).lean<Deck[]>().exec();
    const byId = new Map(found.map((deck) => [String(deck._id), deck]));
    return ids.map((id) => byId.get(String(id)) ?? null);
  }

  /**
   * The personal decks a learner studies without naming them: their own personal and Mistakes
   * decks, and the personal decks shared with them or a class of theirs (what `decks` lists).
   */
  studyDecks(actor: Exclude<Actor, null>): Promise<Deck[]> {
    const { model, filter } = this.studyDecksRead(actor);
    return findRaw<Deck>(model, filter);
  }

  /** `studyDecks` as a read for `readTogether`. */
  studyDecksRead(actor: Exclude<Actor, null>): RawRead {
    return { model: DeckModel, filter: personalDecksFilter(actor) as Record<string, unknown> };
  }

  /** The course decks of these courses. */
  courseDecksOf(courseIds: readonly Types.ObjectId[]): Promise<Deck[]> {
    return DeckModel.find({ course_id: { $in: [...courseIds] }, kind: DeckKind.COURSE }).lean<Deck[]>().exec();
  }

  /** Course decks of one course. */
  courseDecks(courseId: Types.ObjectId): Promise<Deck[]> {
    return DeckModel.find({ course_id: courseId, kind: DeckKind.COURSE }).lean<Deck[]>().exec();
  }

  async create(actor: Exclude<Actor, null>, input: CreateDeckInput): Promise<Deck> {
    const course = input.courseId ? await this.deps.courses.editableOrFail(actor, input.courseId) : null;
    const owned = await DeckModel.countDocuments(course ? { course_id: course._id } : { owner_id: actor._id, kind: DeckKind.PERSONAL }).exec();
    if (owned >= MAX_DECKS_PER_OWNER) raise("BAD_USER_INPUT", `At most ${MAX_DECKS_PER_OWNER} decks per owner or course`);
    const created = await DeckModel.create({
      title: input.title.trim(),
      description: input.description.trim(),
      kind: course ? DeckKind.COURSE : DeckKind.PERSONAL,
      owner_id: actor._id,
      course_id: course?._id,
    });
    return created.toObject<Deck>();
  }

  async update(actor: Actor, id: string, input: UpdateDeckInput): Promise<Deck> {
    const { deck } = await this.editableOrFail(actor, id);
    const set: Partial<Deck> = {};
    if (input.title !== undefined) set.title = input.title.trim();
    if (input.description !== undefined) set.description = input.description.trim();
    return (await DeckModel.findByIdAndUpdate(deck._id, { $set: set }, { returnDocument: "after" }).lean<Deck>().exec()) ?? deckNotFound();
  }

  /** Deletes the deck, its cards and every learner's schedule and review log for them. */
  async delete(actor: Actor, id: string): Promise<boolean> {
    const { deck } = await this.editableOrFail(actor, id);
    await this.deps.cleanup.deleteDecks([deck._id]);
    return true;
  }

  /** The learner's Mistakes deck, made on first use (one per learner, even under concurrent attempts). */
  async mistakesDeck(userId: Types.ObjectId): Promise<Deck> {
    const filter = { owner_id: userId, kind: DeckKind.MISTAKES };
    const existing = await DeckModel.findOne(filter).lean<Deck>().exec();
    if (existing) return existing;
    try {
      return await DeckModel.findOneAndUpdate(
        filter,
        { $setOnInsert: { title: MISTAKES_TITLE, description: "Quiz questions you answered wrongly, until you know them." } },
        { upsert: true, returnDocument: "after" },
      )
        .lean<Deck>()
        .exec()
        .then((deck) => deck!);
    } catch (error) {
      // A concurrent upsert won the unique index: use its deck.
      if ((error as { code?: number }).code === 11000) return (await DeckModel.findOne(filter).lean<Deck>().exec())!;
      throw error;
    }
  }

  // Cards

  async cards(actor: Actor, deckId: string, page: PageWindow): Promise<Page<Card>> {
    const { deck } = await this.readableOrFail(actor, deckId);
    return findPage<Card>(CardModel, { deck_id: deck._id }, { seq: 1 }, page);
  }

  /** Every card of a deck in creation order (at most MAX_CARDS_PER_DECK), for export. */
  allCards(deckId: Types.ObjectId): Promise<Card[]> {
    return CardModel.find({ deck_id: deckId }).sort({ seq: 1 }).lean<Card[]>().exec();
  }

  /** The deck's cards numbered `from` to `to` (some may be deleted), with what a schedule needs. */
  cardsNumbered(deckId: Types.ObjectId, from: number, to: number): Promise<Pick<Card, "_id" | "deck_id" | "seq" | "ords">[]> {
    const seqs = Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
    return CardModel.find({ deck_id: deckId, seq: { $in: seqs } }, { _id: 1, deck_id: 1, seq: 1, ords: 1 })
      .lean<Pick<Card, "_id" | "deck_id" | "seq" | "ords">[]>()
      .exec();
  }

  /**
   * The card if the actor may read its deck. The card carries its deck's owner and course (a
   * deck's never change), so the check reads the course of a course card, and the deck only for
   * a personal card the actor does not own (grants are the deck's).
   */
  async readableCard(actor: Actor, id: Types.ObjectId | string): Promise<Card | null> {
    const cardId = asObjectId(id);
    const card = cardId && (await findRaw<Card>(CardModel, { _id: cardId }, { limit: 1 }))[0];
    return card ? this.ifReadable(actor, card) : null;
  }

  /**
   * A card already read (e.g. with other reads in one command, `cardRead`) if the actor may read
   * it, else null: the course of a course card is read, and the deck only for a personal card the
   * actor does not own.
   */
  async ifReadable(actor: Actor, card: Card): Promise<Card | null> {
    const course = card.course_id ? ((await this.deps.courses.byIds([card.course_id]))[0] ?? null) : null;
    if (DeckPolicy.canReadCard(actor, card, course)) return card;
    // A personal deck shared with the actor: its grants live on the deck, read only for such a card.
    return !card.course_id && actor !== null && (await this.readable(actor, card.deck_id)) ? card : null;
  }

  /** The read of a card by id, for `readTogether` (check it with `ifReadable`). */
  cardRead(cardId: Types.ObjectId): RawRead {
    return { model: CardModel, filter: { _id: cardId }, limit: 1 };
  }

  async readableCardOrFail(actor: Actor, id: Types.ObjectId | string): Promise<Card> {
    return (await this.readableCard(actor, id)) ?? cardNotFound();
  }

  async createCard(actor: Actor, input: CardContentInput & { deckId: string }): Promise<Card> {
    const { deck } = await this.editableOrFail(actor, input.deckId);
    const content = checkedContent(input, null, "input");
    const [card] = await this.insertCards(deck, [{ content, source: { type: CardSourceType.MANUAL } }]);
    return card;
  }

  /** Changes a card's content; every learner's schedule for it stays (a cloze number removed loses its own). */
  async updateCard(actor: Actor, id: string, input: CardContentInput): Promise<Card> {
    const card = await this.readableCardOrFail(actor, id);
    await this.editableOrFail(actor, card.deck_id);
    const content = checkedContent(input, card, "input");
    const ords = ordsOf(content);
    const updated = await CardModel.findByIdAndUpdate(card._id, { $set: { ...content, ords, fingerprint: fingerprintOf(content.front) } }, { returnDocument: "after" })
      .lean<Card>()
      .exec();
    await this.deps.cleanup.ordsRemoved(card._id, ords);
    return updated ?? cardNotFound();
  }

  async deleteCard(actor: Actor, id: string): Promise<boolean> {
    const card = await this.readableCardOrFail(actor, id);
    await this.editableOrFail(actor, card.deck_id);
    await this.deps.cleanup.deleteCards([card._id]);
    return true;
  }

  /** Which of these fingerprints the deck already holds. */
  async existingFingerprints(deckId: Types.ObjectId, fingerprints: readonly string[]): Promise<Set<string>> {
    const found = await CardModel.find({ deck_id: deckId, fingerprint: { $in: [...fingerprints] } }, { fingerprint: 1 }).lean<Pick<Card, "fingerprint">[]>().exec();
    return new Set(found.map((card) => card.fingerprint));
  }

  /** The deck's latest fronts, for asking the AI not to repeat them. */
  async recentFronts(deckId: Types.ObjectId, limit: number): Promise<string[]> {
    const found = await CardModel.find({ deck_id: deckId }, { front: 1 }).sort({ seq: -1 }).limit(limit).lean<Pick<Card, "front">[]>().exec();
    return found.map((card) => card.front);
  }

  /** Stores checked cards in a deck, refusing to pass its size limit. */
  async insertCards(deck: Deck, cards: { content: CardContent; source: CardSource }[]): Promise<Card[]> {
    if (cards.length === 0) return [];
    // Numbers and room are taken in one atomic step, so concurrent imports cannot pass the limit together.
    const numbered = await DeckModel.findOneAndUpdate(
      { _id: deck._id, card_count: { $lte: MAX_CARDS_PER_DECK - cards.length } },
      { $inc: { card_seq: cards.length, card_count: cards.length } },
      { returnDocument: "after" },
    )
      .lean<Deck>()
      .exec();
    if (!numbered) {
      const current = (await this.byIds([deck._id]))[0] ?? deckNotFound();
      raise("BAD_USER_INPUT", `A deck holds at most ${MAX_CARDS_PER_DECK} cards (it has ${current.card_count})`);
    }
    const first = numbered.card_seq - cards.length + 1;
    const inserted = await CardModel.insertMany(
      cards.map(({ content, source }, i) => ({
        deck_id: deck._id,
        seq: first + i,
        owner_id: deck.owner_id,
        course_id: deck.course_id,
        ...content,
        ords: ordsOf(content),
        fingerprint: fingerprintOf(content.front),
        source,
      })),
    );
    return inserted.map((card) => card.toObject<Card>());
  }

  /** The learner's cards made from these quiz questions (the Mistakes deck's), those they have: as `answerTogether` takes it. */
  mistakeCardsRead(userId: Types.ObjectId, questionIds: Types.ObjectId[]): Reading<Card[]> {
    return { read: { model: CardModel, filter: { owner_id: userId, "source.type": CardSourceType.QUIZ_QUESTION, "source.question_id": { $in: questionIds } } }, answer: (cards: Card[]) => cards };
  }

}

/** Duplicates within a deck are cards whose fronts differ only in case, spacing or punctuation. */
export function fingerprintOf(front: string): string {
  return normalizeOption(front).slice(0, 500);
}

export function ordsOf(content: Pick<CardContent, "kind" | "front">): number[] {
  return content.kind === CardKind.CLOZE ? clozeNumbers(content.front) : [0];
}

/**
 * The content a create (`current` null) or update leaves, checked as a whole: a BASIC card needs
 * a back, a CLOZE card at least one deletion.
 */
export function checkedContent(input: CardContentInput, current: CardContent | null, path: string): CardContent {
  const content: CardContent = {
    kind: input.kind ?? current?.kind ?? CardKind.BASIC,
    front: (input.front ?? current?.front ?? "").trim(),
    back: (input.back ?? current?.back ?? "").trim(),
    explanation: (input.explanation ?? current?.explanation ?? "").trim(),
    tags: input.tags ? [...new Set(input.tags.map((tag) => tag.trim().toLowerCase()).filter(Boolean))] : (current?.tags ?? []),
  };
  const fields: FieldError[] = [];
  if (!content.front) fields.push({ field: `${path}.front`, message: "front is required" });
  if (content.kind === CardKind.BASIC && !content.back) fields.push({ field: `${path}.back`, message: "a BASIC card needs a back" });
  if (content.kind === CardKind.CLOZE && content.front && clozeNumbers(content.front).length === 0) {
    fields.push({ field: `${path}.front`, message: "a CLOZE card needs at least one {{c1::…}} deletion" });
  }
  if (fields.length > 0) raise("BAD_USER_INPUT", fields.map((field) => field.message).join("; "), { fields });
  return content;
}

/** The actor's own personal and Mistakes decks and the personal decks shared with them. */
function personalDecksFilter(actor: Exclude<Actor, null>): QueryFilter<Deck> {
  return { $or: [{ owner_id: actor._id, kind: { $in: [DeckKind.PERSONAL, DeckKind.MISTAKES] } }, { kind: DeckKind.PERSONAL, ...grantedFilter(actor) }] };
}
