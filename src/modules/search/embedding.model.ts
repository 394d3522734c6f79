import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";

/** Stored lower-case; GraphQL's `SourceType` shows the upper-case names. */
export enum SourceType {
  UPLOAD = "upload",
  CHAPTER = "chapter",
}

/**
 * One embedded passage of an upload or a chapter. Not a GraphQL type: search returns `SearchHit`.
 * Access is decided by `owner_id` (uploads) and `course_id` (chapters) at query time.
 */
@modelOptions({ schemaOptions: { collection: "embeddings", timestamps: { createdAt: "created_at", updatedAt: false } } })
@index({ source_type: 1, source_id: 1, chunk_index: 1 })
@index({ owner_id: 1, embedding_model_id: 1 })
@index({ course_id: 1, embedding_model_id: 1 })
export class Embedding {
  readonly _id!: Types.ObjectId;

  @prop({ required: true, enum: SourceType, type: String })
  source_type!: SourceType;

  @prop({ required: true, type: () => Types.ObjectId })
  source_id!: Types.ObjectId;

  /** Upload or chapter title when indexed, so hits name their source without another query. */
  @prop({ required: true })
  source_title!: string;

  /** Owner of an upload; absent for chapters (their course decides who may read them). */
  @prop({ type: () => Types.ObjectId })
  owner_id?: Types.ObjectId;

  /** Course of a chapter. */
  @prop({ type: () => Types.ObjectId })
  course_id?: Types.ObjectId;

  @prop({ required: true })
  chunk_index!: number;

  @prop({ required: true })
  text!: string;

  @prop({ type: Number })
  page_start?: number;

  @prop({ type: Number })
  page_end?: number;

  @prop({ type: String, default: "" })
  heading!: string;

  @prop({ required: true })
  char_start!: number;

  @prop({ required: true })
  char_end!: number;

  /** A table of contents or an index: ranked below content, never given to the tutor. */
  @prop({ type: Boolean, default: false })
  toc!: boolean;

  /** Unit length, so cosine similarity is a dot product. Left out of reads unless asked for. */
  @prop({ required: true, type: () => [Number], select: false })
  embedding!: number[];

  /** The embedding space; only vectors of the active id are ever compared. */
  @prop({ required: true })
  embedding_model_id!: string;

  readonly created_at!: Date;
}

export const EmbeddingModel = getModelForClass(Embedding);
