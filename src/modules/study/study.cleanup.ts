import type { Types } from "mongoose";
import { CardModel } from "./card.model";
import { DeckModel } from "./deck.model";
import { StudyProfileModel } from "./preferences.model";
import { CardState, ReviewLogModel, ReviewStateModel, StudiedDeckModel } from "./review.model";

type StateFilter = { deck_id: { $in: Types.ObjectId[] } } | { card_id: { $in: Types.ObjectId[] } } | { card_id: Types.ObjectId; ord: { $nin: number[] } };

/** Removes decks and cards with everything that hangs off them: every learner's schedules, counts and review logs. */
export class StudyCleanup {
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
