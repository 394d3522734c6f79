import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";

/**
 * A user's best score at one quiz: over all time (`day` null) and per UTC day. Kept on every
 * attempt so a leaderboard groups these small rows, never the attempts with all their answers;
 * periods start at UTC midnights, so a period's best is the best of its days.
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

  @prop({ required: true })
  points!: number;

  @prop({ required: true })
  percent!: number;
}

export const BestScoreModel = getModelForClass(BestScore);
