import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";
import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { FileType } from "./file-type";

/** Stored lower-case; GraphQL shows the upper-case names. */
export enum UploadStatus {
  PENDING = "pending",
  EXTRACTING = "extracting",
  EMBEDDING = "embedding",
  READY = "ready",
  FAILED = "failed",
}

registerEnumType(UploadStatus, {
  name: "UploadStatus",
  description: "Where an upload is in ingestion.",
  valuesConfig: {
    PENDING: { description: "Stored; waiting for an ingestion worker." },
    EXTRACTING: { description: "Its text is being extracted and cut into passages." },
    EMBEDDING: { description: "Its passages are being embedded for search." },
    READY: { description: "Searchable; chat and quizzes can cite it." },
    FAILED: { description: "Ingestion failed; `error` says why. `reprocessUpload` tries again." },
  },
});

registerEnumType(FileType, {
  name: "FileType",
  description: "Formats that can be uploaded.",
  valuesConfig: {
    PDF: { description: "PDF; passages keep their page numbers." },
    DOCX: { description: "Word document; passages keep their heading path." },
    TXT: { description: "UTF-8 plain text." },
  },
});

/**
 * Who holds an upload's ingestion: an instance claims it by setting a lease it renews while it
 * works. A lease that ran out belongs to an instance that stopped, and any instance resumes it.
 */
export class IngestionLease {
  @prop({ required: true, type: String })
  holder!: string;

  @prop({ required: true, type: Date })
  until!: Date;
}

/** An upload's title is at most this long. */
export const UPLOAD_TITLE_MAX_LENGTH = 200;

@ObjectType({ description: "A document a user uploaded, and how far its ingestion has come." })
@modelOptions({
  schemaOptions: { collection: "uploads", timestamps: { createdAt: "created_at", updatedAt: "updated_at" } },
})
@index({ owner_id: 1, created_at: -1, _id: -1 })
@index({ owner_id: 1, sha256: 1 }, { unique: true })
@index({ status: 1, "lease.until": 1 })
export class UploadedFile {
  @Field({ name: "id", description: "The upload's id." })
  readonly _id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  owner_id!: Types.ObjectId;

  @Field({ description: "A title for the document: the one given, else the file name without its extension." })
  @prop({ required: true, trim: true })
  title!: string;

  @Field({ description: "The file name as uploaded." })
  @prop({ required: true })
  filename!: string;

  @Field(() => FileType, { name: "fileType", description: "The file's format, checked against its content." })
  @prop({ required: true, enum: FileType, type: String })
  file_type!: FileType;

  @Field(() => Int, { name: "fileSize", description: "Size in bytes." })
  @prop({ required: true })
  file_size!: number;

  @Field({ description: "SHA-256 of the content in hex; the same content uploaded twice by one user is stored once." })
  @prop({ required: true })
  sha256!: string;

  /** Id of the bytes in the file store. */
  @prop({ required: true })
  file_id!: string;

  @Field(() => UploadStatus, { description: "Where ingestion is." })
  @prop({ required: true, enum: UploadStatus, type: String, default: UploadStatus.PENDING })
  status!: UploadStatus;

  @Field(() => Int, { description: "Ingestion progress, 0 to 100; 100 once READY." })
  @prop({ required: true, default: 0 })
  progress!: number;

  @Field(() => String, { nullable: true, description: "Why ingestion failed, when FAILED." })
  @prop({ type: String })
  error?: string | null;

  @Field(() => Int, { name: "pageCount", nullable: true, description: "Pages of a PDF, once extracted." })
  @prop({ type: Number })
  page_count?: number | null;

  @Field(() => Int, { name: "chunkCount", description: "Passages stored for search." })
  @prop({ required: true, default: 0 })
  chunk_count!: number;

  @Field(() => Int, { name: "textLength", description: "Characters of text extracted." })
  @prop({ required: true, default: 0 })
  text_length!: number;

  @prop({ type: () => IngestionLease, _id: false })
  lease?: IngestionLease | null;

  /** Counts stored changes: a watcher that read the upload skips published states it already saw. */
  @prop({ required: true, default: 0 })
  revision!: number;

  /**
   * Claims of this attempt that ended with their process gone (neither finished nor handed back):
   * a file whose reading keeps ending the server is failed instead of being claimed forever.
   */
  @prop({ required: true, default: 0 })
  claims!: number;

  /** Bumped by every reprocess: work of an earlier attempt is recognised and dropped. */
  @prop({ required: true, default: 0 })
  attempt!: number;

  @Field({ name: "createdAt", description: "When the file was uploaded." })
  readonly created_at!: Date;

  @Field({ name: "updatedAt", description: "When the upload last changed." })
  readonly updated_at!: Date;
}

export const UploadModel = getModelForClass(UploadedFile);

declare module "../../infra/pubsub/topics" {
  interface TopicMap {
    /** An upload's stored state after each ingestion step, by upload id. */
    UPLOAD_UPDATED: [uploadId: string, payload: UploadedFile];
  }
}
