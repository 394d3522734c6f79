import type { Types } from "mongoose";
import { dropPrincipalFrom } from "../../lib/grants";
import type { CourseService } from "../courses/course.service";
import { CardModel } from "./card.model";
import { DeckKind, DeckModel, type Deck } from "./deck.model";
import { StudyProfileModel } from "./preferences.model";
import { CardState, ReviewLogModel, ReviewStateModel, StudiedDeckModel } from "./review.model";

type StateFilter = { deck_id: { $in: Types.ObjectId[] } } | { card_id: { $in: Types.ObjectId[] } } | { card_id: Types.ObjectId; ord: { $nin: number[] } };

/** Removes decks and cards with everything that hangs off them: every learner's schedules, counts and review logs. */
export class StudyCleanup {
  constructor(private readonly deps: { courses: Pick<CourseService, "byIds"> }) {}

  /**
   * `user.deleted` (after their courses went): their personal and Mistakes decks go with every
   * learner's schedules for them; course decks they made for someone else's course stay with the
   * course, its owner's from now on; then their own schedules, review logs and preferences, and
   * shares naming them. Safe to run again.
   */
  async userDeleted(userId: Types.ObjectId): Promise<void> {
    const decks = await DeckModel.find({ owner_id: userId }, { _id: 1, kind: 1, course_id: 1 }).lean<Pick<Deck, "_id" | "kind" | "course_id">[]>().exec();
    const courseIds = decks.flatMap((deck) => (deck.kind === DeckKind.COURSE && deck.course_id ? [deck.course_id] : []));
    const courses = await this.deps.courses.byIds(courseIds);
    const heirs = new Map(courses.flatMap((course) => (course && !course.owner_id.equals(userId) ? [[String(course._id), course.owner_id] as const] : [])));
    const gone: Types.ObjectId[] = [];
    for (const deck of decks) {
      const heir = deck.kind === DeckKind.COURSE && deck.course_id ? heirs.get(String(deck.course_id)) : undefined;
      if (!heir) {
        gone.push(deck._id);
        continue;
      }
      await CardModel.updateMany({ deck_id: deck._id }, { $set: { owner_id: heir } }).exec();
      await DeckModel.updateOne({ _id: deck._id }, { $set: { owner_id: heir } }).exec();
    }
    await this.deleteDecks(gone);
    const mine = { user_id: userId };
    await ReviewStateModel.deleteMany(mine).exec();
    await Promise.all([ReviewLogModel.deleteMany(mine).exec(), StudiedDeckModel.deleteMany(mine).exec()]);
    await StudyProfileModel.deleteMany(mine).exec();
    await dropPrincipalFrom(DeckModel, userId);
  }

  async deleteDecks(deckIds: Types.ObjectId[]): Promise<void> {
    if (deckIds.length === 0) return;
    const filter = { deck_id: { $in: deckIds } };
    // Schedules first: a schedule left without its card would still be counted as due.
    await this.forgetStates(filter);
    await Promise.all([ReviewLogModel.deleteMany(filter).exec(), StudiedDeckModel.deleteMany(filter).exec()]);
    await CardModel.deleteMany(filter).exec();
    await DeckModel.deleteMany({ _id: { $in: deckIds } }).exec();
  }

  async deleteCards(cardIds: Types.ObjectId[]): Promise<void> {
    const filter = { card_id: { $in: cardIds } };
    await this.forgetStates(filter);
    await ReviewLogModel.deleteMany(filter).exec();
    const cards = await CardModel.find({ _id: { $in: cardIds } }, { deck_id: 1 }).lean<{ deck_id: Types.ObjectId }[]>().exec();
    await CardModel.deleteMany({ _id: { $in: cardIds } }).exec();
    const perDeck = new Map<string, { deck: Types.ObjectId; count: number }>();
    for (const { deck_id } of cards) perDeck.set(String(deck_id), { deck: deck_id, count: (perDeck.get(String(deck_id))?.count ?? 0) + 1 });
    await Promise.all([...perDeck.values()].map(({ deck, count }) => DeckModel.updateOne({ _id: deck }, { $inc: { card_count: -count } }).exec()));
  }

  /** A cloze card edited to lose a cloze number loses that number's schedules. */
  async ordsRemoved(cardId: Types.ObjectId, ords: number[]): Promise<void> {
    await this.forgetStates({ card_id: cardId, ord: { $nin: ords } });
  }

  async deleteForCourse(courseId: Types.ObjectId): Promise<void> {
    const decks = await DeckModel.find({ course_id: courseId }, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>().exec();
    await this.deleteDecks(decks.map((deck) => deck._id));
  }

  /** Deletes schedules, taking them out of their learners' due counts first. */
  private async forgetStates(filter: StateFilter): Promise<void> {
    const rows = await ReviewStateModel.aggregate<{ _id: { user: Types.ObjectId; day: number }; count: number }>([
      { $match: { ...filter, state: { $ne: CardState.NEW } } },
      { $group: { _id: { user: "$user_id", day: "$due_day" }, count: { $sum: 1 } } },
    ]).exec();
    if (rows.length > 0) {
      await StudyProfileModel.bulkWrite(
        rows.map((row) => ({ updateOne: { filter: { user_id: row._id.user }, update: { $inc: { [`due_days.${row._id.day}`]: -row.count } } } })),
      );
    }
    await ReviewStateModel.deleteMany(filter).exec();
  }
}
