import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What one answer was computed from, for the response cache (`server/response-cache/`): every
 * database read of the request tags it (`infra/db/read-write-watch.ts` does that by itself), and
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

const current = new AsyncLocalStorage<ReadRecord>();

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
