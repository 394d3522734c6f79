import { Double, type Decimal128, type Long } from "bson";
import { compareExact, exactOf } from "./exact-decimal";

/**
 * MongoDB's canonical BSON type ranks: values of different types compare by rank
 * (MinKey < null < numbers < strings < objects < arrays < BinData < ObjectId < bool < Date
 * < Timestamp < RegExp < MaxKey), values of one rank by their content.
 */
export const enum Rank {
  MinKey = 1,
  Null = 5,
  Number = 10,
  String = 15,
  Object = 20,
  Array = 25,
  BinData = 30,
  ObjectId = 35,
  Boolean = 40,
  Date = 45,
  Timestamp = 47,
  RegExp = 50,
  DBRef = 55,
  Code = 60,
  CodeWithScope = 65,
  MaxKey = 127,
}

type BsonLike = { _bsontype: string } & Record<string, unknown>;

export function bsonTypeOf(v: unknown): string | undefined {
  return v !== null && typeof v === "object" ? ((v as Partial<BsonLike>)._bsontype as string | undefined) : undefined;
}

export function rankOf(v: unknown): Rank {
  switch (typeof v) {
    case "undefined":
      return Rank.Null;
    case "number":
    case "bigint":
      return Rank.Number;
    case "string":
      return Rank.String;
    case "boolean":
      return Rank.Boolean;
    case "object":
      break;
    default:
      return Rank.Object;
  }
  if (v === null) return Rank.Null;
  if (Array.isArray(v)) return Rank.Array;
  if (v instanceof Date) return Rank.Date;
  if (v instanceof RegExp) return Rank.RegExp;
  if (v instanceof Uint8Array) return Rank.BinData;
  switch (bsonTypeOf(v)) {
    case undefined:
      return Rank.Object;
    case "Int32":
    case "Double":
    case "Long":
    case "Decimal128":
      return Rank.Number;
    case "ObjectId":
      return Rank.ObjectId;
    case "Binary":
      return Rank.BinData;
    case "Timestamp":
      return Rank.Timestamp;
    case "MinKey":
      return Rank.MinKey;
    case "MaxKey":
      return Rank.MaxKey;
    case "BSONRegExp":
      return Rank.RegExp;
    case "BSONSymbol":
      return Rank.String;
    case "DBRef":
      return Rank.Object;
    case "Code":
      return (v as { scope?: unknown }).scope ? Rank.CodeWithScope : Rank.Code;
    default:
      return Rank.Object;
  }
}

/**
 * A double as the engine holds it: a JS number, or a `Double` when it is a whole number in
 * int32 range (the serializer would write that JS number as an int32).
 */
export function doubleValue(n: number): number | Double {
  return Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 ? new Double(n) : n;
}

/** True for values stored as BSON doubles. */
export function isDouble(v: unknown): boolean {
  if (typeof v === "number") return !(Number.isInteger(v) && v >= -2147483648 && v <= 2147483647);
  return bsonTypeOf(v) === "Double";
}

export function isNumeric(v: unknown): boolean {
  return rankOf(v) === Rank.Number;
}

/** A JS number (or bigint for int64 outside the exact double range) for any BSON numeric. */
export function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  switch (bsonTypeOf(v)) {
    case "Int32":
    case "Double":
      return (v as { value: number }).value;
    case "Long":
      return (v as Long).toNumber();
    case "Decimal128":
      return decimalToNumber(v as Decimal128);
    default:
      return NaN;
  }
}

function decimalToNumber(d: Decimal128): number {
  const s = d.toString();
  if (s === "Infinity" || s === "-Infinity") return s === "Infinity" ? Infinity : -Infinity;
  return Number(s);
}

/** Exact comparison of two numerics of any BSON numeric type; NaN sorts before every number. */
export function compareNumbers(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return compareMixed(a, b);
  const ta = bsonTypeOf(a);
  const tb = bsonTypeOf(b);
  if (ta === "Long" && tb === "Long") return (a as Long).compare(b as Long);
  if (ta === "Decimal128" || tb === "Decimal128") {
    const x = exactOf(a);
    const y = exactOf(b);
    if (x && y) return compareExact(x, y);
  }
  if (ta === "Long" || tb === "Long") {
    const x = ta === "Long" ? (a as Long).toBigInt() : toNumber(a);
    const y = tb === "Long" ? (b as Long).toBigInt() : toNumber(b);
    return compareMixed(x, y);
  }
  return compareMixed(toNumber(a), toNumber(b));
}

function compareMixed(x: number | bigint, y: number | bigint): number {
  const xNaN = typeof x === "number" && Number.isNaN(x);
  const yNaN = typeof y === "number" && Number.isNaN(y);
  if (xNaN || yNaN) return xNaN === yNaN ? 0 : xNaN ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** UTF-8 byte order, which for UTF-16 strings is code point order. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca >= 0xd800 && cb >= 0xd800) {
      const pa = a.codePointAt(i)!;
      const pb = b.codePointAt(i)!;
      return pa < pb ? -1 : pa > pb ? 1 : 0;
    }
    return ca < cb ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function binaryParts(v: unknown): { sub: number; bytes: Uint8Array } {
  if (v instanceof Uint8Array) return { sub: 0, bytes: v };
  const bin = v as { sub_type: number; buffer: Uint8Array; position: number };
  return { sub: bin.sub_type, bytes: bin.buffer.subarray(0, bin.position) };
}

function regexParts(v: unknown): [string, string] {
  if (v instanceof RegExp) return [v.source, v.flags];
  const r = v as { pattern: string; options: string };
  return [r.pattern, r.options];
}

/** Field/value pairs of an embedded document, DBRef included, in BSON order. */
function entriesOf(v: object): [string, unknown][] {
  if (bsonTypeOf(v) === "DBRef") {
    const ref = v as unknown as { collection: string; oid: unknown; db?: string; fields: Record<string, unknown> };
    const out: [string, unknown][] = [["$ref", ref.collection], ["$id", ref.oid]];
    if (ref.db) out.push(["$db", ref.db]);
    return out.concat(Object.entries(ref.fields ?? {}));
  }
  // A field holding undefined is absent once serialized; compare as if it were.
  return Object.entries(v).filter(([, x]) => x !== undefined);
}

function compareEntries(a: [string, unknown][], b: [string, unknown][], strCmp: StringCompare): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const [ka, va] = a[i];
    const [kb, vb] = b[i];
    const ra = rankOf(va);
    const rb = rankOf(vb);
    if (ra !== rb) return ra < rb ? -1 : 1;
    const k = compareStrings(ka, kb);
    if (k !== 0) return k;
    const c = compareValues(va, vb, strCmp);
    if (c !== 0) return c;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function compareArrays(a: unknown[], b: unknown[], strCmp: StringCompare): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ra = rankOf(a[i]);
    const rb = rankOf(b[i]);
    if (ra !== rb) return ra < rb ? -1 : 1;
    const c = compareValues(a[i], b[i], strCmp);
    if (c !== 0) return c;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

export type StringCompare = (a: string, b: string) => number;

export interface ObjectIdLike {
  _bsontype: "ObjectId";
  id: Uint8Array;
}

/** bson 7's ObjectId keeps its 12 bytes as four big-endian 24-bit numbers, which compare as the bytes do. */
interface ObjectIdParts {
  i0: number;
  i1: number;
  i2: number;
  i3: number;
}

/**
 * ObjectIds by their bytes: index walks compare many (every key of a learner's index entries
 * starts with the same user id). From bson 7's four numbers when both have them (its `id`
 * allocates a copy of the bytes), else from the bytes.
 */
export function compareObjectIds(a: ObjectIdLike, b: ObjectIdLike): number {
  const pa = a as unknown as ObjectIdParts;
  const pb = b as unknown as ObjectIdParts;
  if (typeof pa.i3 === "number" && typeof pb.i3 === "number") {
    if (pa.i0 !== pb.i0) return pa.i0 < pb.i0 ? -1 : 1;
    if (pa.i1 !== pb.i1) return pa.i1 < pb.i1 ? -1 : 1;
    if (pa.i2 !== pb.i2) return pa.i2 < pb.i2 ? -1 : 1;
    return pa.i3 === pb.i3 ? 0 : pa.i3 < pb.i3 ? -1 : 1;
  }
  return compareBytes(a.id, b.id);
}

/**
 * MongoDB's total order over BSON values (the order of sorts, range queries and index keys).
 * `strCmp` replaces binary string order when a collation applies.
 */
export function compareValues(a: unknown, b: unknown, strCmp: StringCompare = compareStrings): number {
  if (a === b) return 0;
  if (typeof a === "number" && typeof b === "number") return compareMixed(a, b);
  if (typeof a === "string" && typeof b === "string") return strCmp(a, b);
  const ra = rankOf(a);
  const rb = rankOf(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case Rank.Null:
    case Rank.MinKey:
    case Rank.MaxKey:
      return 0;
    case Rank.Number:
      return compareNumbers(a, b);
    case Rank.String:
      return strCmp(String(a), String(b));
    case Rank.Boolean:
      return a === b ? 0 : a ? 1 : -1;
    case Rank.Date: {
      const x = (a as Date).getTime();
      const y = (b as Date).getTime();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case Rank.ObjectId:
      return compareObjectIds(a as ObjectIdLike, b as ObjectIdLike);
    case Rank.BinData: {
      const x = binaryParts(a);
      const y = binaryParts(b);
      if (x.bytes.length !== y.bytes.length) return x.bytes.length < y.bytes.length ? -1 : 1;
      if (x.sub !== y.sub) return x.sub < y.sub ? -1 : 1;
      return compareBytes(x.bytes, y.bytes);
    }
    case Rank.Timestamp: {
      const x = a as Long;
      const y = b as Long;
      return x.high !== y.high ? (x.high >>> 0 < y.high >>> 0 ? -1 : 1) : x.low === y.low ? 0 : x.low >>> 0 < y.low >>> 0 ? -1 : 1;
    }
    case Rank.RegExp: {
      const [pa, fa] = regexParts(a);
      const [pb, fb] = regexParts(b);
      return compareStrings(pa, pb) || compareStrings(fa, fb);
    }
    case Rank.Array:
      return compareArrays(a as unknown[], b as unknown[], strCmp);
    case Rank.Code:
    case Rank.CodeWithScope:
      return compareStrings(String((a as { code: unknown }).code), String((b as { code: unknown }).code));
    default:
      return compareEntries(entriesOf(a as object), entriesOf(b as object), strCmp);
  }
}

export function valuesEqual(a: unknown, b: unknown, strCmp: StringCompare = compareStrings): boolean {
  return a === b || compareValues(a, b, strCmp) === 0;
}
