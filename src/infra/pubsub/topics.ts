import type { ChatControl, ChatSessionPayload, ChatStreamPayload } from "../../modules/chat/chat.events";
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
  /** An answer's stream events (and snapshots asked for), by message id. */
  [Topic.ChatMessageStream]: [messageId: string, payload: ChatStreamPayload];
  /** Requests to whichever instance writes the answer, by message id. */
  [Topic.ChatControl]: [messageId: string, payload: ChatControl];
  /** Everything that happens in a chat session, by session id. */
  [Topic.ChatSessionEvents]: [sessionId: string, payload: ChatSessionPayload];
  /** An upload's stored state after each ingestion step, by upload id. */
  [Topic.UploadUpdated]: [uploadId: string, payload: UploadedFile];
};

export enum Topic {
  HealthPing = "HEALTH_PING",
  JobUpdated = "JOB_UPDATED",
  ChatMessageStream = "CHAT_MESSAGE_STREAM",
  ChatControl = "CHAT_CONTROL",
  ChatSessionEvents = "CHAT_SESSION_EVENTS",
  UploadUpdated = "UPLOAD_UPDATED",
}

export interface PingPayload {
  channel: string;
  message: string;
  sentAt: Date;
}
