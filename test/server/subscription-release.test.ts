import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import mongoose from "mongoose";
import { CreateChatSessionDocument, OnChatSessionEventsDocument, UploadProgressDocument } from "../generated/graphql";
import { REDIS_TEST_URL } from "../chat/redis";
import { ok, startCourseWorld, type CourseWorld } from "../courses/support";
import { nextResult, subscribe, wsClient } from "../helpers/ws";
import { settled, uploaded } from "../uploads/support";

/**
 * A client that leaves a subscription releases its pub/sub listener at once, not at the next
 * event (which may never come). Seen from outside through Redis: the server's subscriber
 * connection is subscribed to a channel exactly while someone listens to it.
 */

let world: CourseWorld;
let redis: Redis;
beforeAll(async () => {
  redis = new Redis(REDIS_TEST_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect().catch((error: Error) => {
    throw new Error(`these tests need a Redis at ${REDIS_TEST_URL} (${error.message})`);
  });
  world = await startCourseWorld({ REDIS_URL: REDIS_TEST_URL, DATABASE_NAME: `release_${Date.now()}` });
});
afterAll(async () => {
  await world?.server.stop();
  redis?.disconnect();
});

async function listeners(channel: string): Promise<number> {
  const [, count] = (await redis.pubsub("NUMSUB", channel)) as [string, number];
  return count;
}

async function until(condition: () => Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(20);
  }
}

it("uploadProgress: leaving while the upload is still being ingested releases the listener", async () => {
  const student = await world.user();
  const upload = await uploaded(world, student.accessToken, "notes.txt", "Rivers carry water to the sea.\n\nLakes hold it.");
  await settled(world, student.accessToken, upload.id);
  // Back to EMBEDDING, as if an ingestion step were still running: no further update will come.
  await mongoose.connection.db!.collection("uploads").updateOne({ _id: new mongoose.Types.ObjectId(upload.id) }, { $set: { status: "embedding" } });
  const channel = `UPLOAD_UPDATED:${upload.id}`;

  const client = wsClient(world.server.wsUrl, { authorization: `Bearer ${student.accessToken}` });
  const progress = subscribe(client, UploadProgressDocument, { uploadId: upload.id });
  const first = await nextResult(progress);
  expect(first.errors).toBeUndefined();
  expect(first.data?.uploadProgress.status).toBe("EMBEDDING");
  await until(async () => (await listeners(channel)) === 1);

  await progress.return?.();
  await until(async () => (await listeners(channel)) === 0);
  await client.dispose();
});

it("chatSessionEvents: leaving with nothing happening in the session releases the listener", async () => {
  const student = await world.user();
  const session = ok(await world.gql(CreateChatSessionDocument, { input: { mode: "HYBRID" } }, { token: student.accessToken })).createChatSession;
  const channel = `CHAT_SESSION_EVENTS:${session.id}`;

  const client = wsClient(world.server.wsUrl, { authorization: `Bearer ${student.accessToken}` });
  const events = subscribe(client, OnChatSessionEventsDocument, { sessionId: session.id });
  const pending = events.next();
  await until(async () => (await listeners(channel)) === 1);

  await events.return?.();
  await until(async () => (await listeners(channel)) === 0);
  await expect(pending).resolves.toMatchObject({ done: true });
  await client.dispose();
});
