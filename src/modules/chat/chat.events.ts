import type { ChatMessageStatus, Citation, Claim, Grounding } from "./chat.model";
import type { ChatSessionEvent } from "./chat.types";

/** One event of an answer's stream, as published between instances. */
export interface ChatStreamPayload {
  messageId: string;
  seq: number;
  delta: string;
  done: boolean;
  status: ChatMessageStatus;
  citations?: Citation[] | null;
  claims?: Claim[] | null;
  grounding?: Grounding | null;
  replacement?: string | null;
  error?: string | null;
  /**
   * Set on the answer's whole text so far (`delta`) as of `seq`, sent when a subscriber asks:
   * subscribers that already have `seq` drop it like any event they have seen.
   */
  snapshot?: boolean;
}

/** Requests to the instance generating an answer. */
export type ChatControl = { kind: "stop" } | { kind: "snapshot" };

export type ChatSessionPayload = ChatSessionEvent;

declare module "../../infra/pubsub/topics" {
  interface TopicMap {
    /** An answer's stream events (and snapshots asked for), by message id. */
    CHAT_MESSAGE_STREAM: [messageId: string, payload: ChatStreamPayload];
    /** Requests to whichever instance writes the answer, by message id. */
    CHAT_CONTROL: [messageId: string, payload: ChatControl];
    /** Everything that happens in a chat session, by session id. */
    CHAT_SESSION_EVENTS: [sessionId: string, payload: ChatSessionPayload];
  }
}
