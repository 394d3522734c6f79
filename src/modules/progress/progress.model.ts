import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";

/** One user's enrollment in one course and the chapters they have completed there. */
@modelOptions({
  schemaOptions: { collection: "progress", timestamps: { createdAt: "created_at", updatedAt: "updated_at" } },
})
@index({ user_id: 1, course_id: 1 }, { unique: true })
@index({ course_id: 1 })
export class Progress {
  readonly _id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  user_id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  course_id!: Types.ObjectId;

  @prop({ type: () => [Types.ObjectId], default: () => [] })
  completed_chapter_ids!: Types.ObjectId[];

  /** Enrolling, completing or uncompleting a chapter. */
  @prop({ required: true, default: () => new Date() })
  last_activity_at!: Date;

  readonly created_at!: Date;
  readonly updated_at!: Date;
}

export const ProgressModel = getModelForClass(Progress);

/** What pages show of an enrollment (`summarize`): the fields they read, and nothing else. */
export type Enrollment = Pick<Progress, "course_id" | "completed_chapter_ids" | "created_at" | "last_activity_at">;

/** `Enrollment` as a find's projection. */
export const ENROLLMENT_FIELDS = { _id: 0, course_id: 1, completed_chapter_ids: 1, created_at: 1, last_activity_at: 1 } as const;
