import { Redis } from "ioredis";

/**
 * The Redis the Redis tests use: REDIS_TEST_URL when set, else the private redis-server that
 * test/setup/global-setup.ts starts for the run. The tests never skip: without a reachable Redis
 * they fail and say why.
 */
export const REDIS_TEST_URL = process.env.REDIS_TEST_URL ?? "redis://127.0.0.1:6379";

/**
 * Makes Redis hold every write command, PUBLISH included, for `ms` from now (CLIENT PAUSE ... WRITE),
 * as a busy Redis would: whatever is published meanwhile reaches subscribers only afterwards. Keep
 * `ms` short: other tests may share this Redis.
 */
export async function holdRedisWrites(ms: number): Promise<void> {
  const admin = new Redis(REDIS_TEST_URL);
  try {
    await admin.client("PAUSE", ms, "WRITE");
  } finally {
    admin.disconnect();
  }
}
