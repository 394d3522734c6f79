import type { Types } from "mongoose";
import type { AppPubSub } from "../../infra/pubsub";
import type { Logger } from "../../lib/logger";

declare module "../../infra/pubsub/topics" {
  interface TopicMap {
    /** A class's work, assignments or roster changed: every instance forgets its gradebook. */
    CLASS_GRADEBOOK_CHANGED: [classId: string];
  }
}

/** How long a computed gradebook is served at most: a bound for a lost message (Redis down). */
const TRUSTED_MS = 30_000;
const MAX_CLASSES = 1_000;

interface Entry<T> {
  value: T;
  until: number;
}

/**
 * Computed gradebooks, per process, by class (and variant). Reading a class's work is the costly
 * part of a gradebook (one record per student and assignment), and teachers reload it far more
 * often than it changes: every change of a class's work, assignments or roster is published, and
 * every instance forgets that class's entries before serving it again. An entry also ends at the
 * first due date it did not reach yet, where statuses turn MISSED with nothing stored.
 */
export class GradebookCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  /** Bumped by every change heard for a class: a computation that began before one is not kept. */
  private readonly versions = new Map<string, number>();
  private listening: AsyncIterator<string> | undefined;
  /** Set when the subscription failed: changes would go unheard, so nothing is kept. */
  private deaf = false;

  constructor(private readonly deps: { pubSub: AppPubSub; log: Logger }) {}

  /** The class's cached value for `variant`, else `compute`'s, kept until `validUntil` (and at most TRUSTED_MS). */
  async get(classId: Types.ObjectId, variant: string, compute: () => Promise<{ value: T; validUntil: number }>): Promise<T> {
    const key = `${String(classId)}:${variant}`;
    const hit = this.entries.get(key);
    if (hit && hit.until > Date.now()) return hit.value;
    const version = this.versions.get(String(classId)) ?? 0;
    const { value, validUntil } = await compute();
    if (!this.deaf && (this.versions.get(String(classId)) ?? 0) === version) {
      if (this.entries.size >= MAX_CLASSES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { value, until: Math.min(validUntil, Date.now() + TRUSTED_MS) });
    }
    return value;
  }

  /** The class's work changed: forgotten here at once, and on every other instance. */
  changed(classId: Types.ObjectId): void {
    this.forget(String(classId));
    this.deps.pubSub.publish("CLASS_GRADEBOOK_CHANGED", String(classId));
  }

  start(): void {
    const listening = this.deps.pubSub.subscribe("CLASS_GRADEBOOK_CHANGED")[Symbol.asyncIterator]();
    this.listening = listening;
    void (async () => {
      for (let next = await listening.next(); !next.done; next = await listening.next()) this.forget(next.value);
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

  private forget(classId: string): void {
    this.versions.set(classId, (this.versions.get(classId) ?? 0) + 1);
    for (const key of this.entries.keys()) if (key.startsWith(`${classId}:`)) this.entries.delete(key);
  }
}
