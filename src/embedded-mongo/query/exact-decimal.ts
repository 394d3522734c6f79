import type { Decimal128, Long } from "bson";
import { bsonTypeOf } from "./bson-order";

/** A finite number as an exact decimal: coef × 10^exp. */
export type Exact = { coef: bigint; exp: number };

export function parseDecimalString(s: string): Exact | undefined {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m || (m[2] === "" && !m[3])) return undefined;
  const [, sign, int, frac = "", e = "0"] = m;
  return { coef: BigInt(`${sign}${int}${frac}` === sign ? "0" : `${sign}${int}${frac}`), exp: Number(e) - frac.length };
}

/** Every finite double is a dyadic fraction, so it has a terminating decimal expansion. */
function exactDouble(n: number): Exact {
  if (Number.isInteger(n)) return { coef: BigInt(n), exp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, n);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const scale = biased === 0 ? 1074 : 1075 - biased;
  const coef = mantissa * 5n ** BigInt(scale);
  return { coef: n < 0 ? -coef : coef, exp: -scale };
}

/** The exact value of a finite BSON numeric; undefined for NaN and infinities. */
export function exactOf(v: unknown): Exact | undefined {
  switch (bsonTypeOf(v)) {
    case "Decimal128":
      return parseDecimalString((v as Decimal128).toString());
    case "Long":
      return { coef: (v as Long).toBigInt(), exp: 0 };
    case "Int32":
    case "Double":
      v = (v as { value: number }).value;
  }
  return typeof v === "number" && Number.isFinite(v) ? exactDouble(v) : undefined;
}

export function compareExact(a: Exact, b: Exact): number {
  const exp = Math.min(a.exp, b.exp);
  const x = a.coef * 10n ** BigInt(a.exp - exp);
  const y = b.coef * 10n ** BigInt(b.exp - exp);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** One spelling per value: integers as digits ("15"), fractions as "15e-1" (1.50, 1.5 and 3/2). */
export function canonicalExact(e: Exact): string {
  let { coef, exp } = e;
  if (exp >= 0) return (coef * 10n ** BigInt(exp)).toString();
  while (exp < 0 && coef % 10n === 0n) {
    coef /= 10n;
    exp++;
  }
  return exp === 0 ? coef.toString() : `${coef}e${exp}`;
}
