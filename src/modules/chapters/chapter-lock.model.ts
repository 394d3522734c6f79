import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";

/**
 * The lease one request holds while it rewrites a course's chapter places, one document per
 * course. `until` bounds how long a crashed holder can block others; the TTL index removes the
 * leases such a holder leaves behind.
 */
@modelOptions({ schemaOptions: { collection: "chapter_locks", versionKey: false } })
@index({ until: 1 }, { expireAfterSeconds: 60 })
export class ChapterLock {
  /** The course's id. */
  @prop({ required: true, type: () => Types.ObjectId })
  _id!: Types.ObjectId;

  @prop({ required: true })
  token!: string;

  @prop({ required: true })
  until!: Date;
}

export const ChapterLockModel = getModelForClass(ChapterLock);
