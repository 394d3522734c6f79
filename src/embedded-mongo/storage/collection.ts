import type { Document } from "bson";
import { formatDupKey } from "./dup-key";
import { commandError } from "../errors";
import { Index } from "./indexes";
import type { IndexSpec, SearchIndexSpec } from "./ops";
import { valueKey } from "./keys";
import { documentBytes } from "./sizes";

export const MAX_BSON_SIZE = 16 * 1024 * 1024;
export const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: "_id_" };

/**
 * A collection: documents by canonical _id key in insertion (natural) order, plus secondary
 * indexes. Mutators here assume the caller already validated the change (see StorageEngine).
 */
export class Collection {
  readonly docs = new Map<string, Document>();
  readonly indexes: Index[] = [];
  /** Search index definitions by name (createSearchIndexes); they hold no data of their own. */
  readonly searchIndexes = new Map<string, SearchIndexSpec>();
  /** The `_id` index's ordered view, for `_id` ranges and sorts (lookups use `docs`). */
  readonly idIndex = new Index(ID_INDEX);
  /** Each document's place in natural order; index entries break ties by it. */
  private readonly seqs = new Map<string, number>();
  private nextSeq = 0;
  /** BSON bytes of the stored documents, kept as they come and go (collStats' `size`). */
  private storedBytes = 0;
  /** Reads the planner answered with a collection scan, for `$collStats`' queryExecStats. */
  collectionScans = 0;

  constructor(
    /** Changed only by renameCollection, through StorageEngine.apply. */
    public db: string,
    public name: string,
    /** As given to create (validator, viewOn, ...); replaced by collMod. */
    public options: Document,
  ) {}

  /** Views live in the catalog beside collections; they hold no documents. */
  get isView(): boolean {
    return typeof this.options.viewOn === "string";
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get dataSize(): number {
    return this.storedBytes;
  }

  /** The `_id` index and the secondary ones, as collStats and validate list them. */
  allIndexes(): Index[] {
    return [this.idIndex, ...this.indexes];
  }

  indexSpecs(): IndexSpec[] {
    return [ID_INDEX, ...this.indexes.map((index) => index.spec)];
  }

  findIndex(name: string): Index | undefined {
    return this.indexes.find((index) => index.name === name);
  }

  getById(id: unknown): Document | undefined {
    return this.docs.get(valueKey(id));
  }

  /** A document's place in natural order (insertion order; a replacement keeps its place). */
  naturalSeq(doc: Document): number {
    return this.seqs.get(valueKey(doc._id)) ?? 0;
  }

  checkInsert(doc: Document): void {
    const id = valueKey(doc._id);
    if (this.docs.has(id)) {
      throw commandError(
        "DuplicateKey",
        `E11000 duplicate key error collection: ${this.ns} index: _id_ dup key: ${formatDupKey({ _id: doc._id })}`,
        { keyPattern: { _id: 1 }, keyValue: { _id: doc._id } },
      );
    }
    for (const index of this.indexes) index.check(this.ns, doc, id);
  }

  checkReplace(doc: Document): void {
    const id = valueKey(doc._id);
    for (const index of this.indexes) index.check(this.ns, doc, id);
  }

  insert(doc: Document): void {
    const id = valueKey(doc._id);
    const seq = this.nextSeq++;
    this.docs.set(id, doc);
    this.storedBytes += documentBytes(doc);
    this.seqs.set(id, seq);
    this.idIndex.add(id, seq, doc);
    for (const index of this.indexes) index.add(id, seq, doc);
  }

  /** A replacement keeps the document's place in natural order (and its `_id`). */
  replace(doc: Document): void {
    const id = valueKey(doc._id);
    const old = this.docs.get(id);
    if (!old) throw new Error(`replace of a missing document ${id} in ${this.ns}`);
    const seq = this.seqs.get(id) as number;
    for (const index of this.indexes) index.move(id, seq, old, doc);
    this.storedBytes += documentBytes(doc) - documentBytes(old);
    this.docs.set(id, doc);
  }

  delete(idValue: unknown): void {
    const id = valueKey(idValue);
    const old = this.docs.get(id);
    if (!old) return;
    const seq = this.seqs.get(id) as number;
    this.idIndex.remove(id, seq, old);
    for (const index of this.indexes) index.remove(id, seq, old);
    this.storedBytes -= documentBytes(old);
    this.docs.delete(id);
    this.seqs.delete(id);
  }

  /** Builds the index over existing documents; throws DuplicateKey without changing anything. */
  addIndex(spec: IndexSpec): void {
    const index = new Index(spec);
    for (const [id, doc] of this.docs) index.add(id, this.seqs.get(id) as number, doc);
    index.verifyUnique(this.ns);
    this.indexes.push(index);
  }

  dropIndex(name: string): void {
    const at = this.indexes.findIndex((index) => index.name === name);
    if (at >= 0) this.indexes.splice(at, 1);
  }
}
