import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";
import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { Grant } from "../../lib/grants";
import { PageOf } from "../../lib/pagination";

export enum DeckKind {
  PERSONAL = "PERSONAL",
  COURSE = "COURSE",
  MISTAKES = "MISTAKES",
}
registerEnumType(DeckKind, {
  name: "DeckKind",
  description: "Whose a deck is: one learner's own, a course's (authored by its editors, studied by its readers), or a learner's Mistakes deck.",
});

/** The limits of decks and cards: the inputs validate them, the services rely on them. */
export const DECK_TITLE_MAX_LENGTH = 200;
export const DECK_DESCRIPTION_MAX_LENGTH = 1000;
export const CARD_SIDE_MAX_LENGTH = 2000;
export const CARD_EXPLANATION_MAX_LENGTH = 2000;
export const MAX_CARD_TAGS = 10;
export const CARD_TAG_MAX_LENGTH = 40;
/** Bounds one deck's export and its scan for duplicates; a learner may hold many decks. */
export const MAX_CARDS_PER_DECK = 10_000;
export const MAX_DECKS_PER_OWNER = 200;

@ObjectType({ description: "A deck of flashcards." })
@modelOptions({ schemaOptions: { collection: "decks", timestamps: { createdAt: "created_at", updatedAt: "updated_at" } } })
@index({ owner_id: 1, kind: 1 })
@index({ course_id: 1, kind: 1 })
// One Mistakes deck per learner, even when two wrong attempts are stored at once.
@index({ owner_id: 1 }, { unique: true, partialFilterExpression: { kind: DeckKind.MISTAKES } })
@index({ "grants.principal": 1 })
export class Deck {
  @Field({ name: "id", description: "The deck's id." })
  readonly _id!: Types.ObjectId;

  @Field({ description: `Title, 1 to ${DECK_TITLE_MAX_LENGTH} characters.` })
  @prop({ required: true, trim: true })
  title!: string;

  @Field({ description: "What the deck is about; may be empty." })
  @prop({ type: String, default: "" })
  description!: string;

  @Field(() => DeckKind, { description: "Personal, course or Mistakes deck." })
  @prop({ required: true, enum: DeckKind, type: String })
  kind!: DeckKind;

  /** Who made it: the learner for personal and Mistakes decks, the author for a course deck. */
  @prop({ required: true, type: () => Types.ObjectId })
  owner_id!: Types.ObjectId;

  /** A course deck's course: who may read or author it is the course's rule (CoursePolicy). */
  @Field({ name: "courseId", nullable: true, description: "The course of a course deck; null otherwise." })
  @prop({ type: () => Types.ObjectId })
  course_id?: Types.ObjectId;

  /** Cards get numbers 1, 2, … in the order they are added; this is the last one given. */
  @prop({ required: true, default: 0 })
  card_seq!: number;

  @Field(() => Int, { name: "cardCount", description: "How many cards the deck holds." })
  @prop({ required: true, default: 0 })
  card_count!: number;

  /** Shares of a personal deck with classes and users (a course deck follows its course); managed by the classes module. */
  @prop({ type: () => [Grant], _id: false, default: () => [] })
  grants?: Grant[];

  @Field({ name: "createdAt", description: "When the deck was created." })
  readonly created_at!: Date;

  @Field({ name: "updatedAt", description: "When the deck last changed." })
  readonly updated_at!: Date;
}

export const DeckModel = getModelForClass(Deck);

@ObjectType({ description: "A page of decks." })
export class DeckPage extends PageOf(Deck) {}
