import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { createPubSub as createYogaPubSub } from "@graphql-yoga/subscription";
import { EJSON } from "bson";
import { Redis } from "ioredis";
import type { Logger } from "../../lib/logger";
import type { AppPubSub } from "./index";
import type { TopicMap } from "./topics";

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
  const options = { lazyConnect: true, connectionName: "ai-learning-pubsub", maxRetriesPerRequest: null };
  const publishClient = new Redis(url, options);
  const subscribeClient = new Redis(url, options);
  const clients = [publishClient, subscribeClient];
  // After start-up ioredis reconnects by itself and resubscribes; events published meanwhile are lost.
  // connect() itself only rejects with "Connection is closed."; the cause (ECONNREFUSED, ENOTFOUND,
  // WRONGPASS, ...) arrives as an error event.
  let cause: Error | undefined;
  for (const client of clients) {
    client.on("error", (error: Error) => {
      cause ??= error;
      log.warn({ err: error.message, url: withoutPassword(url) }, "pub/sub: Redis connection error");
    });
  }
  try {
    await Promise.all(clients.map((client) => client.connect()));
  } catch (error) {
    clients.forEach((client) => client.disconnect());
    const reason = (cause ?? (error as Error)).message || String(cause ?? error);
    throw new Error(`pub/sub: cannot connect to Redis at REDIS_URL=${withoutPassword(url)} (${reason})`);
  }
  const eventTarget = createRedisEventTarget({ publishClient, subscribeClient, serializer });
  return {
    pubSub: createYogaPubSub<TopicMap>({ eventTarget }),
    async close() {
      await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
    },
  };
}

/** Logs and errors name the Redis they mean, never its password. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}
