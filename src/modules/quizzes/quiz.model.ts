import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";
import { Grant } from "../../lib/grants";
import { Field, Int, ObjectType, registerEnumType } from "type-graphql";

export enum QuestionType {
  SINGLE_CHOICE = "SINGLE_CHOICE",
  MULTIPLE_CHOICE = "MULTIPLE_CHOICE",
  TRUE_FALSE = "TRUE_FALSE",
  SHORT_ANSWER = "SHORT_ANSWER",
}

/** Stored lower-case like the other sources in the database; GraphQL shows the upper-case names. */
export enum QuizSourceType {
  CHAPTER = "chapter",
  COURSE = "course",
  UPLOAD = "upload",
}

registerEnumType(QuestionType, {
  name: "QuestionType",
  description: "How a question is answered and graded.",
  valuesConfig: {
    SINGLE_CHOICE: { description: "Pick the one correct option." },
    MULTIPLE_CHOICE: { description: "Pick every correct option, and only those." },
    TRUE_FALSE: { description: "A statement; options are True (0) and False (1)." },
    SHORT_ANSWER: { description: "A few words, graded against accepted answers after normalization." },
  },
});

registerEnumType(QuizSourceType, {
  name: "QuizSourceType",
  description: "What a quiz was written from.",
  valuesConfig: {
    CHAPTER: { description: "One chapter of a course." },
    COURSE: { description: "All chapters of a course." },
    UPLOAD: { description: "An uploaded document." },
  },
});

/** The limits of a quiz: the inputs validate them, generation and the query price rely on them. */
export const QUIZ_TITLE_MAX_LENGTH = 200;
export const MAX_GENERATED_QUESTIONS = 20;
export const MAX_QUESTIONS = 50;
export const TEXT_MAX_LENGTH = 2000;

/** How hard generated questions should be; stored with each generated quiz. */
export enum QuizDifficulty {
  EASY = "EASY",
  MEDIUM = "MEDIUM",
  HARD = "HARD",
}

registerEnumType(QuizDifficulty, {
  name: "QuizDifficulty",
  description: "How hard generated questions should be.",
  valuesConfig: {
    EASY: { description: "Recall of facts stated in the material." },
    MEDIUM: { description: "Understanding: facts applied or compared." },
    HARD: { description: "Reasoning across the material." },
  },
});

@ObjectType({ description: "Where in the source a question comes from." })
export class QuestionCitation {
  @Field(() => QuizSourceType, { name: "sourceType", description: "Whether the passage is from a chapter or an upload." })
  @prop({ required: true, enum: QuizSourceType, type: String })
  source_type!: QuizSourceType;

  @Field({ name: "sourceId", description: "The chapter or upload the passage belongs to." })
  @prop({ required: true, type: () => Types.ObjectId })
  source_id!: Types.ObjectId;

  @Field({ name: "sourceTitle", description: "Title of that chapter or upload when the quiz was written." })
  @prop({ required: true })
  source_title!: string;

  @Field(() => Int, { name: "passageIndex", description: "Position of the passage in its source, from 0." })
  @prop({ required: true })
  passage_index!: number;

  @Field({ description: "The passage's text, shortened to a few hundred characters." })
  @prop({ required: true })
  excerpt!: string;

  @Field(() => Int, { name: "pageStart", nullable: true, description: "First page of the passage, for paged documents." })
  @prop({ type: Number })
  page_start?: number;

  @Field(() => Int, { name: "pageEnd", nullable: true, description: "Last page of the passage, for paged documents." })
  @prop({ type: Number })
  page_end?: number;
}

/**
 * One question. The key (`correct_options`, `accepted_answers`), `explanation` and `citation`
 * have no `@Field` here: `QuestionResolver` exposes them only to those who may see keys.
 */
@ObjectType({ description: "One quiz question. Keys, explanation and citation are shown only to the quiz's authors." })
export class Question {
  @Field({ name: "id", description: "The question's id, used in answers." })
  readonly _id!: Types.ObjectId;

  @Field(() => QuestionType, { description: "How the question is answered." })
  @prop({ required: true, enum: QuestionType, type: String })
  type!: QuestionType;

  @Field({ description: "The question itself." })
  @prop({ required: true })
  prompt!: string;

  @Field(() => [String], { description: "Options to choose from, by index from 0; empty for SHORT_ANSWER." })
  @prop({ type: () => [String], default: () => [] })
  options!: string[];

  @prop({ type: () => [Number], default: () => [] })
  correct_options!: number[];

  @prop({ type: () => [String], default: () => [] })
  accepted_answers!: string[];

  @prop({ type: String, default: "" })
  explanation!: string;

  @prop({ type: () => QuestionCitation, _id: false })
  citation?: QuestionCitation;
}

@ObjectType({ description: "A generated question that failed the checks and was not kept." })
export class DroppedQuestion {
  @Field({ description: "The question as the AI wrote it." })
  @prop({ required: true })
  prompt!: string;

  @Field(() => [String], { description: "Why it was rejected, e.g. duplicate options or a key out of range." })
  @prop({ type: () => [String], default: () => [] })
  problems!: string[];
}

@ObjectType({ description: "How a generated quiz was checked: what was asked, kept, replaced and dropped." })
export class GenerationReport {
  @Field(() => Int, { description: "How many questions were asked for." })
  @prop({ required: true })
  requested!: number;

  @Field(() => Int, { description: "How many rejected questions were replaced by regenerated ones." })
  @prop({ required: true })
  regenerated!: number;

  @Field(() => [DroppedQuestion], { description: "Rejected questions, each with its problems (kept for the author to see)." })
  @prop({ type: () => [DroppedQuestion], _id: false, default: () => [] })
  rejected!: DroppedQuestion[];

  @Field({ description: "The AI provider that wrote the questions." })
  @prop({ required: true })
  provider!: string;
}

/** A class that has the quiz as an assignment (see `Quiz.assigned_to`). */
export class AssignedTo {
  @prop({ required: true, type: () => Types.ObjectId })
  class_id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  assignment_id!: Types.ObjectId;

  @prop({ type: Date })
  until?: Date;
}

@ObjectType({ description: "A quiz on a chapter, a course or an upload." })
@modelOptions({
  schemaOptions: { collection: "quizzes", timestamps: { createdAt: "created_at", updatedAt: "updated_at" } },
})
@index({ course_id: 1, created_at: -1, _id: -1 })
@index({ owner_id: 1, created_at: -1, _id: -1 })
@index({ source_type: 1, source_id: 1 })
@index({ "grants.principal": 1 })
export class Quiz {
  @Field({ name: "id", description: "The quiz's id." })
  readonly _id!: Types.ObjectId;

  @Field({ description: "Title, 1 to 200 characters." })
  @prop({ required: true, trim: true })
  title!: string;

  /** Resolved to `Quiz.owner` through a loader. */
  @prop({ required: true, type: () => Types.ObjectId })
  owner_id!: Types.ObjectId;

  @Field(() => QuizSourceType, { name: "sourceType", description: "What the quiz was written from." })
  @prop({ required: true, enum: QuizSourceType, type: String })
  source_type!: QuizSourceType;

  @Field({ name: "sourceId", description: "The chapter, course or upload it was written from." })
  @prop({ required: true, type: () => Types.ObjectId })
  source_id!: Types.ObjectId;

  /** The course a chapter or course quiz belongs to: it decides who may read the quiz. Absent for uploads. */
  @Field({ name: "courseId", nullable: true, description: "The course of a chapter or course quiz; null for an upload's quiz." })
  @prop({ type: () => Types.ObjectId })
  course_id?: Types.ObjectId;

  /** The chapter of a chapter quiz, so weak spots can name it. */
  @Field({ name: "chapterId", nullable: true, description: "The chapter of a chapter quiz; null otherwise." })
  @prop({ type: () => Types.ObjectId })
  chapter_id?: Types.ObjectId;

  @Field(() => [Question], { description: "The questions in order." })
  @prop({ type: () => [Question], default: () => [] })
  questions!: Question[];

  /** Shown to authors through `QuizResolver.generationReport`; absent for hand-made quizzes. */
  @prop({ type: () => GenerationReport, _id: false })
  generation?: GenerationReport;

  /**
   * Until then, attempts of those who do not author the quiz show no keys or explanations (a class
   * assignment due then asked for it); their score and which answers were right still show.
   */
  @prop({ type: Date })
  keys_hidden_until?: Date;

  /**
   * Classes that have the quiz as an assignment, and until when (absent: as long as it is
   * assigned): their members take it through the assignment only (`QuizPolicy.takenThroughClass`),
   * so a free attempt never shows them the keys first. Kept by the classes module.
   */
  @prop({ type: () => [AssignedTo], _id: false, default: () => [] })
  assigned_to?: AssignedTo[];

  /** Shares with classes and users (see `QuizPolicy`); managed by the classes module. */
  @prop({ type: () => [Grant], _id: false, default: () => [] })
  grants?: Grant[];

  @Field({ name: "createdAt", description: "When the quiz was created." })
  readonly created_at!: Date;

  @Field({ name: "updatedAt", description: "When the quiz last changed." })
  readonly updated_at!: Date;
}

export const QuizModel = getModelForClass(Quiz);
