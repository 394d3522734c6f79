import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";
import { registerEnumType } from "type-graphql";

export enum ActivityKind {
  CHAPTER_COMPLETED = "CHAPTER_COMPLETED",
  QUIZ_ATTEMPTED = "QUIZ_ATTEMPTED",
}

registerEnumType(ActivityKind, {
  name: "ActivityKind",
  description: "What a learner did.",
  valuesConfig: {
    CHAPTER_COMPLETED: { description: "Marked a chapter as completed." },
    QUIZ_ATTEMPTED: { description: "Submitted a quiz attempt." },
  },
});

/**
 * One learning event. Progress keeps only the latest activity per course, and streaks need the
 * day of every completion, so the dashboard logs them as they happen.
 */
@modelOptions({ schemaOptions: { collection: "learning_activity" } })
@index({ user_id: 1, at: -1, _id: -1 })
@index({ user_id: 1, day: 1 })
export class Activity {
  readonly _id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  user_id!: Types.ObjectId;

  @prop({ required: true, enum: ActivityKind, type: String })
  kind!: ActivityKind;

  @prop({ required: true })
  at!: Date;

  /** The UTC calendar day of `at`, `YYYY-MM-DD`: streaks count distinct days. */
  @prop({ required: true })
  day!: string;

  /** The chapter completed, or the quiz taken. */
  @prop({ required: true })
  title!: string;

  @prop({ type: () => Types.ObjectId })
  course_id?: Types.ObjectId;

  @prop({ type: () => Types.ObjectId })
  chapter_id?: Types.ObjectId;

  @prop({ type: () => Types.ObjectId })
  quiz_id?: Types.ObjectId;

  /** The attempt's score, for quiz attempts. */
  @prop({ type: Number })
  percent?: number;
}

export const ActivityModel = getModelForClass(Activity);
