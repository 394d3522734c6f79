import type { AppPubSub } from "../../infra/pubsub";
import type { Repeater } from "@graphql-yoga/subscription";
import { followLive } from "../../lib/live";
import { ChatMessageStatus, type ChatMessage } from "./chat.model";
import type { ChatStreamPayload } from "./chat.events";
import { ABANDONED_AFTER_MS } from "./stream-writer";

/** How long to wait for the writer's answer to a snapshot request, and how often to ask before giving up on it. */
export const SNAPSHOT_WAIT_MS = 750;
export const SNAPSHOT_ATTEMPTS = 4;

export interface StoredAnswer {
  /** The answer as stored now (null once deleted). */
  load(): Promise<ChatMessage | null>;
  /** Marks a STREAMING answer whose writer neither answers nor saves any more as FAILED; returns it as stored. */
  interrupted(): Promise<ChatMessage | null>;
}

const TIMEOUT = Symbol("timeout");

/**
 * One subscriber's view of an answer: first the text so far as one event, then every live
 * delta exactly once with strictly increasing `seq`, then the final event.
 *
 * It listens before it asks: the writer answers a snapshot request with the whole text as of
 * its current `seq` on the same channel as the deltas, so deltas before the snapshot are in it
 * and deltas after it follow it. A gap (events lost while Redis reconnected) is mended the same
 * way, and a final event that cannot be joined up is completed from the stored message, which
 * the writer saves before it publishes that event.
 *
 * Built on `followLive`: a client that leaves while nothing is being written releases the
 * subscription at once, not at the next event.
 */
export function followAnswer(pubSub: AppPubSub, messageId: string, stored: StoredAnswer): Repeater<ChatStreamPayload> {
  const subscription = pubSub.subscribe("CHAT_MESSAGE_STREAM", messageId)[Symbol.asyncIterator]();
  let next = subscription.next();
  return followLive<ChatStreamPayload, ChatStreamPayload>(subscription, async (live, push) => {
    const message = await stored.load();
    if (!message) return;
    if (message.status !== ChatMessageStatus.STREAMING) {
      await push(finalEvent(message, message.stream_seq, 0));
      return;
    }
    const askSnapshot = () => pubSub.publish("CHAT_CONTROL", messageId, { kind: "snapshot" });
    let synced = false;
    let lastSeq = 0;
    let sent = 0;
    let attempts = 1;
    askSnapshot();
    for (;;) {
      const result = await (synced ? next : timeout(next, SNAPSHOT_WAIT_MS));
      if (result === TIMEOUT) {
        const now = await stored.load();
        // A writer that saved lately is alive, only slow to answer (a busy instance): keep asking.
        if (now?.status === ChatMessageStatus.STREAMING && (attempts < SNAPSHOT_ATTEMPTS || !abandoned(now))) {
          attempts += 1;
          askSnapshot();
          continue;
        }
        const final = now?.status === ChatMessageStatus.STREAMING ? await stored.interrupted() : now;
        if (final) await push(finalEvent(final, Math.max(final.stream_seq, lastSeq + 1), sent));
        return;
      }
      if (result.done) return;
      next = live.next();
      const event = result.value;
      if (event.done) {
        if (synced && event.seq === lastSeq + 1) {
          await push(event);
        } else {
          const final = await stored.load();
          if (final) await push(finalEvent(final, Math.max(event.seq, lastSeq + 1), sent));
        }
        return;
      }
      if (event.snapshot) {
        if (event.seq <= lastSeq && synced) continue;
        const delta = event.delta.slice(sent);
        synced = true;
        lastSeq = event.seq;
        sent = event.delta.length;
        if (delta) await push({ ...event, delta, snapshot: undefined });
      } else if (synced && event.seq === lastSeq + 1) {
        lastSeq = event.seq;
        sent += event.delta.length;
        await push(event);
      } else if (synced && event.seq > lastSeq + 1) {
        synced = false;
        attempts = 1;
        askSnapshot();
      }
      // Anything else was seen already, or comes before the snapshot asked for and is part of it.
    }
  });
}

function abandoned(message: ChatMessage): boolean {
  return Date.now() - message.updated_at.getTime() > ABANDONED_AFTER_MS;
}

/** The stored answer as one final event: whatever of its text this subscriber has not had yet. */
function finalEvent(message: ChatMessage, seq: number, sent: number): ChatStreamPayload {
  return {
    messageId: String(message._id),
    seq,
    delta: message.replaced ? "" : message.content.slice(sent),
    done: true,
    status: message.status,
    citations: message.citations,
    claims: message.claims ?? [],
    grounding: message.grounding ?? null,
    replacement: message.replaced ? message.content : null,
    error: message.error ?? null,
  };
}

function timeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<typeof TIMEOUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMEOUT), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
