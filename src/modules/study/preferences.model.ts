import { getModelForClass, modelOptions, prop, Severity } from "@typegoose/typegoose";
import { Types } from "mongoose";
import { Field, Float, Int, ObjectType } from "type-graphql";

export const RETENTION_MIN = 0.7;
export const RETENTION_MAX = 0.99;
export const DEFAULT_RETENTION = 0.9;
export const DAILY_NEW_MAX = 500;
export const DEFAULT_DAILY_NEW = 20;

/**
 * One document per learner: their preferences, and the counts the queue, the statistics and the
 * dashboard read instead of scanning schedules (kept in step by every review and deletion).
 */
@ObjectType({ description: "How your reviews are scheduled." })
@modelOptions({ schemaOptions: { collection: "study_profiles", minimize: false }, options: { allowMixed: Severity.ALLOW } })
export class StudyPreferences {
  @prop({ required: true, unique: true, type: () => Types.ObjectId })
  user_id!: Types.ObjectId;

  @Field(() => Float, {
    name: "desiredRetention",
    description: `The recall probability FSRS schedules for (${RETENTION_MIN} to ${RETENTION_MAX}; default ${DEFAULT_RETENTION}). Higher means more reviews.`,
  })
  @prop({ required: true, default: DEFAULT_RETENTION })
  desired_retention!: number;

  @Field(() => Int, { name: "dailyNewLimit", description: `New cards introduced per UTC day (0 to ${DAILY_NEW_MAX}; default ${DEFAULT_DAILY_NEW}).` })
  @prop({ required: true, default: DEFAULT_DAILY_NEW })
  daily_new_limit!: number;

  @Field({ name: "mistakesDeck", description: "Whether wrong quiz answers become cards in your Mistakes deck (default true)." })
  @prop({ required: true, default: true })
  mistakes_deck!: boolean;

  /** Started (not new) schedules by the UTC day they fall due (days since 1970-01-01). */
  @prop({ type: Object, default: () => ({}) })
  due_days!: Record<string, number>;

  /** The UTC day `new_count` counts for: new cards started that day, against the daily limit. */
  @prop({ type: Number, default: 0 })
  new_day!: number;

  @prop({ type: Number, default: 0 })
  new_count!: number;

  /** UTC days with at least one review, for the streak. */
  @prop({ type: () => [Number], default: () => [] })
  review_days!: number[];
}

export const StudyProfileModel = getModelForClass(StudyPreferences);

export function defaultProfile(userId: Types.ObjectId): StudyPreferences {
  return {
    user_id: userId,
    desired_retention: DEFAULT_RETENTION,
    daily_new_limit: DEFAULT_DAILY_NEW,
    mistakes_deck: true,
    due_days: {},
    new_day: 0,
    new_count: 0,
    review_days: [],
  };
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 (UTC). */
export function dayNumber(date: Date): number {
  return Math.floor(date.getTime() / DAY_MS);
}

export function dayStart(day: number): Date {
  return new Date(day * DAY_MS);
}
