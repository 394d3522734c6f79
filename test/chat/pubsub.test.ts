import { setTimeout as sleep } from "node:timers/promises";
import { Types } from "mongoose";
import pino from "pino";
import { createPubSub, openPubSub, type AppPubSub } from "../../src/infra/pubsub";
import { ChatMessageStatus } from "../../src/modules/chat/chat.model";
import type { ChatStreamPayload } from "../../src/modules/chat/chat.events";
import { startTestServer } from "../helpers/server";
import { holdRedisWrites, REDIS_TEST_URL, slowRedisLink } from "./redis";

const log = pino({ level: "silent" });

interface Instances {
  /** Two instances' pub/sub: what one publishes, the other's subscribers receive. */
  a: AppPubSub;
  b: AppPubSub;
  close(): Promise<void>;
}

const adapters: [string, () => Promise<Instances>][] = [
  [
    "in memory (one instance)",
    async () => {
      const pubSub = createPubSub();
      return { a: pubSub, b: pubSub, close: async () => undefined };
    },
  ],
  [
    "Redis (two instances)",
    async () => {
      const [a, b] = await Promise.all([openPubSub(REDIS_TEST_URL, log), openPubSub(REDIS_TEST_URL, log)]);
      return { a: a.pubSub, b: b.pubSub, close: async () => void (await Promise.all([a.close(), b.close()])) };
    },
  ],
];

function event(messageId: string, seq: number): ChatStreamPayload {
  return { messageId, seq, delta: `piece ${seq} `, done: false, status: ChatMessageStatus.STREAMING };
}

/** The seq of the first event after `listening`'s probes (seq 0), in `received` once `receiving` resolves. */
function firstEventAfterProbes(iterator: AsyncIterator<ChatStreamPayload>): { received: number[]; receiving: Promise<void> } {
  const received: number[] = [];
  const receiving = (async () => {
    for (;;) {
      const { value } = await iterator.next();
      if (value.seq === 0) continue;
      received.push(value.seq);
      return;
    }
  })();
  return { received, receiving };
}

/** Redis confirms a subscription asynchronously: publish probes until one arrives. */
async function listening(from: AppPubSub, iterator: AsyncIterator<ChatStreamPayload>, messageId: string): Promise<void> {
  const first = iterator.next();
  let arrived = false;
  void first.then(() => (arrived = true));
  while (!arrived) {
    from.publish("CHAT_MESSAGE_STREAM", messageId, event(messageId, 0));
    await sleep(10);
  }
}

describe.each(adapters)("pub/sub %s", (name, open) => {
  let instances: Instances;
  beforeAll(async () => {
    instances = await open();
  });
  afterAll(() => instances.close());

  test("delivers one id's events in order to its subscribers only, with dates and ids intact", async () => {
    const messageId = new Types.ObjectId().toHexString();
    const mine = instances.b.subscribe("CHAT_MESSAGE_STREAM", messageId)[Symbol.asyncIterator]();
    const other = instances.b.subscribe("CHAT_MESSAGE_STREAM", "another")[Symbol.asyncIterator]();
    const otherNext = other.next();
    await listening(instances.a, mine, messageId);

    const sourceId = new Types.ObjectId();
    const citation = { index: 1, source_type: "upload", source_id: sourceId, title: "t", chunk_index: 0, quote: "q" };
    for (let seq = 1; seq <= 50; seq++) instances.a.publish("CHAT_MESSAGE_STREAM", messageId, event(messageId, seq));
    const sentAt = new Date("2026-01-02T03:04:05.678Z");
    instances.a.publish("JOB_UPDATED", messageId, { _id: sourceId, updated_at: sentAt } as never);
    instances.a.publish("CHAT_MESSAGE_STREAM", messageId, { ...event(messageId, 51), done: true, citations: [citation as never] });

    const received: ChatStreamPayload[] = [];
    for (;;) {
      const { value } = await mine.next();
      if (value.seq === 0) continue;
      received.push(value);
      if (value.done) break;
    }
    expect(received.map((e) => e.seq)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    expect(received.at(-1)?.citations?.[0].source_id).toBeInstanceOf(Types.ObjectId);
    expect(String(received.at(-1)?.citations?.[0].source_id)).toBe(String(sourceId));

    const jobs = instances.b.subscribe("JOB_UPDATED", "job")[Symbol.asyncIterator]();
    const job = jobs.next();
    await sleep(50);
    instances.a.publish("JOB_UPDATED", "job", { _id: sourceId, updated_at: sentAt } as never);
    const { value } = (await job) as { value: { updated_at: Date } };
    expect(value.updated_at).toBeInstanceOf(Date);
    expect(value.updated_at.toISOString()).toBe(sentAt.toISOString());

    await Promise.race([otherNext, sleep(50)]).then((result) => expect(result).toBeUndefined());
    await Promise.all([mine.return?.(), other.return?.(), jobs.return?.()]);
  });

  test("delivered() resolves once what was published has reached the other instance's subscribers", async () => {
    const messageId = new Types.ObjectId().toHexString();
    const mine = instances.b.subscribe("CHAT_MESSAGE_STREAM", messageId)[Symbol.asyncIterator]();
    await listening(instances.a, mine, messageId);
    const { received, receiving } = firstEventAfterProbes(mine);
    const redis = name.startsWith("Redis");
    if (redis) await holdRedisWrites(HELD_MS);
    const started = Date.now();
    instances.a.publish("CHAT_MESSAGE_STREAM", messageId, event(messageId, 1));
    await instances.a.delivered();
    const waited = Date.now() - started;
    // What was handed to this process's sockets is read soon after; without the wait, not before Redis let it go.
    await Promise.race([receiving, sleep(SOON_MS)]);
    expect(received).toEqual([1]);
    if (redis) expect(waited).toBeGreaterThanOrEqual(HELD_MS - 50);
    await receiving;
    await mine.return?.();
  });
});

test("delivered() over Redis waits until an instance far from Redis has read what was published", async () => {
  const link = await slowRedisLink(SLOW_LINK_MS);
  const [near, far] = await Promise.all([openPubSub(REDIS_TEST_URL, log), openPubSub(link.url, log)]);
  try {
    const messageId = new Types.ObjectId().toHexString();
    const mine = far.pubSub.subscribe("CHAT_MESSAGE_STREAM", messageId)[Symbol.asyncIterator]();
    await listening(near.pubSub, mine, messageId);
    const { received, receiving } = firstEventAfterProbes(mine);
    const started = Date.now();
    near.pubSub.publish("CHAT_MESSAGE_STREAM", messageId, event(messageId, 1));
    await near.pubSub.delivered();
    // Redis answered the publish at once; the far instance reads it SLOW_LINK_MS later.
    expect(received).toEqual([1]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(SLOW_LINK_MS - 50);
    await receiving;
  } finally {
    // Closing ends the subscription: an UNSUBSCRIBE still on the slow link when the connection closes would be rejected unheard.
    await Promise.all([near.close(), far.close()]);
    await link.close();
  }
});

/** How late the slow link passes on what Redis sends: well under `delivered()`'s bound of a second. */
const SLOW_LINK_MS = 300;

/** How long Redis holds publishes in the test of `delivered()`: short, since other tests may share this Redis. */
const HELD_MS = 300;
/** How long after `delivered()` the message may take to be read here: well under `HELD_MS`. */
const SOON_MS = 100;

test("a server whose REDIS_URL cannot be reached does not start", async () => {
  const refused = startTestServer({ REDIS_URL: "redis://:not-for-logs@127.0.0.1:1" });
  await expect(refused).rejects.toThrow(/cannot connect to Redis at REDIS_URL=redis:\/\/:\*\*\*@127\.0\.0\.1:1\/? \(connect ECONNREFUSED 127\.0\.0\.1:1\)/);
  await expect(refused).rejects.not.toThrow(/not-for-logs/);
});
