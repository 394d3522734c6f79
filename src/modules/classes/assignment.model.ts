import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";
import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { SharedKind } from "./sharing.types";

export enum ScorePolicy {
  BEST = "BEST",
  LAST = "LAST",
}
registerEnumType(ScorePolicy, { name: "ScorePolicy", description: "Which of a student's attempts is the score that counts: the best, or the last." });

export enum AssignmentStatus {
  NOT_STARTED = "NOT_STARTED",
  IN_PROGRESS = "IN_PROGRESS",
  SUBMITTED = "SUBMITTED",
  LATE = "LATE",
  MISSED = "MISSED",
}
registerEnumType(AssignmentStatus, {
  name: "AssignmentStatus",
  description: "Where a student stands with an assignment.",
  valuesConfig: {
    NOT_STARTED: { description: "Nothing done yet, and the due date has not passed." },
    IN_PROGRESS: { description: "Started (a chapter done, a card reviewed, a timed quiz begun) but not finished; not yet due." },
    SUBMITTED: { description: "Done on time: a quiz submitted, every chapter completed, the cards reviewed." },
    LATE: { description: "Done, but only after the due date (or past a timed attempt's limit, where late work counts)." },
    MISSED: { description: "The due date passed with nothing done on time and nothing late." },
  },
});

/** The limits of an assignment's fields. */
export const ASSIGNMENT_TITLE_MAX_LENGTH = 200;
export const MAX_ATTEMPTS_ALLOWED = 100;
export const MAX_TIME_LIMIT_SECONDS = 24 * 3600;
export const MAX_REVIEW_COUNT = 10_000;

@ObjectType({ description: "Work a teacher set a class: a course to complete, a quiz to take or a deck to review, between opening and due dates." })
@modelOptions({ schemaOptions: { collection: "assignments", timestamps: { createdAt: "created_at", updatedAt: "updated_at" } } })
@index({ class_id: 1, due_at: 1, _id: 1 })
@index({ kind: 1, target_id: 1 })
export class Assignment {
  @Field({ name: "id", description: "The assignment's id." })
  readonly _id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  class_id!: Types.ObjectId;

  @Field(() => SharedKind, { description: "What is assigned." })
  @prop({ required: true, enum: SharedKind, type: String })
  kind!: SharedKind;

  @Field({ name: "targetId", description: "The course, quiz or deck assigned." })
  @prop({ required: true, type: () => Types.ObjectId })
  target_id!: Types.ObjectId;

  @Field({ description: "Title; the assigned thing's title unless the teacher gave one." })
  @prop({ required: true, trim: true })
  title!: string;

  @Field({ name: "opensAt", description: "From when students may work on it." })
  @prop({ required: true })
  opens_at!: Date;

  @Field({ name: "dueAt", description: "When it is due; after `opensAt`." })
  @prop({ required: true })
  due_at!: Date;

  @Field(() => Int, { name: "attemptsAllowed", description: "Quiz: how many submissions a student has (1 when not a quiz)." })
  @prop({ required: true, default: 1 })
  attempts_allowed!: number;

  @Field(() => Int, { name: "timeLimitSeconds", nullable: true, description: "Quiz: each attempt's time limit, enforced on the server from `startAssignment`; null for none." })
  @prop({ type: Number })
  time_limit_seconds?: number;

  @Field({ name: "acceptLate", description: "Whether work after the due date (or past a timed attempt's limit) is taken and marked LATE; when false it is refused." })
  @prop({ required: true, default: true })
  accept_late!: boolean;

  @Field(() => ScorePolicy, { name: "scorePolicy", description: "Quiz: which attempt's score counts." })
  @prop({ required: true, enum: ScorePolicy, type: String, default: ScorePolicy.BEST })
  score_policy!: ScorePolicy;

  @Field({ name: "hideKeysUntilDue", description: "Quiz: whether students see the keys and explanations only once it is due." })
  @prop({ required: true, default: false })
  hide_keys_until_due!: boolean;

  @Field(() => Int, { name: "reviewCount", nullable: true, description: "Deck: how many card reviews between opening and due date complete it." })
  @prop({ type: Number })
  review_count?: number;

  /** The teacher who assigned it; unset once that account is deleted (the assignment is the class's). */
  @prop({ type: () => Types.ObjectId })
  created_by?: Types.ObjectId;

  @Field({ name: "createdAt", description: "When it was assigned." })
  readonly created_at!: Date;
}

export const AssignmentModel = getModelForClass(Assignment);

/** One submitted quiz attempt of an assignment. */
export class WorkAttempt {
  @prop({ required: true, type: () => Types.ObjectId })
  attempt_id!: Types.ObjectId;

  @prop({ required: true })
  percent!: number;

  @prop({ required: true })
  submitted_at!: Date;

  @prop({ required: true })
  late!: boolean;
}

/** One student's work on one assignment (`assignment_work`), written as they work. */
@modelOptions({ schemaOptions: { collection: "assignment_work", timestamps: { createdAt: "created_at", updatedAt: "updated_at" } } })
@index({ assignment_id: 1, user_id: 1 }, { unique: true })
@index({ class_id: 1 })
@index({ user_id: 1 })
export class AssignmentWork {
  readonly _id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  assignment_id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  class_id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  user_id!: Types.ObjectId;

  /** The first start (or first progress) on it. */
  @prop({ type: Date })
  started_at?: Date;

  /** The running timed attempt's clock: set by `startAssignment`, cleared by its submission. */
  @prop({ type: Date })
  attempt_ends_at?: Date;

  @prop({ type: () => [WorkAttempt], _id: false, default: () => [] })
  attempts!: WorkAttempt[];

  /** Course: chapters completed, in percent; deck: reviews done of those asked, in percent. */
  @prop({ required: true, default: 0 })
  completion_percent!: number;

  /** Deck: reviews counted so far. */
  @prop({ required: true, default: 0 })
  reviews_done!: number;

  /** When the course or deck reached 100%. */
  @prop({ type: Date })
  completed_at?: Date;
}

export const AssignmentWorkModel = getModelForClass(AssignmentWork);
