import { createPubSub as createYogaPubSub } from "@graphql-yoga/subscription";
import type { Logger } from "../../lib/logger";
import { connectRedisPubSub } from "./redis";
import type { AppPubSub, Topics } from "./topics";

export * from "./topics";

/** In-process pub/sub: events reach subscribers of this process only. */
export function createPubSub(): AppPubSub {
  // Events are dispatched to this process's subscribers as they are published.
  return Object.assign(createYogaPubSub<Topics>(), { delivered: async () => undefined });
}

/** Redis when `redisUrl` is set (events reach every instance), in-process otherwise. */
export async function openPubSub(redisUrl: string | undefined, log: Logger): Promise<{ pubSub: AppPubSub; close(): Promise<void> }> {
  if (redisUrl) return connectRedisPubSub(redisUrl, log);
  return { pubSub: createPubSub(), close: async () => undefined };
}
