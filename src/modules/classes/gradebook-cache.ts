import { randomUUID } from "node:crypto";
import type { Types } from "mongoose";
import type { AppPubSub } from "../../infra/pubsub";
import type { Logger } from "../../lib/logger";

/** What changed in a class, so that every instance re-reads only that. */
export type GradebookChange =
  | { kind: "work"; classId: Types.ObjectId; userId: Types.ObjectId; assignmentId: Types.ObjectId }
  | { kind: "member"; classId: Types.ObjectId; userId: Types.ObjectId }
  | { kind: "assignment"; classId: Types.ObjectId; assignmentId: Types.ObjectId };

declare module "../../infra/pubsub/topics" {
  interface TopicMap {
    /**
     * A class's work, assignments or roster changed: every instance patches its copy of that
     * class's gradebook. (CLASS_GRADEBOOK_CHANGED carried a bare class id: a new name, so that
     * instances of the two versions ignore each other's messages during a rolling deploy.)
     */
    CLASS_GRADEBOOK_CHANGES: [message: { origin: string; change: GradebookChange }];
  }
}

/** How a class's state is read whole, and brought up to date with one change. */
export interface BookSource<S> {
  load(classId: Types.ObjectId): Promise<S>;
  apply(state: S, change: GradebookChange): Promise<void>;
}

/**
 * After this long a class's state is read whole again, in the background (the kept one is served
 * meanwhile): a bound for a lost message (Redis down) and for what is not announced (a renamed student).
 */
const TRUSTED_MS = 30_000;
/** Classes kept: a big class's state holds every work record of it. */
const MAX_CLASSES = 100;

interface Entry<S> {
  source: BookSource<S>;
  /** Undefined until the first read completes. */
  state?: S;
  /** Every change heard so far, applied in order; readers wait for it. */
  chain: Promise<void>;
  loadedAt: number;
  /** While a read of the whole state runs: the changes heard since it began, applied to its result. */
  heardDuringLoad?: GradebookChange[];
  failed?: unknown;
}

/**
 * Each class's gradebook state, per process, kept up to date change by change. Reading a class's
 * work is the costly part (one record per student and assignment) and happens once, on a cold
 * cache; after that each change of a class's work, assignments or roster is published with what
 * changed, and every instance re-reads that alone and patches its copy. Changes are applied in
 * the order heard, each reading the database after the one before, so the copy ends as stored.
 */
export class GradebookCache<S> {
  private readonly entries = new Map<string, Entry<S>>();
  private readonly origin = randomUUID();
  private listening: AsyncIterator<{ origin: string; change: GradebookChange }> | undefined;
  /** Set when the subscription failed: changes would go unheard, so nothing is kept. */
  private deaf = false;

  constructor(private readonly deps: { pubSub: AppPubSub; log: Logger }) {}

  /** The class's state with every change heard so far applied; read whole on a cold cache. */
  async get(classId: Types.ObjectId, source: BookSource<S>, retry = true): Promise<S> {
    if (this.deaf) return source.load(classId);
    const key = String(classId);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { source, chain: Promise.resolve(), loadedAt: Date.now() };
      if (this.entries.size >= MAX_CLASSES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, entry);
      this.reload(key, entry, classId);
    } else if (!entry.heardDuringLoad && Date.now() - entry.loadedAt > TRUSTED_MS) {
      this.reload(key, entry, classId);
    }
    // A cold read waits for the load; a warm one only for the changes heard and not applied yet.
    const current = entry;
    await current.chain;
    // A change that could not be read dropped the state: read it whole, once.
    if (current.failed !== undefined) return retry ? this.get(classId, source, false) : Promise.reject(current.failed);
    return current.state!;
  }

  /** Runs `step` on the class's state in turn with the changes (reading more of it, once). */
  async update(classId: Types.ObjectId, source: BookSource<S>, step: (state: S) => Promise<void>): Promise<S> {
    const state = await this.get(classId, source);
    const key = String(classId);
    const entry = this.entries.get(key);
    if (!entry || entry.state !== state) {
      await step(state);
      return state;
    }
    this.enqueue(key, entry, () => step(entry.state!));
    await entry.chain;
    if (entry.failed !== undefined) throw entry.failed;
    return entry.state!;
  }

  /** The class changed here: applied to this instance's copy at once, and announced to the others. */
  changed(change: GradebookChange): void {
    this.hear(change);
    this.deps.pubSub.publish("CLASS_GRADEBOOK_CHANGES", { origin: this.origin, change });
  }

  start(): void {
    const listening = this.deps.pubSub.subscribe("CLASS_GRADEBOOK_CHANGES")[Symbol.asyncIterator]();
    this.listening = listening;
    void (async () => {
      for (let next = await listening.next(); !next.done; next = await listening.next()) {
        if (next.value.origin !== this.origin) this.hear(next.value.change);
      }
    })().catch((error: unknown) => {
      this.deaf = true;
      this.entries.clear();
      this.deps.log.error({ err: error }, "classes: gradebook changes are no longer received; gradebooks are computed on every request");
    });
  }

  async stop(): Promise<void> {
    await this.listening?.return?.();
    this.entries.clear();
  }

  private hear(change: GradebookChange): void {
    const key = String(change.classId);
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.heardDuringLoad?.push(change);
    if (entry.state === undefined) return;
    this.enqueue(key, entry, () => entry.source.apply(entry.state!, change));
  }

  /**
   * Reads the whole state again while the kept one (if any) goes on being patched and served;
   * the changes heard meanwhile are applied to the new one before it takes over.
   */
  private reload(key: string, entry: Entry<S>, classId: Types.ObjectId): void {
    const heard: GradebookChange[] = [];
    entry.heardDuringLoad = heard;
    entry.loadedAt = Date.now();
    const loading = entry.source.load(classId);
    // Awaited by the step that takes it over; this only keeps an early failure from counting as unhandled.
    loading.catch(() => undefined);
    const cold = entry.state === undefined;
    const takeOver = async () => {
      try {
        const fresh = await loading;
        for (const change of heard) await entry.source.apply(fresh, change);
        entry.state = fresh;
      } finally {
        entry.heardDuringLoad = undefined;
      }
    };
    if (cold) this.enqueue(key, entry, takeOver);
    else {
      // Queued only once loaded, so that readers wait for the changes, never for the read.
      loading.then(
        () => this.enqueue(key, entry, takeOver),
        (error: unknown) => {
          entry.heardDuringLoad = undefined;
          this.deps.log.warn({ err: error, classId: key }, "classes: reading a gradebook again failed; the kept one is served");
        },
      );
    }
  }

  /** A step after every step queued before; a failed one drops the class's state (read whole on the next request). */
  private enqueue(key: string, entry: Entry<S>, step: () => Promise<void>): void {
    entry.chain = entry.chain.then(step).catch((error: unknown) => {
      entry.failed ??= error;
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
  }
}
