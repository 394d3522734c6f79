import { Decimal128, Long } from "bson";
import { bsonTypeOf, doubleValue, isDouble, toNumber } from "./bson-order";
import { parseDecimalString, type Exact } from "./exact-decimal";

type Dec = Exact;

function decimalOf(v: unknown): Dec | undefined {
  if (bsonTypeOf(v) === "Decimal128") return parseDecimalString((v as Decimal128).toString());
  if (bsonTypeOf(v) === "Long") return { coef: (v as Long).toBigInt(), exp: 0 };
  const n = toNumber(v);
  // A double joins decimal arithmetic with its shortest spelling (0.1, not its binary expansion).
  return Number.isFinite(n) ? parseDecimalString(String(n)) : undefined;
}

function toDecimal128(d: Dec): Decimal128 {
  return Decimal128.fromStringWithRounding(`${d.coef}E${d.exp >= 0 ? "+" : ""}${d.exp}`);
}

function decimalOp(a: unknown, b: unknown, op: "add" | "mul"): Decimal128 {
  const x = decimalOf(a);
  const y = decimalOf(b);
  if (!x || !y) {
    const n = op === "add" ? toNumber(a) + toNumber(b) : toNumber(a) * toNumber(b);
    return Decimal128.fromString(String(n));
  }
  if (op === "mul") return toDecimal128({ coef: x.coef * y.coef, exp: x.exp + y.exp });
  const exp = Math.min(x.exp, y.exp);
  const scale = (d: Dec) => d.coef * 10n ** BigInt(d.exp - exp);
  return toDecimal128({ coef: scale(x) + scale(y), exp });
}

function isIntegral(v: unknown): boolean {
  return bsonTypeOf(v) === "Long" || Number.isInteger(toNumber(v));
}

/**
 * `a + b` or `a * b` with MongoDB's type promotion: decimal wins, then double; an int64 stays
 * int64 when combined with whole numbers; int32/double (JS numbers) stay numbers.
 */
export function arithmetic(a: unknown, b: unknown, op: "add" | "mul"): unknown {
  const ta = bsonTypeOf(a);
  const tb = bsonTypeOf(b);
  if (ta === "Decimal128" || tb === "Decimal128") return decimalOp(a, b, op);
  const double = isDouble(a) || isDouble(b);
  if ((ta === "Long" || tb === "Long") && !double && isIntegral(a) && isIntegral(b)) {
    const x = ta === "Long" ? (a as Long) : Long.fromNumber(toNumber(a));
    const y = tb === "Long" ? (b as Long) : Long.fromNumber(toNumber(b));
    return op === "add" ? x.add(y) : x.multiply(y);
  }
  const result = op === "add" ? toNumber(a) + toNumber(b) : toNumber(a) * toNumber(b);
  // Two int32 values overflow into an int64 in mongod, not into a double.
  if (isInt32(a) && isInt32(b) && Number.isInteger(result) && !isInt32(result)) return Long.fromNumber(result);
  return double ? doubleValue(result) : result;
}

function isInt32(v: unknown): boolean {
  return (typeof v === "number" || bsonTypeOf(v) === "Int32") && Number.isInteger(toNumber(v)) && toNumber(v) >= -2147483648 && toNumber(v) <= 2147483647;
}

/** Digits kept beyond Decimal128's 34 before rounding a quotient. */
const QUOTIENT_DIGITS = 40n;

/** `a / b`: a Decimal128 when either side is one (to 34 digits), else a double. Callers rule out b = 0. */
export function divide(a: unknown, b: unknown): unknown {
  if (bsonTypeOf(a) !== "Decimal128" && bsonTypeOf(b) !== "Decimal128") return doubleValue(toNumber(a) / toNumber(b));
  const x = decimalOf(a);
  const y = decimalOf(b);
  if (!x || !y) return Decimal128.fromString(String(toNumber(a) / toNumber(b)));
  const scaled = x.coef * 10n ** QUOTIENT_DIGITS;
  let coef = scaled / y.coef;
  let exp = x.exp - y.exp - Number(QUOTIENT_DIGITS);
  // An exact quotient takes IEEE 754's preferred exponent (3 / 2 is 1.5, not 1.5000...).
  if (scaled % y.coef === 0n) {
    const ideal = x.exp - y.exp;
    while (exp < ideal && coef % 10n === 0n) {
      coef /= 10n;
      exp++;
    }
  }
  return toDecimal128({ coef, exp });
}

/** Zero of the same numeric type as `v` (what `$mul` sets on a missing field). */
export function zeroLike(v: unknown): unknown {
  switch (bsonTypeOf(v)) {
    case "Decimal128":
      return Decimal128.fromString("0");
    case "Long":
      return Long.ZERO;
    default:
      return isDouble(v) ? doubleValue(0) : 0;
  }
}
