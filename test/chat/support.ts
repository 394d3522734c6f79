import type { Client } from "graphql-ws";
import {
  ChatSessionDocument,
  CreateChatSessionDocument,
  OnChatMessageStreamDocument,
  SendChatMessageDocument,
  type ChatMessageFieldsFragment,
  type ChatStreamEventFieldsFragment,
  type CreateChatSessionInput,
  type SendChatMessageMutation,
} from "../generated/graphql";
import { ok, type Gql } from "../courses/support";
import { nextResult, subscribe } from "../helpers/ws";

export type StreamEvent = ChatStreamEventFieldsFragment;
export type Turn = SendChatMessageMutation["sendChatMessage"];

export async function createSession(gql: Gql, token: string, input: Partial<CreateChatSessionInput> = {}): Promise<string> {
  const response = await gql(CreateChatSessionDocument, { input: { mode: "HYBRID", ...input } }, { token });
  return ok(response).createChatSession.id;
}

export async function ask(gql: Gql, token: string, sessionId: string, content: string): Promise<Turn> {
  return ok(await gql(SendChatMessageDocument, { sessionId, content }, { token })).sendChatMessage;
}

/** A subscription to one answer, read event by event. */
export function follow(client: Client, messageId: string) {
  const iterator = subscribe(client, OnChatMessageStreamDocument, { messageId });
  const events: StreamEvent[] = [];
  return {
    events,
    /** The next event; throws on a GraphQL error. */
    async next(timeoutMs = 10_000): Promise<StreamEvent> {
      const result = await nextResult(iterator, timeoutMs);
      if (result.errors?.length || !result.data) throw new Error(`stream error: ${JSON.stringify(result.errors)}`);
      events.push(result.data.chatMessageStream);
      return result.data.chatMessageStream;
    },
    /** Every event up to the final one. */
    async rest(timeoutMs = 20_000): Promise<StreamEvent[]> {
      while (!events.at(-1)?.done) await this.next(timeoutMs);
      return events;
    },
    /** The first result, which for a refused subscription is its error. */
    first: () => nextResult(iterator),
    close: () => iterator.return?.(),
  };
}

/** The text the events spell out, checking that `seq` only ever increases. */
export function textOf(events: StreamEvent[]): string {
  for (let i = 1; i < events.length; i++) {
    if (events[i].seq <= events[i - 1].seq) throw new Error(`seq not increasing: ${events.map((e) => e.seq).join(",")}`);
  }
  return events.map((event) => event.delta).join("");
}

export async function storedMessage(gql: Gql, token: string, sessionId: string, messageId: string): Promise<ChatMessageFieldsFragment> {
  const session = ok(await gql(ChatSessionDocument, { id: sessionId, limit: 100 }, { token })).chatSession;
  const message = session?.messages.items.find((item) => item.id === messageId);
  if (!message) throw new Error(`message ${messageId} not found`);
  return message;
}

/** Polls until the stored answer is no longer STREAMING. */
export async function finished(gql: Gql, token: string, sessionId: string, messageId: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const message = await storedMessage(gql, token, sessionId, messageId);
    if (message.status !== "STREAMING") return message;
    if (Date.now() > deadline) throw new Error(`message ${messageId} still STREAMING`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
