import { Tag, type Written } from "../../lib/read-tags";

/** Anything indexed by the tags of what it was computed from. */
export interface Tagged {
  tags: readonly string[];
}

interface CollectionIndex<E> {
  /** Read the whole collection (or by a filter narrowing nothing). */
  whole: Set<E>;
  /** Read the documents whose field held a value: field -> value -> readers. */
  byField: Map<string, Map<string, Set<E>>>;
}

/** Whether a write can change what a reader with this tag read. */
export function touches(tag: string, written: Written): boolean {
  const { collection, field, value } = Tag.parse(tag);
  if (collection !== written.collection) return false;
  if (field === undefined) return true;
  const known = written.keys[field];
  return known === undefined || known.includes(value!);
}

/**
 * Cached answers by what they read, so that a write finds every answer it may change without
 * looking at the others: those that read its collection whole, those that read it by a field the
 * write says nothing about, and those that read it by a value the write's documents hold.
 */
export class TagIndex<E extends Tagged> {
  private readonly collections = new Map<string, CollectionIndex<E>>();

  add(entry: E): void {
    for (const tag of entry.tags) {
      const { collection, field, value } = Tag.parse(tag);
      let index = this.collections.get(collection);
      if (!index) this.collections.set(collection, (index = { whole: new Set(), byField: new Map() }));
      if (field === undefined) {
        index.whole.add(entry);
        continue;
      }
      let byValue = index.byField.get(field);
      if (!byValue) index.byField.set(field, (byValue = new Map()));
      let readers = byValue.get(value!);
      if (!readers) byValue.set(value!, (readers = new Set()));
      readers.add(entry);
    }
  }

  remove(entry: E): void {
    for (const tag of entry.tags) {
      const { collection, field, value } = Tag.parse(tag);
      const index = this.collections.get(collection);
      if (!index) continue;
      if (field === undefined) {
        index.whole.delete(entry);
        continue;
      }
      const byValue = index.byField.get(field);
      const readers = byValue?.get(value!);
      readers?.delete(entry);
      if (readers?.size === 0) byValue!.delete(value!);
    }
  }

  /** Every entry the write may have made stale. */
  affected(written: Written): Set<E> {
    const found = new Set<E>();
    const index = this.collections.get(written.collection);
    if (!index) return found;
    for (const entry of index.whole) found.add(entry);
    for (const [field, byValue] of index.byField) {
      const known = written.keys[field];
      if (known === undefined) {
        for (const readers of byValue.values()) for (const entry of readers) found.add(entry);
        continue;
      }
      for (const value of known) for (const entry of byValue.get(value) ?? []) found.add(entry);
    }
    return found;
  }

  clear(): void {
    this.collections.clear();
  }
}
