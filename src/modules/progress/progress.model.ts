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
