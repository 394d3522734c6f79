import { getModelForClass, index, modelOptions, prop, Severity } from "@typegoose/typegoose";
import { Types } from "mongoose";

export enum JobStatus {
  QUEUED = "queued",
  RUNNING = "running",
  SUCCEEDED = "succeeded",
  FAILED = "failed",
}

/** One piece of long work; its state survives the process, so any instance can answer for it. */
@modelOptions({
  schemaOptions: { collection: "jobs", minimize: false, timestamps: { createdAt: "created_at", updatedAt: "updated_at" } },
  options: { allowMixed: Severity.ALLOW },
})
@index({ owner_id: 1, created_at: -1 })
export class Job {
  readonly _id!: Types.ObjectId;

  /** What the job does, e.g. `course_generation`; each kind owns the shape of `progress` and `result`. */
  @prop({ required: true, type: String })
  kind!: string;

  @prop({ required: true, type: () => Types.ObjectId })
  owner_id!: Types.ObjectId;

  @prop({ required: true, enum: JobStatus, type: String, default: JobStatus.QUEUED })
  status!: JobStatus;

  @prop({ type: Object, default: () => ({}) })
  progress!: Record<string, unknown>;

  @prop({ type: Object })
  result?: Record<string, unknown>;

  /** Why a failed job failed, in words a user can read. */
  @prop({ type: String })
  error?: string;

  /** Counts updates: a watcher that read the job skips published updates it already saw. */
  @prop({ required: true, type: Number, default: 0 })
  version!: number;

  /**
   * Renewed by every update of a running job; a running job past it was abandoned by a process
   * that stopped, and reads report it as failed.
   */
  @prop({ required: true, type: Date })
  lease_until!: Date;

  readonly created_at!: Date;
  readonly updated_at!: Date;
}

export const JobModel = getModelForClass(Job);

declare module "../pubsub/topics" {
  interface TopicMap {
    /** A durable job's stored state after each update, by job id. */
    JOB_UPDATED: [jobId: string, payload: Job];
  }
}
