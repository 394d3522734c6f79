import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";
import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { PageOf } from "../../lib/pagination";

export enum CardKind {
  BASIC = "BASIC",
  CLOZE = "CLOZE",
}
registerEnumType(CardKind, {
  name: "CardKind",
  description: "BASIC: a front and a back. CLOZE: one text with {{c1::…}} deletions; each cloze number is reviewed as its own card.",
});

export enum CardSourceType {
  MANUAL = "MANUAL",
  IMPORT = "IMPORT",
  CHAPTER = "CHAPTER",
  UPLOAD = "UPLOAD",
  QUIZ_QUESTION = "QUIZ_QUESTION",
}
registerEnumType(CardSourceType, { name: "CardSourceType", description: "Where a card came from." });

@ObjectType({ description: "Where a card came from: the passage it was generated from (with pages), or the quiz question it was missed on." })
export class CardSource {
  @Field(() => CardSourceType, { description: "Written by hand, imported, generated from a chapter or an upload, or a missed quiz question." })
  @prop({ required: true, enum: CardSourceType, type: String })
  type!: CardSourceType;

  @Field({ name: "courseId", nullable: true, description: "The course of the chapter or quiz." })
  @prop({ type: () => Types.ObjectId })
  course_id?: Types.ObjectId;

  @Field({ name: "chapterId", nullable: true, description: "The chapter the passage or question comes from." })
  @prop({ type: () => Types.ObjectId })
  chapter_id?: Types.ObjectId;

  @Field({ name: "uploadId", nullable: true, description: "The upload the passage comes from." })
  @prop({ type: () => Types.ObjectId })
  upload_id?: Types.ObjectId;

  @Field({ name: "quizId", nullable: true, description: "The quiz of a missed question." })
  @prop({ type: () => Types.ObjectId })
  quiz_id?: Types.ObjectId;

  @Field({ name: "questionId", nullable: true, description: "The missed question." })
  @prop({ type: () => Types.ObjectId })
  question_id?: Types.ObjectId;

  @Field(() => String, { nullable: true, description: "Title of the chapter, upload or quiz when the card was made." })
  @prop({ type: String })
  title?: string;

  @Field(() => Int, { name: "passageIndex", nullable: true, description: "Position of the cited passage in its source, from 0." })
  @prop({ type: Number })
  passage_index?: number;

  @Field(() => String, { nullable: true, description: "The cited passage, shortened to a few hundred characters." })
  @prop({ type: String })
  excerpt?: string;

  @Field(() => Int, { name: "pageStart", nullable: true, description: "First page of the passage, for paged documents." })
  @prop({ type: Number })
  page_start?: number;

  @Field(() => Int, { name: "pageEnd", nullable: true, description: "Last page of the passage, for paged documents." })
  @prop({ type: Number })
  page_end?: number;
}

@ObjectType({ description: "A flashcard: content only; each learner's schedule for it is kept apart (`myReviews`)." })
@modelOptions({ schemaOptions: { collection: "cards", timestamps: { createdAt: "created_at", updatedAt: "updated_at" } } })
@index({ deck_id: 1 })
@index({ deck_id: 1, seq: 1 })
@index({ deck_id: 1, fingerprint: 1 })
@index({ owner_id: 1, "source.question_id": 1 })
export class Card {
  @Field({ name: "id", description: "The card's id." })
  readonly _id!: Types.ObjectId;

  @Field({ name: "deckId", description: "The deck the card belongs to." })
  @prop({ required: true, type: () => Types.ObjectId })
  deck_id!: Types.ObjectId;

  /** Its number in the deck (1, 2, …), by which learners' queues meet new cards. */
  @prop({ required: true })
  seq!: number;

  /** The deck's owner, kept for Mistakes cards (looked up by question). */
  @prop({ required: true, type: () => Types.ObjectId })
  owner_id!: Types.ObjectId;

  /** A course deck's course, so a deleted course takes its cards without reading its decks first. */
  @prop({ type: () => Types.ObjectId })
  course_id?: Types.ObjectId;

  @Field(() => CardKind, { description: "BASIC or CLOZE." })
  @prop({ required: true, enum: CardKind, type: String })
  kind!: CardKind;

  @Field({ description: "BASIC: the question side. CLOZE: the text with its {{cN::…}} markers." })
  @prop({ required: true })
  front!: string;

  @Field({ description: "BASIC: the answer side. CLOZE: extra text shown with the answer (may be empty)." })
  @prop({ type: String, default: "" })
  back!: string;

  @Field({ description: "Why the answer is right, or its context; may be empty." })
  @prop({ type: String, default: "" })
  explanation!: string;

  @Field(() => [String], { description: "Lower-case tags." })
  @prop({ type: () => [String], default: () => [] })
  tags!: string[];

  @Field(() => [Int], { name: "clozeNumbers", description: "The cloze numbers of a CLOZE card (each is reviewed on its own); [0] for a BASIC card." })
  @prop({ type: () => [Number], default: () => [0] })
  ords!: number[];

  /** Folded front, for finding duplicates within a deck. */
  @prop({ required: true })
  fingerprint!: string;

  @Field(() => CardSource, { description: "Where the card came from." })
  @prop({ required: true, type: () => CardSource, _id: false })
  source!: CardSource;

  @Field({ name: "createdAt", description: "When the card was created." })
  readonly created_at!: Date;

  @Field({ name: "updatedAt", description: "When the card's content last changed." })
  readonly updated_at!: Date;
}

export const CardModel = getModelForClass(Card);

@ObjectType({ description: "A page of cards." })
export class CardPage extends PageOf(Card) {}
