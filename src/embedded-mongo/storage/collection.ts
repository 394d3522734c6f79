import type { Document } from "bson";
import { formatDupKey } from "./dup-key";
import { commandError } from "../errors";
import { Index } from "./indexes";
import type { IndexSpec, SearchIndexSpec } from "./ops";
import { valueKey } from "./keys";

export const MAX_BSON_SIZE = 16 * 1024 * 1024;
export const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: "_id_" };

/** Documents a query will look at, and whether they are exactly the matches of the filter. */
export interface Candidates {
  docs: Iterable<Document>;
  /** The filter was a single equality answered by the index: no need to run it again. */
  exact: boolean;
  index?: string;
}

/**
 * A collection: documents by canonical _id key in insertion (natural) order, plus secondary
 * indexes. Mutators here assume the caller already validated the change (see StorageEngine).
 */
export class Collection {
  readonly docs = new Map<string, Document>();
  readonly indexes: Index[] = [];
  /** Search index definitions by name (createSearchIndexes); they hold no data of their own. */
  readonly searchIndexes = new Map<string, SearchIndexSpec>();
  /** Documents examined by the last query, as explain's totalDocsExamined reports it. */
  lastDocsExamined = 0;

  constructor(
    readonly db: string,
    readonly name: string,
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

  indexSpecs(): IndexSpec[] {
    return [ID_INDEX, ...this.indexes.map((index) => index.spec)];
  }

  findIndex(name: string): Index | undefined {
    return this.indexes.find((index) => index.name === name);
  }

  getById(id: unknown): Document | undefined {
    return this.docs.get(valueKey(id));
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
    this.docs.set(id, doc);
    for (const index of this.indexes) index.add(id, doc);
  }

  replace(doc: Document): void {
    const id = valueKey(doc._id);
    const old = this.docs.get(id);
    if (!old) throw new Error(`replace of a missing document ${id} in ${this.ns}`);
    for (const index of this.indexes) {
      index.remove(id, old);
      index.add(id, doc);
    }
    this.docs.set(id, doc);
  }

  delete(idValue: unknown): void {
    const id = valueKey(idValue);
    const old = this.docs.get(id);
    if (!old) return;
    for (const index of this.indexes) index.remove(id, old);
    this.docs.delete(id);
  }

  /** Builds the index over existing documents; throws DuplicateKey without changing anything. */
  addIndex(spec: IndexSpec): void {
    const index = new Index(spec);
    for (const [id, doc] of this.docs) index.add(id, doc);
    index.verifyUnique(this.ns, this.docs);
    this.indexes.push(index);
  }

  dropIndex(name: string): void {
    const at = this.indexes.findIndex((index) => index.name === name);
    if (at >= 0) this.indexes.splice(at, 1);
  }

  /**
   * Picks the documents a filter can match: an _id or complete secondary index answers
   * equality (and `$in` of plain values); anything else scans in natural order.
   */
  candidates(filter: Document, canUseIndexes = true): Candidates {
    const fields = Object.keys(filter);
    if (canUseIndexes && fields.length > 0) {
      const idValues = fields.includes("_id") ? equalityValues(filter._id) : undefined;
      if (idValues) {
        const docs: Document[] = [];
        const seen = new Set<string>();
        for (const value of idValues) {
          const key = valueKey(value);
          const doc = this.docs.get(key);
          if (doc && !seen.has(key)) {
            seen.add(key);
            docs.push(doc);
          }
        }
        return { docs, exact: fields.length === 1, index: "_id_" };
      }
      for (const index of this.indexes) {
        if (!index.complete || !index.fields.every((field) => fields.includes(field))) continue;
        const perField = index.fields.map((field) => equalityValues(filter[field]));
        if (perField.some((values) => !values)) continue;
        const docs = this.lookup(index, perField as unknown[][]);
        // Bucket keys equal exactly when MongoDB equality holds (multikey included), so a filter
        // made only of top-level equalities on the index's fields needs no second pass.
        const exact = fields.length === index.fields.length && index.fields.every((field) => !field.includes("."));
        return { docs, exact, index: index.name };
      }
    }
    return { docs: this.docs.values(), exact: false };
  }

  private lookup(index: Index, perField: unknown[][]): Document[] {
    let combos: unknown[][] = [[]];
    for (const values of perField) combos = combos.flatMap((combo) => values.map((value) => [...combo, value]));
    const ids = new Set<string>();
    for (const combo of combos) for (const id of index.lookup(combo)) ids.add(id);
    const docs: Document[] = [];
    for (const id of ids) {
      const doc = this.docs.get(id);
      if (doc) docs.push(doc);
    }
    return docs;
  }
}

/**
 * The values an equality predicate can be looked up by, or undefined when the predicate is not a
 * plain equality. Null (matches missing fields), arrays (match whole arrays too) and regexes are
 * left to the scan.
 */
function equalityValues(predicate: unknown): unknown[] | undefined {
  if (isLookupValue(predicate)) return [predicate];
  if (!isPlainObject(predicate)) return undefined;
  const keys = Object.keys(predicate);
  if (keys.length !== 1) return undefined;
  if (keys[0] === "$eq" && isLookupValue(predicate.$eq)) return [predicate.$eq];
  if (keys[0] === "$in" && Array.isArray(predicate.$in) && predicate.$in.every(isLookupValue)) return predicate.$in;
  return undefined;
}

function isLookupValue(value: unknown): boolean {
  if (value === null || value === undefined || Array.isArray(value) || value instanceof RegExp) return false;
  if (typeof value !== "object") return true;
  const bsonType = (value as Document)._bsontype;
  if (bsonType) return bsonType !== "BSONRegExp" && bsonType !== "MinKey" && bsonType !== "MaxKey";
  if (value instanceof Date) return true;
  return Object.keys(value).every((key) => !key.startsWith("$"));
}

function isPlainObject(value: unknown): value is Document {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value as Document)._bsontype && !(value instanceof Date) && !(value instanceof RegExp);
}
