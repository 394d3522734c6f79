import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { PageOf } from "../../lib/pagination";
import { IdScalar } from "../../lib/scalars";
import { ChatMessage, ChatMessageStatus, ChatSession, Citation, Claim, Grounding } from "./chat.model";

@ObjectType({ description: "A page of chat sessions, most recently active first." })
export class ChatSessionPage extends PageOf(ChatSession) {}

@ObjectType({ description: "A page of a session's messages, newest last." })
export class ChatMessagePage extends PageOf(ChatMessage) {}

@ObjectType({ description: "What `sendChatMessage` stored: the question, and the answer the tutor is now writing." })
export class ChatTurn {
  @Field(() => ChatMessage, { name: "userMessage", description: "The learner's question, stored COMPLETE." })
  userMessage!: ChatMessage;

  @Field(() => ChatMessage, {
    name: "assistantMessage",
    description: "The answer, STREAMING: follow it with `chatMessageStream(messageId: assistantMessage.id)`.",
  })
  assistantMessage!: ChatMessage;
}

@ObjectType({
  description:
    "A piece of an answer as it is written. Appending every `delta` in `seq` order gives the text; the event with `done` ends the stream.",
})
export class ChatStreamEvent {
  @Field(() => IdScalar, { name: "messageId", description: "The answer this event belongs to." })
  messageId!: string;

  @Field(() => Int, {
    description: "Strictly increasing within a message's stream. A late subscriber's first event carries the text so far under its own seq.",
  })
  seq!: number;

  @Field({ description: "Text to append; several tokens may come in one event, and the final event may add the last ones." })
  delta!: string;

  @Field({ description: "Whether this is the last event of the stream." })
  done!: boolean;

  @Field(() => ChatMessageStatus, { description: "STREAMING until the final event, which says how the answer ended." })
  status!: ChatMessageStatus;

  @Field(() => [Citation], { nullable: true, description: "On the final event: the passages the answer cites. Null before." })
  citations?: Citation[] | null;

  @Field(() => [Claim], { nullable: true, description: "On the final event: the answer's claims, each checked against the passages it cites. Null before." })
  claims?: Claim[] | null;

  @Field(() => Grounding, { nullable: true, description: "On the final event of a finished answer: how well the material covers the question. Null before." })
  grounding?: Grounding | null;

  @Field(() => String, {
    nullable: true,
    description:
      "On the final event: the answer's whole text when it differs from the streamed deltas (STRICT replaced an answer its passages do not support by the refusal); null otherwise.",
  })
  replacement?: string | null;

  @Field(() => String, { nullable: true, description: "On a FAILED final event: why the answer could not be finished." })
  error?: string | null;
}

export enum ChatSessionEventKind {
  MESSAGE_CREATED = "MESSAGE_CREATED",
  MESSAGE_DELTA = "MESSAGE_DELTA",
  MESSAGE_FINISHED = "MESSAGE_FINISHED",
  SESSION_UPDATED = "SESSION_UPDATED",
  SESSION_DELETED = "SESSION_DELETED",
}

registerEnumType(ChatSessionEventKind, {
  name: "ChatSessionEventKind",
  description: "What happened in a chat session.",
  valuesConfig: {
    MESSAGE_CREATED: { description: "A question or the start of an answer was stored; `messageId` names it." },
    MESSAGE_DELTA: { description: "An answer grew; `stream` holds the piece." },
    MESSAGE_FINISHED: { description: "An answer ended; `stream` is its final event, with citations." },
    SESSION_UPDATED: { description: "The session was renamed." },
    SESSION_DELETED: { description: "The session was deleted; no more events follow." },
  },
});

@ObjectType({
  description:
    "Something that happened in a session, live only (no catch-up): for every token of one answer from its start, use `chatMessageStream`.",
})
export class ChatSessionEvent {
  @Field(() => IdScalar, { name: "sessionId", description: "The session." })
  sessionId!: string;

  @Field(() => ChatSessionEventKind, { description: "What happened." })
  kind!: ChatSessionEventKind;

  @Field(() => IdScalar, { name: "messageId", nullable: true, description: "The message concerned, for message events." })
  messageId?: string | null;

  @Field(() => ChatStreamEvent, { nullable: true, description: "For MESSAGE_DELTA and MESSAGE_FINISHED: the answer's stream event." })
  stream?: ChatStreamEvent | null;
}
