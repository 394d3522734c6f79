import type { Document } from "bson";
import { commandError } from "../errors";
import { compileFilter, equalityKeyFor, getIndexKeyValue, setOwn } from "../query";
import type { IndexSpec } from "./ops";
import { valueKey } from "./keys";
import { formatDupKey } from "./dup-key";

/** Index key types we keep buckets for; text/geo indexes are only recorded for listIndexes. */
const ORDERED_KEY = (direction: unknown) => direction === 1 || direction === -1 || direction === "hashed";

/** One component combination of a (possibly multikey) index entry. */
interface IndexEntry {
  key: string;
  values: unknown[];
}

/**
 * A secondary index: buckets of document ids by canonical key. Buckets serve both unique
 * enforcement and equality lookups; range queries scan the collection instead.
 */
export class Index {
  readonly fields: string[];
  readonly maintained: boolean;
  private readonly buckets = new Map<string, Set<string>>();
  private readonly partial?: (doc: Document) => boolean;
  /** Under a case- or accent-insensitive collation, strings are bucketed by their folded form. */
  private readonly fold?: (s: string) => string;

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.maintained = this.fields.every((field) => ORDERED_KEY(spec.key[field]));
    if (spec.partialFilterExpression) this.partial = compileFilter(spec.partialFilterExpression);
    this.fold = equalityKeyFor(spec.collation as Document | undefined);
  }

  get name(): string {
    return this.spec.name;
  }

  /**
   * True when every document is in the index, so a bucket lookup finds all equal values
   * (binary equality: a folding collation's buckets hold values a simple query tells apart).
   */
  get complete(): boolean {
    return this.maintained && !this.spec.sparse && !this.partial && !this.fold;
  }

  /** False for documents a partial index leaves out. */
  covers(doc: Document): boolean {
    return !this.partial || this.partial(doc);
  }

  entries(doc: Document): IndexEntry[] {
    if (!this.maintained || !this.covers(doc)) return [];
    const perField = this.fields.map((field) => expand(getIndexKeyValue(doc, field)));
    if (this.spec.sparse && perField.every((values) => values.length === 1 && values[0] === undefined)) return [];
    let combos: unknown[][] = [[]];
    for (const values of perField) combos = combos.flatMap((combo) => values.map((value) => [...combo, value]));
    const seen = new Set<string>();
    const out: IndexEntry[] = [];
    for (const values of combos) {
      const key = this.fields.length === 1 ? this.keyOf(values[0]) : values.map((v) => this.keyOf(v)).join("\u0000");
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ key, values });
    }
    return out;
  }

  private keyOf(value: unknown): string {
    if (this.fold && typeof value === "string") return valueKey(this.fold(value));
    return valueKey(value ?? null);
  }

  /** Throws DuplicateKey if `doc` would collide with a document other than `selfId`. */
  check(ns: string, doc: Document, selfId: string): void {
    if (!this.spec.unique) return;
    for (const entry of this.entries(doc)) {
      const bucket = this.buckets.get(entry.key);
      if (!bucket) continue;
      for (const id of bucket) if (id !== selfId) throw this.duplicate(ns, entry.values);
    }
  }

  /** Throws DuplicateKey if the documents already indexed would violate uniqueness. */
  verifyUnique(ns: string, docs: Iterable<[string, Document]>): void {
    if (!this.spec.unique) return;
    for (const [, doc] of docs) {
      for (const entry of this.entries(doc)) {
        if ((this.buckets.get(entry.key)?.size ?? 0) > 1) throw this.duplicate(ns, entry.values);
      }
    }
  }

  add(id: string, doc: Document): void {
    for (const { key } of this.entries(doc)) {
      let bucket = this.buckets.get(key);
      if (!bucket) this.buckets.set(key, (bucket = new Set()));
      bucket.add(id);
    }
  }

  remove(id: string, doc: Document): void {
    for (const { key } of this.entries(doc)) {
      const bucket = this.buckets.get(key);
      if (!bucket) continue;
      bucket.delete(id);
      if (bucket.size === 0) this.buckets.delete(key);
    }
  }

  /** Ids of documents whose key equals `values` (one per field, in key order). */
  lookup(values: unknown[]): Iterable<string> {
    const key = values.length === 1 ? valueKey(values[0]) : values.map(valueKey).join("\u0000");
    return this.buckets.get(key) ?? [];
  }

  private duplicate(ns: string, values: unknown[]) {
    const keyValue: Document = {};
    this.fields.forEach((field, i) => setOwn(keyValue, field, values[i] ?? null));
    return commandError(
      "DuplicateKey",
      `E11000 duplicate key error collection: ${ns} index: ${this.name} dup key: ${formatDupKey(keyValue)}`,
      { keyPattern: this.spec.key, keyValue },
    );
  }
}

/** Multikey: an array contributes each element; an empty array indexes as undefined, like mongod. */
function expand(value: unknown): unknown[] {
  if (!Array.isArray(value)) return [value];
  if (value.length === 0) return [undefined];
  return value;
}
