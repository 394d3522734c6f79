import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";
import { Field, Float, Int, ObjectType, registerEnumType } from "type-graphql";

/** FSRS's card states, by the names ts-fsrs gives them. */
export enum CardState {
  NEW = "NEW",
  LEARNING = "LEARNING",
  REVIEW = "REVIEW",
  RELEARNING = "RELEARNING",
}
registerEnumType(CardState, { name: "CardState", description: "Where a card stands in your schedule (FSRS): new, learning, review or relearning." });

export enum ReviewRating {
  AGAIN = "AGAIN",
  HARD = "HARD",
  GOOD = "GOOD",
  EASY = "EASY",
}
registerEnumType(ReviewRating, { name: "ReviewRating", description: "How well you recalled a card: AGAIN (forgot), HARD, GOOD or EASY." });

/**
 * One learner's schedule for one card (one cloze number of a cloze card): kept apart from the
 * card, so editing its text keeps the schedule and two learners of a course deck never share one.
 * A NEW state exists once the learner's queue has met the card.
 */
@ObjectType({ description: "Your schedule for one card (one cloze number of a cloze card), as FSRS keeps it." })
@modelOptions({ schemaOptions: { collection: "review_states" } })
// Every lookup is by equality, which any MongoDB (the embedded engine included) answers from an
// index: one learner's schedules due on given days; their new cards in given decks; one schedule.
// The whole queue walks (user, due day, due, _id) in order from the oldest due day: it reads the
// most overdue schedules first and stops at its limit.
@index({ card_id: 1 })
@index({ deck_id: 1 })
@index({ user_id: 1, card_id: 1, ord: 1 }, { unique: true })
@index({ user_id: 1, state: 1, deck_id: 1 })
@index({ user_id: 1, due_day: 1, due: 1, _id: 1 })
export class ReviewState {
  readonly _id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  user_id!: Types.ObjectId;

  @Field({ name: "cardId", description: "The card." })
  @prop({ required: true, type: () => Types.ObjectId })
  card_id!: Types.ObjectId;

  @Field(() => Int, { name: "clozeNumber", description: "The cloze number reviewed; 0 for a BASIC card." })
  @prop({ required: true })
  ord!: number;

  @prop({ required: true, type: () => Types.ObjectId })
  deck_id!: Types.ObjectId;

  @Field(() => CardState, { description: "New, learning, review or relearning." })
  @prop({ required: true, enum: CardState, type: String })
  state!: CardState;

  @Field({ description: "When the card is next due." })
  @prop({ required: true })
  due!: Date;

  /** `due`'s UTC day (days since 1970-01-01): the queue reads schedules by day. NEW_DUE_DAY for new cards. */
  @prop({ required: true })
  due_day!: number;

  @Field(() => Float, { description: "FSRS stability: days until recall probability falls to 90%." })
  @prop({ required: true, default: 0 })
  stability!: number;

  @Field(() => Float, { description: "FSRS difficulty, 1 to 10." })
  @prop({ required: true, default: 0 })
  difficulty!: number;

  @prop({ required: true, default: 0 })
  elapsed_days!: number;

  @Field(() => Int, { name: "scheduledDays", description: "Days between the last review and the due date." })
  @prop({ required: true, default: 0 })
  scheduled_days!: number;

  @prop({ required: true, default: 0 })
  learning_steps!: number;

  @Field(() => Int, { description: "How many times you reviewed it." })
  @prop({ required: true, default: 0 })
  reps!: number;

  @Field(() => Int, { description: "How many times you forgot it after learning it." })
  @prop({ required: true, default: 0 })
  lapses!: number;

  @Field(() => Date, { name: "lastReview", nullable: true, description: "When you last reviewed it." })
  @prop({ type: Date })
  last_review?: Date;

  /** When its first review made it stop being new: counts against the daily new-card limit. */
  @prop({ type: Date })
  introduced_at?: Date;

  @Field(() => Int, { description: "Bumped by every review: a review sent with an older `expectedVersion` is refused as CONFLICT." })
  @prop({ required: true, default: 0 })
  version!: number;

  /**
   * The idempotency key of the review that last moved it: that review sent again is a replay even
   * while its log is briefly missing (see `ReviewLog.applied`).
   */
  @prop()
  last_key?: string;
}

export const ReviewStateModel = getModelForClass(ReviewState);

/** New cards are found by state, never by day: their day is one no due day equals, so they never swell a day's lookup. */
export const NEW_DUE_DAY = -1;

/**
 * One review as it happened, with the state before it: the input per-learner FSRS parameter
 * optimisation needs later. `key` makes a repeated submission a no-op.
 */
@modelOptions({ schemaOptions: { collection: "review_logs" } })
@index({ user_id: 1, day: 1 })
// Every log has a key (the client's, or one made up), so the index is complete and answers lookups.
@index({ user_id: 1, key: 1 }, { unique: true })
@index({ deck_id: 1 })
@index({ card_id: 1 })
export class ReviewLog {
  readonly _id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  user_id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  card_id!: Types.ObjectId;

  @prop({ required: true })
  ord!: number;

  @prop({ required: true, type: () => Types.ObjectId })
  deck_id!: Types.ObjectId;

  @prop({ required: true, enum: ReviewRating, type: String })
  rating!: ReviewRating;

  /** The state before this review. */
  @prop({ required: true, enum: CardState, type: String })
  state!: CardState;

  @prop({ required: true })
  due!: Date;

  @prop({ required: true })
  stability!: number;

  @prop({ required: true })
  difficulty!: number;

  @prop({ required: true })
  elapsed_days!: number;

  @prop({ required: true })
  last_elapsed_days!: number;

  @prop({ required: true })
  scheduled_days!: number;

  @prop({ required: true })
  learning_steps!: number;

  /** When the review happened (the server's clock). */
  @prop({ required: true })
  review!: Date;

  /** `review`'s UTC day. */
  @prop({ required: true })
  day!: number;

  /** The client's idempotency key, or a random one when it sent none. */
  @prop({ required: true })
  key!: string;

  /**
   * Set by a review that moved the schedule while a concurrent copy of it (same key) had written
   * this log: the copy, having lost the schedule, must not take the log back.
   */
  @prop()
  applied?: boolean;
}

export const ReviewLogModel = getModelForClass(ReviewLog);

/** Where a learner's queue has read each deck up to: cards numbered after it have no state of theirs yet. */
@modelOptions({ schemaOptions: { collection: "study_decks" } })
@index({ user_id: 1, deck_id: 1 }, { unique: true })
@index({ user_id: 1 })
@index({ deck_id: 1 })
export class StudiedDeck {
  readonly _id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  user_id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  deck_id!: Types.ObjectId;

  /** The deck's cards numbered up to this have a state of the learner's. */
  @prop({ required: true, default: 0 })
  synced_seq!: number;
}

export const StudiedDeckModel = getModelForClass(StudiedDeck);
