import type { AppPubSub } from "../../infra/pubsub";
import type { Logger } from "../../lib/logger";
import type { Viewer } from "../../lib/identity";
import type { SessionRevocation } from "./token.service";

declare module "../../infra/pubsub/topics" {
  interface TopicMap {
    /** A user changed (role, name, activity): every instance reads their sessions' viewer again. */
    AUTH_USER_CHANGED: [userId: string];
  }
}

/** What a cached viewer is forgotten for: sessions that ended, or every session of a changed user. */
type Stale = { sessionId: string } | { userId: string };

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
  /** Lookups under way: concurrent requests of one session share one, as long as nothing was forgotten since it began. */
  private readonly inFlight = new Map<string, { generation: number; viewer: Promise<Viewer | null> }>();
  /** Bumped by every forget: a lookup that started before one must not store what it read. */
  private generation = 0;
  private readonly listening: AsyncIterator<unknown>[] = [];
  /** Set when the pub/sub subscription failed: nothing is cached any more, since ends would go unheard. */
  private deaf = false;

  constructor(private readonly deps: { pubSub: AppPubSub; log: Logger }) {}

  /** The cached viewer of `sessionId`, else `lookUp`'s answer (kept if live). */
  async viewer(sessionId: string, lookUp: () => Promise<Viewer | null>): Promise<Viewer | null> {
    if (this.deaf) return lookUp();
    const entry = this.entries.get(sessionId);
    if (entry && entry.until > Date.now()) return entry.viewer;
    const flight = this.inFlight.get(sessionId);
    if (flight && flight.generation === this.generation) return flight.viewer;
    const generation = this.generation;
    const viewer = lookUp().finally(() => {
      if (this.inFlight.get(sessionId)?.viewer === viewer) this.inFlight.delete(sessionId);
    });
    this.inFlight.set(sessionId, { generation, viewer });
    const found = await viewer;
    if (found && generation === this.generation) {
      if (this.entries.size >= MAX_SESSIONS) this.entries.delete(this.entries.keys().next().value!);
      this.entries.delete(sessionId);
      this.entries.set(sessionId, { viewer: found, until: Date.now() + TRUSTED_MS });
    }
    return found;
  }

  /**
   * Sessions ended (logout, refresh-token reuse, password change, deactivation): forgotten here
   * at once, and announced on `SESSIONS_REVOKED`, on which every instance forgets them too and
   * closes the websockets signed in with them. Resolves once every instance has been told, so that
   * the answer saying so cannot reach the client before the news reaches another instance.
   */
  async revoked(revocation: SessionRevocation): Promise<void> {
    this.forget(revocation);
    this.deps.pubSub.publish("SESSIONS_REVOKED", revocation);
    await this.deps.pubSub.delivered();
  }

  /** A user changed: forgotten here at once and on every other instance (told before this resolves). */
  async userChanged(userId: string): Promise<void> {
    this.forget({ userId });
    this.deps.pubSub.publish("AUTH_USER_CHANGED", userId);
    await this.deps.pubSub.delivered();
  }

  /** Listens for other instances' revocations and changes until `stop`. */
  start(): void {
    this.follow(this.deps.pubSub.subscribe("SESSIONS_REVOKED")[Symbol.asyncIterator](), (revocation) => revocation);
    this.follow(this.deps.pubSub.subscribe("AUTH_USER_CHANGED")[Symbol.asyncIterator](), (userId) => ({ userId }));
  }

  async stop(): Promise<void> {
    await Promise.all(this.listening.map((listening) => listening.return?.()));
    this.entries.clear();
  }

  private follow<T>(listening: AsyncIterator<T>, stale: (event: T) => Stale): void {
    this.listening.push(listening);
    void (async () => {
      for (let next = await listening.next(); !next.done; next = await listening.next()) this.forget(stale(next.value));
    })().catch((error: unknown) => {
      this.deaf = true;
      this.entries.clear();
      this.deps.log.error({ err: error }, "auth: session ends are no longer received; sessions are read on every request");
    });
  }

  private forget(ended: Stale): void {
    this.generation += 1;
    if ("sessionId" in ended) {
      this.entries.delete(ended.sessionId);
      return;
    }
    for (const [sessionId, entry] of this.entries) if (String(entry.viewer.user._id) === ended.userId) this.entries.delete(sessionId);
  }
}
