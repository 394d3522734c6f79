import { createPubSub as createYogaPubSub, type PubSub } from "@graphql-yoga/subscription";
import type { TopicMap } from "./topics";

export { Topic, type TopicMap, type PingPayload } from "./topics";

export type AppPubSub = PubSub<TopicMap>;

/** In-process pub/sub: events reach subscribers of this process only (Redis lands with the chat issue). */
export function createPubSub(): AppPubSub {
  return createYogaPubSub<TopicMap>();
}
