import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";
import { Field, Float, Int, ObjectType } from "type-graphql";

/** One graded answer. Its key and explanation are filled in by `AttemptResolver` from the quiz. */
@ObjectType({ description: "Your answer to one question, graded." })
export class GradedAnswer {
  @Field({ name: "questionId", description: "The question answered." })
  @prop({ required: true, type: () => Types.ObjectId })
  question_id!: Types.ObjectId;

  @Field(() => [Int], { name: "selectedOptions", description: "The options you chose, by index; empty for a short answer." })
  @prop({ type: () => [Number], default: () => [] })
  selected_options!: number[];

  @Field({ nullable: true, description: "Your short answer; null for choice questions." })
  @prop({ type: String })
  text?: string;

  @Field({ description: "Whether the answer was right. An unanswered question is wrong." })
  @prop({ required: true })
  correct!: boolean;

  /** The chapter the question is about (its cited chapter, else the quiz's), for weak spots. */
  @prop({ type: () => Types.ObjectId })
  chapter_id?: Types.ObjectId;
}

@ObjectType({ description: "One submission of a quiz, graded on the server." })
@modelOptions({ schemaOptions: { collection: "quiz_history", timestamps: { createdAt: "created_at", updatedAt: false } } })
// Your history newest first; a quiz's statistics and cascades; admin counts over a period.
// Leaderboards read `leaderboard_scores`, never this collection.
@index({ user_id: 1, created_at: -1, _id: -1 })
@index({ user_id: 1, quiz_id: 1, created_at: -1, _id: -1 })
@index({ quiz_id: 1, user_id: 1 })
@index({ created_at: -1, _id: -1 })
export class QuizAttempt {
  @Field({ name: "id", description: "The attempt's id." })
  readonly _id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  user_id!: Types.ObjectId;

  @Field({ name: "quizId", description: "The quiz taken." })
  @prop({ required: true, type: () => Types.ObjectId })
  quiz_id!: Types.ObjectId;

  /** Copied from the quiz: the course's best scores are kept with it. */
  @prop({ type: () => Types.ObjectId })
  course_id?: Types.ObjectId;

  @Field(() => [GradedAnswer], { description: "One graded answer per question of the quiz, in quiz order." })
  @prop({ type: () => [GradedAnswer], _id: false, default: () => [] })
  answers!: GradedAnswer[];

  @Field(() => Int, { description: "How many questions were answered correctly." })
  @prop({ required: true })
  score!: number;

  @Field(() => Int, { name: "questionCount", description: "How many questions the quiz had when taken." })
  @prop({ required: true })
  question_count!: number;

  @Field(() => Float, { description: "Score as a percentage of the questions, 0 to 100, rounded to one decimal." })
  @prop({ required: true })
  percent!: number;

  @Field(() => Int, {
    description: "Points scored: 10 per correct answer. What the leaderboard adds for this attempt is `leaderboardPoints`.",
  })
  @prop({ required: true })
  points!: number;

  /** Decided when submitted (first attempt, not an author): whether the leaderboard counts it. */
  @Field({
    name: "countsForLeaderboard",
    description:
      "Whether the leaderboard counts this attempt's points, decided when it was submitted. By default only your first attempt at a quiz you cannot author counts (LEADERBOARD_FIRST_ATTEMPT_ONLY, LEADERBOARD_AUTHORS_SCORE): every attempt reveals the keys, and an author knows them. Attempts that do not count still count in quizzes taken, attempts and average score.",
  })
  @prop({ required: true, default: true })
  counts_for_leaderboard!: boolean;

  @Field({ name: "createdAt", description: "When the attempt was submitted." })
  readonly created_at!: Date;
}

export const QuizAttemptModel = getModelForClass(QuizAttempt);
