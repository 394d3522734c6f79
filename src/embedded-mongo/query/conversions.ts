import { Decimal128, Long, ObjectId } from "bson";
import { evalExpr } from "mingo/core";
import type { Options } from "mingo/types";
import { arithmetic, divide } from "./arithmetic";
import { bsonTypeOf, doubleValue, isNumeric, toNumber } from "./bson-order";
import { bsonTypeName } from "./bson-types";
import { locationError } from "./query-errors";
import { commandError, MongoCommandError } from "../errors";

/** Aggregation expressions that must know BSON types mingo does not (ObjectId, Long, Decimal128). */
type Expr = (obj: unknown, expr: unknown, options: Options) => unknown;

const conversionFailure = (message: string) => new MongoCommandError(241, "ConversionFailure", message);

function unary(convert: (v: unknown) => unknown): Expr {
  return (obj, expr, options) => {
    const arg = evalExpr(obj, expr, options);
    const v = Array.isArray(expr) && expr.length === 1 && Array.isArray(arg) ? arg[0] : arg;
    if (v === null || v === undefined) return null;
    return convert(v);
  };
}

function fail(target: string, v: unknown): never {
  throw conversionFailure(`Unsupported conversion from ${bsonTypeName(v)} to ${target} in $convert with no onError value`);
}

function toStringValue(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return String(v);
  if (v instanceof Date) return v.toISOString();
  switch (bsonTypeOf(v)) {
    case "ObjectId":
      return (v as ObjectId).toHexString();
    case "Long":
    case "Decimal128":
    case "Int32":
    case "Double":
    case "BSONSymbol":
      return String(v);
  }
  if (typeof v === "number") return String(v);
  return fail("string", v);
}

function toLongValue(v: unknown): Long {
  if (bsonTypeOf(v) === "Long") return v as Long;
  if (typeof v === "boolean") return Long.fromNumber(v ? 1 : 0);
  if (v instanceof Date) return Long.fromNumber(v.getTime());
  if (typeof v === "string") {
    if (!/^-?\d+$/.test(v.trim())) throw conversionFailure(`Failed to parse number '${v}' in $convert with no onError value`);
    return Long.fromString(v.trim());
  }
  if (isNumeric(v)) {
    const n = toNumber(v);
    if (!Number.isFinite(n)) throw conversionFailure(`Attempt to convert ${n} value to integer type in $convert with no onError value`);
    return Long.fromNumber(Math.trunc(n));
  }
  return fail("long", v);
}

function toDoubleValue(v: unknown): number {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  if (typeof v === "string") {
    const n = Number(v.trim());
    if (v.trim() === "" || Number.isNaN(n)) throw conversionFailure(`Failed to parse number '${v}' in $convert with no onError value`);
    return n;
  }
  if (isNumeric(v)) return toNumber(v);
  return fail("double", v);
}

function toIntValue(v: unknown): number {
  const n = Math.trunc(toDoubleValue(v));
  if (n < -2147483648 || n > 2147483647) throw conversionFailure(`Conversion would overflow target type in $convert with no onError value`);
  return n;
}

function toDecimalValue(v: unknown): Decimal128 {
  if (bsonTypeOf(v) === "Decimal128") return v as Decimal128;
  if (bsonTypeOf(v) === "Long") return Decimal128.fromString(String(v));
  if (typeof v === "string") {
    try {
      return Decimal128.fromString(v.trim());
    } catch {
      throw conversionFailure(`Failed to parse number '${v}' in $convert with no onError value`);
    }
  }
  return Decimal128.fromString(String(toDoubleValue(v)));
}

function toObjectIdValue(v: unknown): ObjectId {
  if (bsonTypeOf(v) === "ObjectId") return v as ObjectId;
  if (typeof v === "string" && /^[0-9a-fA-F]{24}$/.test(v)) return new ObjectId(v);
  if (typeof v === "string") throw conversionFailure(`Failed to parse objectId '${v}' in $convert with no onError value: Invalid string length for parsing to OID, expected 24 but found ${v.length}`);
  return fail("objectId", v);
}

function toDateValue(v: unknown): Date {
  if (v instanceof Date) return v;
  switch (bsonTypeOf(v)) {
    case "ObjectId":
      return (v as ObjectId).getTimestamp();
    case "Timestamp":
      return new Date((v as Long).high * 1000);
  }
  if (typeof v === "string") {
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) throw conversionFailure(`Error parsing date string '${v}' in $convert with no onError value`);
    return d;
  }
  if (isNumeric(v)) return new Date(toNumber(v));
  return fail("date", v);
}

function toBoolValue(v: unknown): boolean {
  if (typeof v === "boolean") return v;
  if (isNumeric(v)) return toNumber(v) !== 0;
  return true;
}

function negate(v: unknown): unknown {
  switch (bsonTypeOf(v)) {
    case "Long":
      return (v as Long).negate();
    case "Decimal128": {
      const s = String(v);
      return Decimal128.fromString(s.startsWith("-") ? s.slice(1) : "-" + s);
    }
    default:
      return -toNumber(v);
  }
}

function pair(name: string, obj: unknown, expr: unknown, options: Options): [unknown, unknown] {
  const args = evalExpr(obj, expr, options);
  if (!Array.isArray(args) || args.length !== 2) throw locationError(16020, `Expression ${name} takes exactly 2 arguments. ${Array.isArray(args) ? args.length : 1} were passed in.`);
  return [args[0], args[1]];
}

const $subtract: Expr = (obj, expr, options) => {
  const [a, b] = pair("$subtract", obj, expr, options);
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (a instanceof Date && b instanceof Date) return Long.fromNumber(a.getTime() - b.getTime());
  if (a instanceof Date && isNumeric(b)) return new Date(a.getTime() - Math.round(toNumber(b)));
  if (!isNumeric(a) || !isNumeric(b)) {
    throw locationError(16556, `cant $subtract a ${bsonTypeName(b)} from a ${bsonTypeName(a)}`);
  }
  return arithmetic(a, negate(b), "add");
};

const $divide: Expr = (obj, expr, options) => {
  const [a, b] = pair("$divide", obj, expr, options);
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (!isNumeric(a) || !isNumeric(b)) {
    throw locationError(16609, `$divide only supports numeric types, not ${bsonTypeName(a)} and ${bsonTypeName(b)}`);
  }
  if (toNumber(b) === 0) throw locationError(16608, "can't $divide by zero");
  return divide(a, b);
};

const CONVERTERS: Record<string, (v: unknown) => unknown> = {
  string: toStringValue,
  long: toLongValue,
  int: toIntValue,
  double: (v) => doubleValue(toDoubleValue(v)),
  decimal: toDecimalValue,
  objectId: toObjectIdValue,
  bool: toBoolValue,
  date: toDateValue,
};
const CONVERTER_CODES: Record<number, string> = { 1: "double", 2: "string", 7: "objectId", 8: "bool", 9: "date", 16: "int", 18: "long", 19: "decimal" };

/** `$convert`: the `$to*` conversions with `onError` and `onNull` fallbacks. */
const $convert: Expr = (obj, expr, options) => {
  const spec = expr as { input?: unknown; to?: unknown; onError?: unknown; onNull?: unknown };
  const to = evalExpr(obj, spec.to, options);
  const name = typeof to === "number" ? CONVERTER_CODES[to] : String(to);
  const convert = Object.hasOwn(CONVERTERS, name) ? CONVERTERS[name] : undefined;
  if (!convert) throw commandError("BadValue", `Unknown type name: ${String(to)}`);
  const input = evalExpr(obj, spec.input, options);
  if (input === null || input === undefined) return "onNull" in spec ? evalExpr(obj, spec.onNull, options) : null;
  try {
    return convert(input);
  } catch (err) {
    if ("onError" in spec && err instanceof MongoCommandError) return evalExpr(obj, spec.onError, options);
    throw err;
  }
};

const $type: Expr = (obj, expr, options) => {
  const arg = evalExpr(obj, expr, options);
  return bsonTypeName(Array.isArray(expr) && expr.length === 1 && Array.isArray(arg) ? arg[0] : arg);
};

export const CONVERSION_OPERATORS: Record<string, Expr> = {
  $type,
  $isNumber: (obj, expr, options) => isNumeric(evalExpr(obj, expr, options)),
  $toString: unary(toStringValue),
  $toLong: unary(toLongValue),
  $toInt: unary(toIntValue),
  $toDouble: unary((v) => doubleValue(toDoubleValue(v))),
  $toDecimal: unary(toDecimalValue),
  $toObjectId: unary(toObjectIdValue),
  $toBool: unary(toBoolValue),
  $toDate: unary(toDateValue),
  $convert,
  $subtract,
  $divide,
};
