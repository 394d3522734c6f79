/**
 * The Redis the Redis tests use: REDIS_TEST_URL when set, else the private redis-server that
 * test/setup/global-setup.ts starts for the run. The tests never skip: without a reachable Redis
 * they fail and say why.
 */
export const REDIS_TEST_URL = process.env.REDIS_TEST_URL ?? "redis://127.0.0.1:6379";
