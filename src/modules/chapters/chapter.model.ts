import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";
import { Field, Int, ObjectType } from "type-graphql";

/** A course holds at most this many chapters. */
/** A chapter's Markdown is at most this many characters. */
export const CONTENT_MAX_LENGTH = 200_000;
export const MAX_CHAPTERS = 200;

@ObjectType({ description: "One chapter of a course: Markdown content at a place in the course's order." })
@modelOptions({
  schemaOptions: { collection: "chapters", timestamps: { createdAt: "created_at", updatedAt: "updated_at" } },
})
// Unique: a bug that gave two chapters one place fails loudly instead of showing a shuffled course.
@index({ course_id: 1, order: 1 }, { unique: true })
export class Chapter {
  @Field({ name: "id", description: "The chapter's id." })
  readonly _id!: Types.ObjectId;

  /** Resolved to `Chapter.course` through a loader. */
  @prop({ required: true, type: () => Types.ObjectId })
  course_id!: Types.ObjectId;

  @Field({ description: "Title, 1 to 200 characters." })
  @prop({ required: true, trim: true })
  title!: string;

  @Field({ description: "The chapter's teaching text in Markdown." })
  @prop({ type: String, default: "" })
  content!: string;

  @Field(() => Int, { description: "Place in the course, from 1; a course's chapters are numbered 1..n with no gaps." })
  @prop({ required: true })
  order!: number;

  @Field(() => Int, { name: "durationMinutes", description: "Estimated study time in minutes." })
  @prop({ required: true, default: 0 })
  duration_minutes!: number;

  @Field({ name: "createdAt", description: "When the chapter was created." })
  readonly created_at!: Date;

  @Field({ name: "updatedAt", description: "When the chapter last changed." })
  readonly updated_at!: Date;
}

export const ChapterModel = getModelForClass(Chapter);
