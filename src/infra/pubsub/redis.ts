import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { createPubSub as createYogaPubSub } from "@graphql-yoga/subscription";
import { EJSON } from "bson";
import { closeRedis, openRedis, redactedUrl } from "../../lib/redis";
import type { Logger } from "../../lib/logger";
import { deliveryBarrier } from "./delivery-barrier";
import type { AppPubSub, Topics } from "./topics";

export interface RedisPubSub {
  pubSub: AppPubSub;
  /** Closes both connections; events published afterwards go nowhere. */
  close(): Promise<void>;
}

/**
 * Extended JSON keeps what plain JSON loses: payloads are stored documents whose dates and
 * ObjectIds must arrive as dates and ObjectIds on every instance. Relaxed, so numbers stay numbers.
 */
const serializer = {
  stringify: (message: unknown) => EJSON.stringify(message, { relaxed: true }),
  parse: (message: string) => EJSON.parse(message, { relaxed: true }),
};

/**
 * Pub/sub through Redis, so a subscriber on one instance receives what another publishes. A
 * subscribing connection can do nothing else, hence two connections. Resolves once both are
 * connected: a server that cannot reach its Redis must not start and silently stream nothing.
 */
export async function connectRedisPubSub(url: string, log: Logger): Promise<RedisPubSub> {
  // Without a retry limit, commands wait for the reconnection instead of failing: the event
  // target does not await them, and a rejected one would be an unhandled rejection.
  const options = { lazyConnect: true, maxRetriesPerRequest: null };
  // After start-up ioredis reconnects by itself and resubscribes; events published meanwhile are lost.
  const purpose = "pub/sub (events published while it is down are lost)";
  const publishClient = openRedis(url, { ...options, name: "pubsub", purpose, log });
  const subscribeClient = openRedis(url, { ...options, name: "pubsub-subscriber", purpose, log });
  const clients = [publishClient, subscribeClient];
  // connect() itself only rejects with "Connection is closed."; the cause (ECONNREFUSED, ENOTFOUND,
  // WRONGPASS, ...) arrives as an error event.
  let cause: Error | undefined;
  for (const client of clients) client.once("error", (error: Error) => (cause ??= error));
  try {
    await Promise.all(clients.map((client) => client.connect()));
  } catch (error) {
    clients.forEach((client) => client.disconnect());
    const reason = (cause ?? (error as Error)).message || String(cause ?? error);
    throw new Error(`pub/sub: cannot connect to Redis at REDIS_URL=${redactedUrl(url)} (${reason})`);
  }
  const eventTarget = createRedisEventTarget({ publishClient, subscribeClient, serializer });
  const delivered = await deliveryBarrier(publishClient, subscribeClient);
  return {
    pubSub: Object.assign(createYogaPubSub<Topics>({ eventTarget }), { delivered }),
    async close() {
      await Promise.all(clients.map(closeRedis));
    },
  };
}
