import type { ChatMessageStatus, Citation } from "./chat.model";
import type { ChatSessionEvent } from "./chat.types";

/** One event of an answer's stream, as published between instances. */
export interface ChatStreamPayload {
  messageId: string;
  seq: number;
  delta: string;
  done: boolean;
  status: ChatMessageStatus;
  citations?: Citation[] | null;
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
