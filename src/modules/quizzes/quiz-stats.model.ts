import { getModelForClass, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";

/**
 * A quiz's attempts, counted as they are stored: what its page shows of them (how many, the average
 * percent) in one small document, instead of grouping every attempt at each read. Kept in step by
 * the attempt's own write and by every deletion of attempts (`quiz-stats.ts`); the admin mutation
 * `repairQuizStatistics` rebuilds it from the attempts.
 */
@modelOptions({ schemaOptions: { collection: "quiz_stats", versionKey: false } })
export class QuizStats {
  /** The quiz's id. */
  @prop({ required: true, type: () => Types.ObjectId })
  _id!: Types.ObjectId;

  @prop({ required: true, default: 0 })
  attempts!: number;

  /** The sum of the attempts' percents: their average is `percent_sum / attempts`. */
  @prop({ required: true, default: 0 })
  percent_sum!: number;
}

export const QuizStatsModel = getModelForClass(QuizStats);
