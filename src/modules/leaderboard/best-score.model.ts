import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";

/**
 * A user's score at one quiz: over all time (`day` null) and per UTC day. Kept on every attempt,
 * counted or not, so a leaderboard groups these small rows, never the attempts with all their
 * answers; periods start at UTC midnights, so a period's best is the best of its days and its
 * attempts the sum of its days'.
 */
@modelOptions({ schemaOptions: { collection: "leaderboard_scores" } })
@index({ user_id: 1, quiz_id: 1, day: 1 }, { unique: true })
@index({ day: 1, course_id: 1 })
@index({ quiz_id: 1 })
export class BestScore {
  readonly _id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  user_id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  quiz_id!: Types.ObjectId;

  @prop({ type: () => Types.ObjectId })
  course_id?: Types.ObjectId;

  /** Midnight UTC of the day the scores were made; null for the best of all time. */
  @prop({ type: Date, default: null })
  day!: Date | null;

  /** The best points of an attempt the leaderboard counts, capped; 0 when none counts. */
  @prop({ required: true })
  points!: number;

  /** The best percent of any attempt. */
  @prop({ required: true })
  percent!: number;

  /** Every attempt, counted or not (rows from before it was kept are given 1 at start-up). */
  @prop({ required: true })
  attempts!: number;

  /** The attempts' percents added up, for the average (`percent` on those older rows). */
  @prop({ required: true })
  percent_sum!: number;
}

export const BestScoreModel = getModelForClass(BestScore);
