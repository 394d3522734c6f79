import type { Document } from "bson";
import BTree from "sorted-btree";
import { commandError } from "../errors";
import { compileFilter, equalityKeyFor, getIndexKeyValue, setOwn } from "../query";
import type { IndexSpec } from "./ops";
import { valueKey } from "./keys";
import { formatDupKey } from "./dup-key";
import { keyComparator, sameValues, type IndexKey } from "./index-order";
import { entryBytes } from "./sizes";

/** Index key types we keep entries for; text/geo indexes are only recorded for listIndexes. */
const ORDERED_KEY = (direction: unknown) => direction === 1 || direction === -1 || direction === "hashed";

/**
 * A secondary index (or the `_id` index's ordered view): a B+ tree of keys in index order, each
 * naming the document's canonical id. It serves unique enforcement, equality, ranges and sorts.
 */
export class Index {
  readonly fields: string[];
  /** 1 or -1 per field; hashed fields keep raw values in ascending order but serve equality only. */
  readonly directions: number[];
  readonly hashed: boolean;
  readonly maintained: boolean;
  private readonly isId: boolean;
  /** Index order of two keys (see keyComparator). */
  readonly compare: (a: IndexKey, b: IndexKey) => number;
  private readonly tree: BTree<IndexKey, string>;
  private readonly partial?: (doc: Document) => boolean;
  /** Documents whose key fans out over an array: such an index cannot give a sort order. */
  private multikeyDocs = 0;
  /** Under a case- or accent-insensitive collation, strings are bucketed by their folded form. */
  private readonly fold?: (s: string) => string;
  /** Changes with every add or remove, so a paused walk knows to seek again (planner/execute.ts). */
  private changes = 0;
  /** Bytes of all entries (see entryBytes), kept as entries come and go. */
  private entryBytesTotal = 0;
  /** How often the planner chose this index, for `$indexStats`. */
  readonly accesses = { ops: 0, since: new Date() };

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.directions = this.fields.map((field) => (spec.key[field] === -1 ? -1 : 1));
    this.hashed = this.fields.some((field) => spec.key[field] === "hashed");
    this.maintained = this.fields.every((field) => ORDERED_KEY(spec.key[field]));
    this.isId = this.fields.length === 1 && this.fields[0] === "_id";
    this.compare = keyComparator(this.directions);
    this.tree = new BTree<IndexKey, string>(undefined, this.compare);
    if (spec.partialFilterExpression) this.partial = compileFilter(spec.partialFilterExpression);
    this.fold = equalityKeyFor(spec.collation as Document | undefined);
  }

  get name(): string {
    return this.spec.name;
  }

  get isMultikey(): boolean {
    return this.multikeyDocs > 0;
  }

  get isSparse(): boolean {
    return this.spec.sparse === true;
  }

  get isPartial(): boolean {
    return this.partial !== undefined;
  }

  /**
   * True when every document is in the index, so a bucket lookup finds all equal values
   * (binary equality: a folding collation's buckets hold values a simple query tells apart).
   */
  get complete(): boolean {
    return this.maintained && !this.spec.sparse && !this.partial && !this.fold;
  }

  get size(): number {
    return this.tree.size;
  }

  get version(): number {
    return this.changes;
  }

  /** Bytes of the entries, for collStats' `indexSizes`. */
  get bytes(): number {
    return this.entryBytesTotal;
  }

  /** Every entry in index order, for validate. */
  entries(): IterableIterator<[IndexKey, string]> {
    return this.tree.entries();
  }

  /** False for documents a partial index leaves out. */
  covers(doc: Document): boolean {
    return !this.partial || this.partial(doc);
  }

  /** The key values `doc` is indexed under: one per combination of array elements (multikey). */
  keyValues(doc: Document): unknown[][] {
    return this.keysOf(doc).keys;
  }

  private keysOf(doc: Document): DocumentKeys {
    const found = this.rawKeysOf(doc);
    if (!this.fold) return found;
    // Under a folding collation, entries hold the folded strings: `Abc` and `abc` are one key.
    const fold = this.fold;
    return { ...found, keys: found.keys.map((values) => values.map((value) => (typeof value === "string" ? fold(value) : value))) };
  }

  private rawKeysOf(doc: Document): { keys: unknown[][]; multikey: boolean } {
    if (!this.maintained || !this.covers(doc)) return { keys: [], multikey: false };
    // `_id` (never an array) is every collection's index: no path walk on its hot insert path.
    const raw = this.isId ? [Object.hasOwn(doc, "_id") ? doc._id : undefined] : this.fields.map((field) => getIndexKeyValue(doc, field));
    const multikey = raw.some(Array.isArray);
    if (!multikey) {
      if (this.spec.sparse && raw.every((value) => value === undefined)) return { keys: [], multikey };
      return { keys: [raw], multikey };
    }
    const perField = raw.map(expand);
    if (this.spec.sparse && perField.every((values) => values.length === 1 && values[0] === undefined)) return { keys: [], multikey };
    let combos: unknown[][] = [[]];
    for (const values of perField) combos = combos.flatMap((combo) => values.map((value) => [...combo, value]));
    const seen = new Set<string>();
    const keys = combos.filter((values) => {
      const key = values.map((v) => valueKey(v ?? null)).join("\u0000");
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    return { keys, multikey };
  }

  private keyOf(value: unknown): string {
    if (this.fold && typeof value === "string") return valueKey(this.fold(value));
    return valueKey(value ?? null);
  }

  /** Throws DuplicateKey if `doc` would collide with a document other than `selfId`. */
  check(ns: string, doc: Document, selfId: string): void {
    if (!this.spec.unique) return;
    for (const values of this.keyValues(doc)) {
      for (const id of this.lookup(values)) if (id !== selfId) throw this.duplicate(ns, values);
    }
  }

  /** Throws DuplicateKey if the documents already indexed would violate uniqueness. */
  verifyUnique(ns: string): void {
    if (!this.spec.unique) return;
    let previous: [IndexKey, string] | undefined;
    for (const [key, id] of this.tree.entries()) {
      if (previous && previous[1] !== id && sameValues(previous[0].values, key.values)) throw this.duplicate(ns, key.values);
      previous = [key, id];
    }
  }

  add(id: string, seq: number, doc: Document): void {
    this.addKeys(id, seq, this.keysOf(doc));
  }

  remove(id: string, seq: number, doc: Document): void {
    this.removeKeys(id, seq, this.keysOf(doc));
  }

  /**
   * A replaced document's entries: left as they are when its keys did not change (an update
   * usually touches fields few indexes hold), else removed and added again.
   */
  move(id: string, seq: number, old: Document, doc: Document): void {
    const before = this.keysOf(old);
    const after = this.keysOf(doc);
    if (before.multikey === after.multikey && sameKeys(before.keys, after.keys)) return;
    this.removeKeys(id, seq, before);
    this.addKeys(id, seq, after);
  }

  private addKeys(id: string, seq: number, { keys, multikey }: DocumentKeys): void {
    this.changes++;
    if (multikey && keys.length > 0) this.multikeyDocs++;
    for (const values of keys) {
      if (this.tree.set({ values, seq }, id)) this.entryBytesTotal += entryBytes(values, id);
    }
  }

  private removeKeys(id: string, seq: number, { keys, multikey }: DocumentKeys): void {
    this.changes++;
    if (multikey && keys.length > 0) this.multikeyDocs--;
    for (const values of keys) {
      if (this.tree.delete({ values, seq })) this.entryBytesTotal -= entryBytes(values, id);
    }
  }

  /** Ids of documents whose key equals `values` (one per field, in key order), in natural order. */
  *lookup(values: unknown[]): Iterable<string> {
    for (const [key, id] of this.tree.entries({ values, seq: -Infinity })) {
      if (!sameValues(key.values, values)) return;
      yield id;
    }
  }

  /** Entries in index order from `start` (forward) or backward from `start`; the caller stops the walk. */
  walk(start: IndexKey, backward: boolean): IterableIterator<[IndexKey, string]> {
    return backward ? this.tree.entriesReversed(start) : this.tree.entries(start);
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

/** A document's entries in one index: their values, and whether an array made several. */
interface DocumentKeys {
  keys: unknown[][];
  multikey: boolean;
}

/**
 * The same entries, value for value: the same value, or Dates of one time, or equal ObjectIds.
 * Anything else (e.g. a Long for a number, an equal subdocument) counts as changed, which only
 * costs the entries' removal and addition, as before.
 */
function sameKeys(a: unknown[][], b: unknown[][]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].length !== b[i].length) return false;
    for (let j = 0; j < a[i].length; j++) if (!Object.is(a[i][j], b[i][j]) && !sameScalar(a[i][j], b[i][j])) return false;
  }
  return true;
}

function sameScalar(x: unknown, y: unknown): boolean {
  if (x instanceof Date && y instanceof Date) return x.getTime() === y.getTime();
  const bx = (x as { _bsontype?: string } | null)?._bsontype;
  if (bx === "ObjectId" && (y as { _bsontype?: string } | null)?._bsontype === "ObjectId") return (x as { equals(o: unknown): boolean }).equals(y);
  return false;
}

/** Multikey: an array contributes each element; an empty array indexes as undefined, like mongod. */
function expand(value: unknown): unknown[] {
  if (!Array.isArray(value)) return [value];
  if (value.length === 0) return [undefined];
  return value;
}
