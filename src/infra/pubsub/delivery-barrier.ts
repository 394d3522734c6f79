import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

/** Every instance's subscriber listens here: a barrier carries the channel to confirm it on, and its id. */
const BARRIERS = "PUBSUB_DELIVERY_BARRIER";

/**
 * How long an answer waits for the other instances to confirm. Past it, an instance that missed
 * the event still forgets what it concerns within its caches' trust bound (`session-cache.ts`, the
 * response cache's TTL); a Redis outage, or an instance that stopped reading, must not hang the
 * requests that publish.
 */
const DELIVERY_WAIT_MS = 1_000;

interface Barrier {
  confirmed: number;
  /** How many subscribers Redis handed the barrier to; unknown until the PUBLISH is answered. */
  receivers: number;
  reached: () => void;
}

/**
 * `AppPubSub.delivered` over Redis: a barrier published after the events, which every instance's
 * subscriber confirms when it reads it. Redis hands one connection's publishes to each subscriber in
 * order, and an instance reads its subscriber's messages in order and acts on each (its listeners,
 * and the promise callbacks they start) before it reads anything else, a request included. So once
 * every receiver confirmed, every instance has acted on every event published before the barrier.
 * That the PUBLISH was answered is not enough: Redis may write a subscriber's copy after the reply, and
 * an instance may read the client's next request before the message already on its socket.
 */
export async function deliveryBarrier(publishClient: Redis, subscribeClient: Redis): Promise<() => Promise<void>> {
  const confirmations = `${BARRIERS}:${randomUUID()}`;
  const waiting = new Map<string, Barrier>();
  subscribeClient.on("message", (channel: string, message: string) => {
    if (channel === BARRIERS) {
      const space = message.indexOf(" ");
      publishClient.publish(message.slice(0, space), message.slice(space + 1)).catch(() => undefined);
    } else if (channel === confirmations) {
      const barrier = waiting.get(message);
      if (barrier && ++barrier.confirmed >= barrier.receivers) barrier.reached();
    }
  });
  await subscribeClient.subscribe(BARRIERS, confirmations);

  return async function delivered() {
    const id = randomUUID();
    const barrier: Barrier = { confirmed: 0, receivers: Infinity, reached: () => undefined };
    const reached = new Promise<void>((resolve) => (barrier.reached = resolve));
    waiting.set(id, barrier);
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, DELIVERY_WAIT_MS)));
    publishClient.publish(BARRIERS, `${confirmations} ${id}`).then(
      (receivers) => {
        barrier.receivers = receivers;
        if (barrier.confirmed >= receivers) barrier.reached();
      },
      // Not published: there is nothing to wait for.
      () => barrier.reached(),
    );
    try {
      await Promise.race([reached, waited]);
    } finally {
      clearTimeout(timer);
      waiting.delete(id);
    }
  };
}
