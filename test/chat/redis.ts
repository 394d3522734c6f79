/**
 * The Redis the Redis tests use. `.ci/run` starts one and sets REDIS_TEST_URL; locally, a Redis
 * on the default port (`apt-get install redis-server` or `docker compose up redis`). The tests
 * never skip: without a reachable Redis they fail and say why.
 */
export const REDIS_TEST_URL = process.env.REDIS_TEST_URL ?? "redis://127.0.0.1:6379";
