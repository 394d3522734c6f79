import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What one answer was computed from, for the response cache (`server/response-cache/`): every
 * database read of the request tags it (`infra/db/read-write-watch.ts` does that by itself, and
 * `readTogether` for the command it sends past mongoose), and
 * code that answers from memory instead of the database (an in-process cache) tags what that memory
 * was read from, with `noteRead`. A tag is a collection, or a collection narrowed to the documents
 * with one field's value (`Tag.of("courses", "_id", id)`).
 */
export interface ReadRecord {
  tags: Set<string>;
  /** Set when the answer depends on something no write would invalidate: never cached. */
  uncacheable: boolean;
}

const SEPARATOR = "\u0000";

export const Tag = {
  /** Every document of the collection. */
  all: (collection: string): string => collection,
  /** The documents of the collection whose `field` is (or, for an array, contains) `value`. */
  of: (collection: string, field: string, value: unknown): string => `${collection}${SEPARATOR}${field}${SEPARATOR}${String(value)}`,
  parse(tag: string): { collection: string; field?: string; value?: string } {
    const [collection, field, value] = tag.split(SEPARATOR);
    return { collection, field, value };
  },
};

/**
 * One write as the response cache needs to know it: the collection, and for each field whose
 * values the written documents are known to hold (before and after the write), those values.
 * A field not listed may hold anything: whatever was read by it is stale.
 */
export interface Written {
  collection: string;
  keys: Record<string, string[]>;
}

const current = new AsyncLocalStorage<ReadRecord>();
const announcements = new Set<(written: Written[]) => void>();

/** Runs `work` (and everything it starts) recording its reads into `record`. */
export function recordingReads<T>(record: ReadRecord, work: () => T): T {
  return current.run(record, work);
}

/** The record of the request being computed, if its answer may be cached. */
export function currentReads(): ReadRecord | undefined {
  return current.getStore();
}

/** An answer taken from memory rather than the database: tags what that memory holds. */
export function noteRead(tag: string): void {
  current.getStore()?.tags.add(tag);
}

/** The answer depends on what no database write announces (the clock, a process's memory): not cached. */
export function noteUncacheable(): void {
  const record = current.getStore();
  if (record) record.uncacheable = true;
}

/**
 * Runs `work` without recording its reads: for a computation shared by many answers (a ranking
 * of everyone) that each answer tags for what it takes from it (`noteRead`), not for all it read.
 */
export function unrecorded<T>(work: () => T): T {
  return current.exit(work);
}

/**
 * Changes no database write names as such: what follows from writes (the places on a ranking
 * after a score changed) for answers tagged with it (`Tag.of("leaderboard_places", ...)`). Told
 * after the writes it follows from are done and visible to new reads.
 */
export function announceWritten(written: Written[]): void {
  for (const listener of announcements) listener(written);
}

/** Whether anything listens to `announceWritten` (the response cache, when on): if not, working out what changed is wasted. */
export function announcementsHeard(): boolean {
  return announcements.size > 0;
}

/** Listens to `announceWritten`; returns the function that stops listening. */
export function onAnnouncedWrites(listener: (written: Written[]) => void): () => void {
  announcements.add(listener);
  return () => announcements.delete(listener);
}
