import { Repeater } from "@graphql-yoga/subscription";

/**
 * A subscription's event stream built on a live source (a pub/sub subscription): `body` pushes
 * what the client receives. A Repeater rather than an async generator: when the client leaves,
 * the live source is returned at once, even while `body` waits for its next event (a generator
 * would hold the listener until that event came, and for a finished job it never comes).
 */
export function followLive<Live, Out>(
  live: AsyncIterator<Live>,
  body: (live: AsyncIterator<Live>, push: (value: Out) => Promise<unknown>) => Promise<void>,
): Repeater<Out> {
  return new Repeater<Out>(async (push, stop) => {
    void stop.then(() => live.return?.());
    try {
      await body(live, push);
    } finally {
      await live.return?.();
      stop();
    }
  });
}

/** How `watchStored` reads and orders a stored document. */
export interface StoredState<T> {
  /** The document as stored now, null when it is gone. */
  load(): Promise<T | null>;
  /** Grows with every stored change: an update not newer than what was sent is skipped. */
  version(state: T): number;
  /** Whether nothing more will change (the stream ends after sending it). */
  finished(state: T): boolean;
  /**
   * What a subscriber sees of a state: a newer state that shows the same as the last one sent
   * (a step that rewrote the same progress) is skipped. Without it, every newer state is sent.
   */
  shown?(state: T): string;
  /** Raised when the document is gone before its first state is sent. */
  gone(): never;
}

/**
 * The stored state first, then every newer stored state from `live`, ending after a finished
 * one. `live` must be subscribed before this is called, so no change falls between the read and
 * the subscription (its first `next()` is asked for before the stored state is read).
 */
export function watchStored<T, Out = T>(live: AsyncIterator<T>, stored: StoredState<T>, map: (state: T) => Out): Repeater<Out> {
  let next = live.next();
  return followLive<T, Out>(live, async (source, push) => {
    const current = (await stored.load()) ?? stored.gone();
    await push(map(current));
    if (stored.finished(current)) return;
    let seen = stored.version(current);
    let shown = stored.shown?.(current);
    for (;;) {
      const update = await next;
      if (update.done) return;
      next = source.next();
      if (stored.version(update.value) <= seen) continue;
      seen = stored.version(update.value);
      const looks = stored.shown?.(update.value);
      if (looks !== undefined && looks === shown && !stored.finished(update.value)) continue;
      shown = looks;
      await push(map(update.value));
      if (stored.finished(update.value)) return;
    }
  });
}
