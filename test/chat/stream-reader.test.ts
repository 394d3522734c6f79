import { setTimeout as sleep } from "node:timers/promises";
import { Types } from "mongoose";
import { createPubSub, type AppPubSub } from "../../src/infra/pubsub";
import type { ChatStreamPayload } from "../../src/modules/chat/chat.events";
import { ChatMessageStatus, ChatRole, type ChatMessage } from "../../src/modules/chat/chat.model";
import { followAnswer, SNAPSHOT_ATTEMPTS, SNAPSHOT_WAIT_MS, type StoredAnswer } from "../../src/modules/chat/stream-reader";
import { ABANDONED_AFTER_MS } from "../../src/modules/chat/stream-writer";

const messageId = new Types.ObjectId();
const id = String(messageId);

function message(changes: Partial<ChatMessage> = {}): ChatMessage {
  return {
    _id: messageId,
    session_id: new Types.ObjectId(),
    owner_id: new Types.ObjectId(),
    role: ChatRole.ASSISTANT,
    content: "",
    status: ChatMessageStatus.STREAMING,
    citations: [],
    claims: [],
    stream_seq: 0,
    created_at: new Date(),
    updated_at: new Date(),
    ...changes,
  };
}

function storedAs(current: () => ChatMessage): StoredAnswer & { interruptions: number } {
  const stored = {
    interruptions: 0,
    load: async () => current(),
    interrupted: async () => {
      stored.interruptions += 1;
      return { ...current(), status: ChatMessageStatus.FAILED, error: "interrupted" };
    },
  };
  return stored;
}

function delta(seq: number, text: string): ChatStreamPayload {
  return { messageId: id, seq, delta: text, done: false, status: ChatMessageStatus.STREAMING };
}

/** A writer that has written `text` as of `seq` and answers snapshot requests with it. */
function writer(pubSub: AppPubSub, state: { seq: number; text: string }) {
  const control = pubSub.subscribe("CHAT_CONTROL", id)[Symbol.asyncIterator]();
  let requests = 0;
  void (async () => {
    for (let next = await control.next(); !next.done; next = await control.next()) {
      requests += 1;
      pubSub.publish("CHAT_MESSAGE_STREAM", id, { ...delta(state.seq, state.text), snapshot: true });
    }
  })();
  return { requests: () => requests, stop: () => control.return?.() };
}

async function collect(iterator: AsyncIterator<ChatStreamPayload>, until: (event: ChatStreamPayload) => boolean) {
  const events: ChatStreamPayload[] = [];
  for (;;) {
    const { value, done } = await iterator.next();
    if (done) return events;
    events.push(value);
    if (until(value)) return events;
  }
}

test("a gap in the live events is mended with a new snapshot: no text lost or repeated, seq increasing", async () => {
  const pubSub = createPubSub();
  const state = { seq: 2, text: "one two " };
  const fake = writer(pubSub, state);
  const reader = followAnswer(pubSub, id, storedAs(() => message()));
  const first = await reader.next();
  expect(first.value).toMatchObject({ seq: 2, delta: "one two " });

  pubSub.publish("CHAT_MESSAGE_STREAM", id, delta(3, "three "));
  // seq 4 is lost on the way; the reader sees 5 and asks again.
  state.seq = 5;
  state.text = "one two three four five ";
  pubSub.publish("CHAT_MESSAGE_STREAM", id, delta(5, "five "));
  const events = await collect(reader, (event) => event.seq === 5);
  pubSub.publish("CHAT_MESSAGE_STREAM", id, { ...delta(6, "six"), done: true, status: ChatMessageStatus.COMPLETE });
  events.push(...(await collect(reader, (event) => event.done)));

  expect(events.map((event) => [event.seq, event.delta])).toEqual([
    [3, "three "],
    [5, "four five "],
    [6, "six"],
  ]);
  expect(fake.requests()).toBe(2);
  await fake.stop();
});

test("a final event that cannot be joined up is completed from the stored message", async () => {
  const pubSub = createPubSub();
  const state = { seq: 1, text: "one " };
  const fake = writer(pubSub, state);
  let current = message();
  const reader = followAnswer(pubSub, id, storedAs(() => current));
  expect((await reader.next()).value).toMatchObject({ seq: 1, delta: "one " });
  current = message({ content: "one two three", status: ChatMessageStatus.COMPLETE, stream_seq: 3 });
  pubSub.publish("CHAT_MESSAGE_STREAM", id, { ...delta(3, "three"), done: true, status: ChatMessageStatus.COMPLETE });
  expect((await reader.next()).value).toMatchObject({ seq: 3, delta: "two three", done: true, status: ChatMessageStatus.COMPLETE });
  expect((await reader.next()).done).toBe(true);
  await fake.stop();
});

test("an answer whose writer neither answers nor saves any more is marked interrupted after the snapshot attempts", async () => {
  const pubSub = createPubSub();
  const lastSaved = new Date(Date.now() - ABANDONED_AFTER_MS - 1_000);
  const stored = storedAs(() => message({ content: "saved so far", updated_at: lastSaved }));
  const started = Date.now();
  const events = await collect(followAnswer(pubSub, id, stored), (event) => event.done);
  expect(events).toEqual([expect.objectContaining({ seq: 1, delta: "saved so far", done: true, status: ChatMessageStatus.FAILED })]);
  expect(stored.interruptions).toBe(1);
  expect(Date.now() - started).toBeGreaterThanOrEqual(SNAPSHOT_WAIT_MS * SNAPSHOT_ATTEMPTS - 50);
});

test("a reader that leaves while nothing is written releases its subscription at once", async () => {
  const pubSub = createPubSub();
  let subscribed = 0;
  let released = 0;
  const counting: AppPubSub = {
    publish: pubSub.publish,
    delivered: pubSub.delivered,
    subscribe: ((...args: Parameters<AppPubSub["subscribe"]>) => {
      const repeater = pubSub.subscribe(...args);
      subscribed += 1;
      const release = repeater.return.bind(repeater);
      repeater.return = (value?: unknown) => {
        released = 1;
        return release(value as never);
      };
      return repeater;
    }) as AppPubSub["subscribe"],
  };
  const fake = writer(pubSub, { seq: 0, text: "" });
  const reader = followAnswer(counting, id, storedAs(() => message()));
  const pending = reader.next();
  await sleep(20);
  expect([subscribed, released]).toEqual([1, 0]);
  const left = Date.now();
  await reader.return(undefined);
  expect(Date.now() - left).toBeLessThan(50);
  expect((await pending).done).toBe(true);
  expect(released).toBe(1);
  await fake.stop();
});

test("a writer slow to answer but saving lately is waited for, not declared interrupted", async () => {
  const pubSub = createPubSub();
  const stored = storedAs(() => message({ content: "saved", updated_at: new Date() }));
  const reader = followAnswer(pubSub, id, stored);
  const first = reader.next();
  await sleep(SNAPSHOT_WAIT_MS * (SNAPSHOT_ATTEMPTS + 1));
  // The writer answers at last.
  pubSub.publish("CHAT_MESSAGE_STREAM", id, { ...delta(2, "saved and more"), snapshot: true });
  expect((await first).value).toMatchObject({ seq: 2, delta: "saved and more", done: false });
  expect(stored.interruptions).toBe(0);
  await reader.return(undefined);
});
