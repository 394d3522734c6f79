import { connect, createServer, type AddressInfo, type Socket } from "node:net";
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

/**
 * A link to the test Redis whose replies and messages arrive `ms` late (what the client sends goes
 * at once), as to an instance far from Redis or too busy to read its socket: point one instance's
 * REDIS_URL at `url`.
 */
export async function slowRedisLink(ms: number): Promise<{ url: string; close(): Promise<void> }> {
  const redis = new URL(REDIS_TEST_URL);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(redis.port || 6379), redis.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    // Timers of one duration fire in the order they were set: the stream keeps its order.
    upstream.on("data", (chunk: Buffer) => setTimeout(() => client.write(chunk), ms));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
