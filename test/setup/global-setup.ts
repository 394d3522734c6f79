/**
 * Jest's globalSetup: makes `npm test` self-sufficient on a fresh Debian or Ubuntu machine. The
 * variables it sets are inherited by the test workers, which start after it.
 */
import { CHROMIUM, meet, REDIS } from "./requirements";
import { startPrivateRedis, type PrivateRedis } from "./redis-server";

declare global {
  // Handed to global-teardown.ts, which runs in the same process.
  var privateRedis: PrivateRedis | undefined;
}

export default async function globalSetup(): Promise<void> {
  const found = meet([REDIS, CHROMIUM]);
  const redisServer = found.get(REDIS);
  if (redisServer) {
    globalThis.privateRedis = await startPrivateRedis(redisServer);
    process.env.REDIS_TEST_URL = globalThis.privateRedis.url;
  }
  const chromium = found.get(CHROMIUM);
  if (chromium) process.env.CHROMIUM_PATH = chromium;
  const redisNote = redisServer ? "a private redis-server, stopped after the run" : "REDIS_TEST_URL";
  console.log(`\ntest setup: Redis at ${process.env.REDIS_TEST_URL} (${redisNote}); Chromium at ${process.env.CHROMIUM_PATH} (${chromium ? "found" : "CHROMIUM_PATH"})`);
}
