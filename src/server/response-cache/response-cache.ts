import { randomUUID } from "node:crypto";
import type { AppPubSub } from "../../infra/pubsub";
import { watchReadsAndWrites, type WritePhase } from "../../infra/db/read-write-watch";
import { principalsOf } from "../../lib/grants";
import type { Viewer } from "../../lib/identity";
import type { Logger } from "../../lib/logger";
import { onAnnouncedWrites, Tag, type ReadRecord, type Written } from "../../lib/read-tags";
import { TagIndex, touches } from "./tag-index";

declare module "../../infra/pubsub/topics" {
  interface TopicMap {
    /** Writes one instance made: every other instance drops the cached answers they may change. */
    RESPONSE_CACHE_WRITTEN: [message: { from: string; written: Written[] }];
  }
}

/** One cached answer: the exact bytes sent, and what it was computed from. */
export interface CachedAnswer {
  key: string;
  body: string;
  contentType: string;
  tags: readonly string[];
  until: number;
}

/** A request being answered whose answer may be kept: its reads are recorded here. */
export interface CacheScope extends ReadRecord {
  key: string;
  /** The invalidation count when it began: a write since then that touches its reads keeps it out. */
  since: number;
  /** Set by the Apollo plugin: a query of cacheable fields only, answered without errors. */
  cacheable: boolean;
  /** The text sent, once serialized. */
  body?: string;
}

export interface ResponseCacheOptions {
  ttlSeconds: number;
  maxEntries: number;
  /** Shared with the other instances (Redis); none when this instance is alone, with no one to tell. */
  pubSub?: AppPubSub;
  log: Logger;
  /** Told of hits, misses, stores and invalidated answers (metrics). */
  count?: (outcome: "hit" | "miss" | "stored" | "invalidated") => void;
}

/** Writes remembered to check answers computed meanwhile; an answer older than the oldest is not kept. */
const RECENT_WRITES = 4_096;

/**
 * Answers to GraphQL reads, per viewer, each kept with the tags of everything it read
 * (`lib/read-tags.ts`) and dropped by any write that may change one of them: writes made by
 * this instance (mutations, domain-event handlers, background jobs alike, seen at the driver by
 * `watchReadsAndWrites`) once done, if they changed anything, and those of every other instance
 * through pub/sub (`RESPONSE_CACHE_WRITTEN`), as sessions are. An answer computed while a write
 * it read from was under way is never kept. The TTL only bounds what no write announces.
 */
export class ResponseCache {
  private readonly entries = new Map<string, CachedAnswer>();
  private readonly index = new TagIndex<CachedAnswer>();
  /** How many writes were seen; `recent` holds the last ones with their number. */
  private invalidations = 0;
  private readonly recent: { at: number; written: Written }[] = [];
  private readonly instance = randomUUID();
  private published = 0;
  private listening?: AsyncIterator<unknown>;
  private unwatch?: () => void;
  /** Set when pub/sub failed: other instances' writes would go unheard, so nothing is served. */
  private deaf = false;

  constructor(private readonly options: ResponseCacheOptions) {}

  start(): void {
    const unwatch = watchReadsAndWrites((written, phase) => this.writtenHere(written, phase));
    // Announced once what they follow from is done: both phases at once.
    const unannounce = onAnnouncedWrites((written) => this.writtenHere(written, "end"));
    this.unwatch = () => {
      unwatch();
      unannounce();
    };
    if (!this.options.pubSub) return;
    const listening = this.options.pubSub.subscribe("RESPONSE_CACHE_WRITTEN")[Symbol.asyncIterator]();
    this.listening = listening;
    void (async () => {
      for (let next = await listening.next(); !next.done; next = await listening.next()) {
        if (next.value.from !== this.instance) this.drop(next.value.written);
      }
    })().catch((error: unknown) => {
      this.deaf = true;
      this.clear();
      this.options.log.error({ err: error }, "response cache: other instances' writes are no longer received; nothing is cached");
    });
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    await this.listening?.return?.();
    this.clear();
  }

  /**
   * The key of a request: the viewer (id, role and the principals shares reach them through, so
   * leaving or joining a class changes the key at once) and the operation exactly as sent.
   */
  keyOf(viewer: Viewer | null, request: { query: string; operationName?: unknown; variables?: unknown }, accept: string | undefined): string {
    const who = viewer ? `${viewer.user.role}:${principalsOf(viewer.user).map(String).join(",")}` : "-";
    return [who, accept ?? "", String(request.operationName ?? ""), request.query, JSON.stringify(request.variables ?? null)].join("\u0000");
  }

  get(key: string): CachedAnswer | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.until > Date.now()) {
      this.options.count?.("hit");
      return entry;
    }
    if (entry) this.remove(entry);
    this.options.count?.("miss");
    return undefined;
  }

  /** Starts recording a request's reads; the viewer's own user document is read from the session cache, so it is tagged here. */
  begin(key: string, viewer: Viewer | null): CacheScope {
    const tags = new Set<string>();
    if (viewer) tags.add(Tag.of("users", "_id", viewer.user._id));
    return { key, since: this.invalidations, tags, uncacheable: this.deaf, cacheable: false };
  }

  /** Keeps the answer unless a write since it began may have changed what it read. */
  store(scope: CacheScope, contentType: string): void {
    if (!scope.cacheable || scope.uncacheable || scope.body === undefined || this.deaf) return;
    const tags = [...scope.tags];
    if (this.invalidations > scope.since) {
      const oldest = this.recent[0]?.at ?? this.invalidations + 1;
      if (oldest > scope.since + 1) return;
      for (let i = this.recent.length - 1; i >= 0 && this.recent[i].at > scope.since; i--) {
        if (tags.some((tag) => touches(tag, this.recent[i].written))) return;
      }
    }
    const previous = this.entries.get(scope.key);
    if (previous) this.remove(previous);
    if (this.entries.size >= this.options.maxEntries) this.remove(this.entries.values().next().value!);
    const entry: CachedAnswer = { key: scope.key, body: scope.body, contentType, tags, until: Date.now() + this.options.ttlSeconds * 1000 };
    this.entries.set(scope.key, entry);
    this.index.add(entry);
    this.options.count?.("stored");
  }

  /**
   * Under way, a write only keeps out what is being computed meanwhile: until it is done, the
   * answers kept from before are as right as the new ones. Done (and changing something: a write
   * that changed nothing has no end), it drops them, here and, once published, on every instance.
   */
  private writtenHere(written: Written[], phase: WritePhase): void {
    if (phase === "start") {
      this.underWay(written);
      return;
    }
    this.drop(written);
    if (!this.options.pubSub) return;
    this.options.pubSub.publish("RESPONSE_CACHE_WRITTEN", { from: this.instance, written });
    this.published += 1;
  }

  /** Whether this instance tells others of its writes (Redis): if not, no answer waits for `delivered`. */
  get publishes(): boolean {
    return this.options.pubSub !== undefined;
  }

  /** How many times this instance told the others of its writes: `delivered` is worth awaiting only if it grew. */
  publishedCount(): number {
    return this.published;
  }

  /** Resolves once every other instance has been told of the writes published so far (at once when alone). */
  async delivered(): Promise<void> {
    await this.options.pubSub?.delivered();
  }

  /** Remembers writes, so that an answer computed across them is not kept (`store`). */
  private underWay(written: Written[]): void {
    for (const write of written) {
      this.invalidations += 1;
      this.recent.push({ at: this.invalidations, written: write });
      if (this.recent.length > RECENT_WRITES) this.recent.shift();
    }
  }

  private drop(written: Written[]): void {
    this.underWay(written);
    for (const write of written) {
      for (const entry of this.index.affected(write)) {
        this.remove(entry);
        this.options.count?.("invalidated");
      }
    }
  }

  private remove(entry: CachedAnswer): void {
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    this.index.remove(entry);
  }

  private clear(): void {
    this.entries.clear();
    this.index.clear();
  }
}
