/** Accumulators replacing mingo's: BSON order for $min/$max, BSON equality for $addToSet, BSON numerics for $sum/$avg. */
import { evalExpr } from "mingo/core";
import { arithmetic } from "./arithmetic";
import { bsonTypeOf, compareValues, isNumeric, toNumber } from "./bson-order";
import type { ComputeOptions } from "./mingo-context";
import { scoped, strCmpOf } from "./operator-options";
import { valueKey } from "./value-key";

/** Values an accumulator reads: the expression over each document of the group. */
function accumulated(coll: unknown[], expr: unknown, options: ComputeOptions): unknown[] {
  if (expr === null || expr === undefined) return coll;
  const own = scoped(options);
  return coll.map((root) => evalExpr(root, expr, own.update({ root })));
}

const extremum = (sign: 1 | -1) => (coll: unknown[], expr: unknown, options: ComputeOptions): unknown => {
  let best: unknown = null;
  const strCmp = strCmpOf(options);
  for (const v of accumulated(coll, expr, options)) {
    if (v === null || v === undefined) continue;
    if (best === null || compareValues(v, best, strCmp) * sign > 0) best = v;
  }
  return best;
};

function sumOf(values: unknown[]): unknown {
  let total: unknown = 0;
  for (const v of values) if (isNumeric(v)) total = arithmetic(total, v, "add");
  return total;
}

const $sum = (coll: unknown[], expr: unknown, options: ComputeOptions): unknown => {
  if (typeof expr === "number") return coll.length * expr;
  return sumOf(accumulated(coll, expr, options));
};

const $avg = (coll: unknown[], expr: unknown, options: ComputeOptions): unknown => {
  const nums = accumulated(coll, expr, options).filter(isNumeric);
  if (nums.length === 0) return null;
  const total = sumOf(nums);
  if (bsonTypeOf(total) === "Decimal128") return arithmetic(total, 1 / nums.length, "mul");
  return toNumber(total) / nums.length;
};

const $addToSet = (coll: unknown[], expr: unknown, options: ComputeOptions): unknown[] => {
  const seen = new Map<string, unknown>();
  for (const v of accumulated(coll, expr, options)) {
    if (v === undefined) continue;
    const k = valueKey(v);
    if (!seen.has(k)) seen.set(k, v);
  }
  return Array.from(seen.values());
};

export const ACCUMULATOR_OPERATORS = { $min: extremum(-1), $max: extremum(1), $sum, $avg, $addToSet };
