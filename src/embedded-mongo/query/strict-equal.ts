import { bsonTypeOf, compareValues } from "./bson-order";
import { isPlainObject } from "./paths";

/**
 * Byte-for-byte BSON equality: same types, same field order. Decides whether an update
 * modified a document (1 and NumberLong(1) compare equal but are different bytes).
 */
export function strictEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b) return false;
  if (typeof a === "number") return Number.isNaN(a) && Number.isNaN(b as number);
  if (a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => strictEqual(v, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && strictEqual(a[k], b[k]));
  }
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (bsonTypeOf(a) !== bsonTypeOf(b) || isPlainObject(b) || Array.isArray(b)) return false;
  if (bsonTypeOf(a) === "Decimal128") return String(a) === String(b);
  return compareValues(a, b) === 0;
}
