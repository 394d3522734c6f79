import { Binary, EJSON, Long } from "bson";

/** A value carrying a BSON type tag (`Int32`, `ObjectId`, ...), as the `bson` package builds them. */
interface BsonTagged {
  _bsontype: string;
}

export function bsonTag(value: unknown): string | undefined {
  if (value !== null && typeof value === "object" && "_bsontype" in value) {
    return (value as BsonTagged)._bsontype;
  }
  return undefined;
}

/** A document in the sense of the matching rules: a plain object, not an array, date or BSON value. */
export function isDocument(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value) || value instanceof Date || value instanceof RegExp) return false;
  if (value instanceof Uint8Array) return false;
  const tag = bsonTag(value);
  return tag === undefined || tag === "DBRef";
}

const NUMERIC_TAGS = new Set(["Int32", "Double", "Long"]);

/** Decimal128 is excluded: the spec compares it only with itself. */
export function isFlexibleNumber(value: unknown): boolean {
  if (typeof value === "number" || typeof value === "bigint") return true;
  const tag = bsonTag(value);
  return tag !== undefined && NUMERIC_TAGS.has(tag);
}

/** The numeric value, as a bigint when exactness matters (64-bit integers). */
export function numericValue(value: unknown): number | bigint {
  if (typeof value === "number" || typeof value === "bigint") return value;
  const tag = bsonTag(value);
  if (tag === "Long") return (value as Long).toBigInt();
  return (value as { value: number }).value;
}

export function compareNumbers(a: unknown, b: unknown): number {
  const x = numericValue(a);
  const y = numericValue(b);
  if (typeof x === "number" && typeof y === "number") return x === y ? 0 : x < y ? -1 : 1;
  // Mixed bigint/number: compare exactly when the number is integral, else as floats.
  const toBig = (n: number | bigint) => (typeof n === "bigint" ? n : Number.isInteger(n) ? BigInt(n) : undefined);
  const bx = toBig(x);
  const by = toBig(y);
  if (bx !== undefined && by !== undefined) return bx === by ? 0 : bx < by ? -1 : 1;
  const fx = Number(x);
  const fy = Number(y);
  return fx === fy ? 0 : fx < fy ? -1 : 1;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * The `$type` names an actual value can stand for. The driver promotes int32, int64 and double
 * to JavaScript numbers when it reads a reply, so an integral number may have been any of the
 * three on the wire; only non-integral numbers are known to be doubles.
 */
export function bsonTypeNames(value: unknown): string[] {
  if (value === undefined) return ["undefined"];
  if (value === null) return ["null"];
  if (typeof value === "string") return ["string"];
  if (typeof value === "boolean") return ["bool"];
  if (typeof value === "bigint") return ["long", "number"];
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return ["double", "number"];
    const inInt32 = value >= INT32_MIN && value <= INT32_MAX;
    return inInt32 ? ["int", "long", "double", "number"] : ["long", "double", "number"];
  }
  if (Array.isArray(value)) return ["array"];
  if (value instanceof Date) return ["date"];
  if (value instanceof RegExp) return ["regex"];
  if (value instanceof Uint8Array) return ["binData"];
  const byTag: Record<string, string[]> = {
    Int32: ["int", "number"],
    Double: ["double", "number"],
    Long: ["long", "number"],
    Decimal128: ["decimal", "number"],
    ObjectId: ["objectId"],
    Binary: ["binData"],
    BSONRegExp: ["regex"],
    Timestamp: ["timestamp"],
    MinKey: ["minKey"],
    MaxKey: ["maxKey"],
    BSONSymbol: ["symbol"],
    DBPointer: ["dbPointer"],
    DBRef: ["object"],
  };
  const tag = bsonTag(value);
  if (tag === "Code") return (value as { scope?: unknown }).scope ? ["javascriptWithScope"] : ["javascript"];
  if (tag !== undefined) return byTag[tag] ?? [tag];
  return ["object"];
}

function regexParts(value: unknown): { pattern: string; flags: string } | undefined {
  const sortFlags = (f: string) => [...f].sort().join("");
  if (value instanceof RegExp) return { pattern: value.source, flags: sortFlags(value.flags) };
  if (bsonTag(value) === "BSONRegExp") {
    const r = value as { pattern: string; options: string };
    return { pattern: r.pattern, flags: sortFlags(r.options) };
  }
  return undefined;
}

function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (bsonTag(value) === "Binary") return (value as Binary).value();
  return undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** Canonical Extended JSON, with document keys sorted so that key order does not matter. */
export function canonical(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (isDocument(v)) {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sortKeys(v[k])]),
      );
    }
    return v;
  };
  return EJSON.stringify(sortKeys(value), { relaxed: false });
}

/**
 * Equality of two non-document, non-array values: same type (numbers flexibly, except
 * Decimal128) and same value.
 */
export function scalarEquals(expected: unknown, actual: unknown): boolean {
  if (isFlexibleNumber(expected) || isFlexibleNumber(actual)) {
    return isFlexibleNumber(expected) && isFlexibleNumber(actual) && compareNumbers(expected, actual) === 0;
  }
  if (expected === null || expected === undefined || typeof expected !== "object") return expected === actual;
  if (expected instanceof Date) return actual instanceof Date && actual.getTime() === expected.getTime();
  const expectedRegex = regexParts(expected);
  if (expectedRegex) {
    const actualRegex = regexParts(actual);
    return actualRegex !== undefined && actualRegex.pattern === expectedRegex.pattern && actualRegex.flags === expectedRegex.flags;
  }
  const expectedBytes = bytesOf(expected);
  if (expectedBytes) {
    const actualBytes = bytesOf(actual);
    const subtype = (v: unknown) => (bsonTag(v) === "Binary" ? (v as Binary).sub_type : 0);
    return actualBytes !== undefined && subtype(expected) === subtype(actual) && sameBytes(expectedBytes, actualBytes);
  }
  if (bsonTag(expected) !== bsonTag(actual)) return false;
  return canonical(expected) === canonical(actual);
}

function withoutMaps(value: unknown): unknown {
  if (value instanceof Map) return withoutMaps(Object.fromEntries(value));
  if (Array.isArray(value)) return value.map(withoutMaps);
  if (isDocument(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutMaps(v)]));
  return value;
}

/** Relaxed Extended JSON of a value as it goes on the wire (the driver's Maps shown as documents). */
export function toExtendedJson(value: unknown): string {
  try {
    return EJSON.stringify(withoutMaps(value), { relaxed: true });
  } catch {
    return String(value);
  }
}

/** Short, readable rendering of a value for failure messages. */
export function show(value: unknown, max = 160): string {
  const text = value === undefined ? "(missing)" : toExtendedJson(value);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
