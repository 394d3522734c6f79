import { BSON, type Document } from "bson";

/** A stored document's size: its BSON encoding, as mongod counts `size` and `dataSize`. */
export function documentBytes(doc: Document): number {
  return BSON.calculateObjectSize(doc);
}

/**
 * An index entry's size: its key values encoded as BSON (mongod's key strings hold values
 * without field names too) plus the record id the entry points to.
 */
export function entryBytes(values: unknown[], id: string): number {
  return BSON.calculateObjectSize({ k: values }) + Buffer.byteLength(id);
}
