import { BSON, type Document } from "bson";
import type { Collection } from "./collection";
import { MAX_BSON_SIZE } from "./collection";
import type { Index } from "./indexes";
import { valueKey } from "./keys";
import { entryBytes } from "./sizes";

/** What validate found in one collection; `errors` empty means its records and indexes agree. */
export interface ValidationReport {
  nrecords: number;
  keysPerIndex: Record<string, number>;
  indexDetails: Record<string, { valid: boolean }>;
  errors: string[];
  extraIndexEntries: Document[];
  missingIndexEntries: Document[];
  corruptRecords: unknown[];
}

/** How many index entries are reported one by one; counts stay exact beyond it. */
const LISTED = 100;

/**
 * Checks a collection against itself, as mongod's validate does: every record is stored under
 * its own `_id`, fits the BSON limit and counts towards the size counter; every index holds
 * exactly one entry per key each document should have (none pointing to a missing record or a
 * stale key), its byte counter matches its entries, and a unique index has no duplicates.
 */
export function validateCollection(coll: Collection): ValidationReport {
  const report: ValidationReport = { nrecords: coll.docs.size, keysPerIndex: {}, indexDetails: {}, errors: [], extraIndexEntries: [], missingIndexEntries: [], corruptRecords: [] };
  let bytes = 0;
  for (const [id, doc] of coll.docs) {
    // Measured afresh, not through documentBytes' memo: the check is whether the counter, built
    // from those memoised sizes, still matches what the records hold.
    const size = BSON.calculateObjectSize(doc);
    bytes += size;
    if (valueKey(doc._id) !== id || size > MAX_BSON_SIZE) report.corruptRecords.push(doc._id);
  }
  if (report.corruptRecords.length > 0) report.errors.push(`${report.corruptRecords.length} records are stored under another _id or exceed the BSON size limit`);
  if (bytes !== coll.dataSize) report.errors.push(`the collection's size counter says ${coll.dataSize} bytes, its records hold ${bytes}`);
  for (const index of coll.allIndexes()) {
    const before = report.errors.length;
    checkIndex(coll, index, report);
    report.keysPerIndex[index.name] = index.size;
    report.indexDetails[index.name] = { valid: report.errors.length === before };
  }
  return report;
}

function checkIndex(coll: Collection, index: Index, report: ValidationReport): void {
  const found = new Set<string>();
  let extra = 0;
  let bytes = 0;
  for (const [key, id] of index.entries()) {
    const entry = `${id}\u0000${key.seq}\u0000${key.values.map((value) => valueKey(value ?? null)).join("\u0000")}`;
    bytes += entryBytes(key.values, id);
    const doc = coll.docs.get(id);
    const expected = doc && coll.naturalSeq(doc) === key.seq && index.keyValues(doc).some((values) => sameKey(values, key.values));
    if (!expected) {
      extra++;
      if (report.extraIndexEntries.length < LISTED) report.extraIndexEntries.push({ indexName: index.name, recordId: id, key: key.values });
    }
    found.add(entry);
  }
  let missing = 0;
  for (const [id, doc] of coll.docs) {
    const seq = coll.naturalSeq(doc);
    for (const values of index.keyValues(doc)) {
      if (found.has(`${id}\u0000${seq}\u0000${values.map((value) => valueKey(value ?? null)).join("\u0000")}`)) continue;
      missing++;
      if (report.missingIndexEntries.length < LISTED) report.missingIndexEntries.push({ indexName: index.name, recordId: id, key: values });
    }
  }
  if (extra > 0) report.errors.push(`index ${index.name} has ${extra} entries that point to no record or to a record without that key`);
  if (missing > 0) report.errors.push(`index ${index.name} lacks ${missing} entries its records need`);
  if (bytes !== index.bytes) report.errors.push(`index ${index.name}'s size counter says ${index.bytes} bytes, its entries hold ${bytes}`);
  try {
    index.verifyUnique(coll.ns);
  } catch {
    report.errors.push(`unique index ${index.name} holds duplicate keys`);
  }
}

function sameKey(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => valueKey(value ?? null) === valueKey(b[i] ?? null));
}
