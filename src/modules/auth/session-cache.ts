import type { AppPubSub } from "../../infra/pubsub";
import type { Logger } from "../../lib/logger";
import type { Viewer } from "../../lib/identity";

/** Sessions that ended, or a user whose sessions must be looked up again (changed, deactivated). */
export type SessionsEnded = { sessionId: string } | { userId: string };

declare module "../../infra/pubsub/topics" {
  interface TopicMap {
    /** Every instance forgets the viewers it cached for these sessions. */
    AUTH_SESSIONS_ENDED: [payload: SessionsEnded];
  }
}

/**
 * How long a checked session is trusted without reading the user and the session again. Only a
 * bound for a lost message (Redis down): ends and changes are published and forgotten at once.
 */
const TRUSTED_MS = 10_000;
const MAX_SESSIONS = 50_000;

interface Entry {
  viewer: Viewer;
  until: number;
}

/**
 * Viewers of live sessions, kept briefly per process so that a request costs no database round
 * trip to learn who is asking. Logout, refresh-token reuse, password changes, deactivation and
 * any change of a user are published over pub/sub, and every instance forgets the sessions
 * concerned before the next request is served there.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every forget: a lookup that started before one must not store what it read. */
  private generation = 0;
  private listening?: AsyncIterator<SessionsEnded>;
  /** Set when the pub/sub subscription failed: nothing is cached any more, since ends would go unheard. */
  private deaf = false;

  constructor(private readonly deps: { pubSub: AppPubSub; log: Logger }) {}

  /** The cached viewer of `sessionId`, else `lookUp`'s answer (kept if live). */
  async viewer(sessionId: string, lookUp: () => Promise<Viewer | null>): Promise<Viewer | null> {
    if (this.deaf) return lookUp();
    const entry = this.entries.get(sessionId);
    if (entry && entry.until > Date.now()) return entry.viewer;
    const generation = this.generation;
    const viewer = await lookUp();
    if (viewer && generation === this.generation) {
      if (this.entries.size >= MAX_SESSIONS) this.entries.delete(this.entries.keys().next().value!);
      this.entries.delete(sessionId);
      this.entries.set(sessionId, { viewer, until: Date.now() + TRUSTED_MS });
    }
    return viewer;
  }

  /** Forgets here at once and tells every other instance. */
  ended(ended: SessionsEnded): void {
    this.forget(ended);
    this.deps.pubSub.publish("AUTH_SESSIONS_ENDED", ended);
  }

  /** Listens for other instances' ends until `stop`. */
  start(): void {
    const listening = this.deps.pubSub.subscribe("AUTH_SESSIONS_ENDED")[Symbol.asyncIterator]();
    this.listening = listening;
    void (async () => {
      for (let next = await listening.next(); !next.done; next = await listening.next()) this.forget(next.value);
    })().catch((error: unknown) => {
      this.deaf = true;
      this.entries.clear();
      this.deps.log.error({ err: error }, "auth: session ends are no longer received; sessions are read on every request");
    });
  }

  async stop(): Promise<void> {
    await this.listening?.return?.();
    this.entries.clear();
  }

  private forget(ended: SessionsEnded): void {
    this.generation += 1;
    if ("sessionId" in ended) {
      this.entries.delete(ended.sessionId);
      return;
    }
    for (const [sessionId, entry] of this.entries) if (String(entry.viewer.user._id) === ended.userId) this.entries.delete(sessionId);
  }
}
