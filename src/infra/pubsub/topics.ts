import type { Job } from "../jobs/job.model";
import type { UploadedFile } from "../../modules/uploads/upload.model";

/**
 * Every pub/sub topic and what it carries: publishers and subscribers can only use these.
 * A two-element tuple is `[id, payload]`: subscribers listen to one id of the topic.
 */
export type TopicMap = {
  [Topic.HealthPing]: [channel: string, payload: PingPayload];
  /** A durable job's stored state after each update, by job id. */
  [Topic.JobUpdated]: [jobId: string, payload: Job];
  /** An upload's stored state after each ingestion step, by upload id. */
  [Topic.UploadUpdated]: [uploadId: string, payload: UploadedFile];
};

export enum Topic {
  HealthPing = "HEALTH_PING",
  JobUpdated = "JOB_UPDATED",
  UploadUpdated = "UPLOAD_UPDATED",
}

export interface PingPayload {
  channel: string;
  message: string;
  sentAt: Date;
}
