import type { PubSub } from "@graphql-yoga/subscription";

/**
 * Every pub/sub topic and what it carries: publishers and subscribers can only use these. Empty
 * here: whoever owns a topic declares it beside its payload type
 * (`declare module "…/infra/pubsub/topics" { interface TopicMap { … } }`), so infra/ imports no
 * domain and the map is still one. A two-element tuple is `[id, payload]`: subscribers listen
 * to one id of the topic. Topic names are what travels through Redis: never rename one lightly.
 */
export interface TopicMap {}

/** The map as an object type (an interface has no index signature; the pub/sub wants one). */
export type Topics = { [K in keyof TopicMap]: TopicMap[K] };

/** The app's pub/sub: in-process, or through Redis across instances. */
export type AppPubSub = PubSub<Topics> & {
  /**
   * Resolves once every instance has read every event published so far and acted on it (each
   * confirmed a barrier published after them: `delivery-barrier.ts`), so that what follows a
   * publish, an answer to the client first of all, cannot overtake it. At once in-process;
   * bounded when Redis or an instance does not answer.
   */
  delivered(): Promise<void>;
};
