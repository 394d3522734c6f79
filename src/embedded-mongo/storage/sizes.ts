import { BSON, type Document } from "bson";

/** Sizes of documents already measured: stored documents are never changed in place (an update makes a new one). */
const measured = new WeakMap<Document, number>();

/**
 * A document's size: its BSON encoding, as mongod counts `size` and `dataSize`. Measured once per
 * document (a write checks the limit, then the collection counts it in, and out when replaced).
 */
export function documentBytes(doc: Document): number {
  let size = measured.get(doc);
  if (size === undefined) {
    size = BSON.calculateObjectSize(doc);
    measured.set(doc, size);
  }
  return size;
}

/**
 * An index entry's size: its key values encoded as BSON (mongod's key strings hold values
 * without field names too) plus the record id the entry points to.
 */
export function entryBytes(values: unknown[], id: string): number {
  return BSON.calculateObjectSize({ k: values }) + Buffer.byteLength(id);
}
