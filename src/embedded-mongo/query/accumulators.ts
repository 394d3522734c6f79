/** Accumulators replacing mingo's: BSON order for $min/$max, BSON equality for $addToSet, BSON numerics for $sum/$avg. */
import { evalExpr } from "mingo/core";
import { arithmetic, divide } from "./arithmetic";
import { compareValues, isNumeric, toNumber } from "./bson-order";
import type { ComputeOptions } from "./mingo-context";
import { isPlainObject, type Doc } from "./paths";
import { locationError } from "./query-errors";
import { compileSort } from "./sort";
import { evaluator, strCmpOf } from "./operator-options";
import { valueKey } from "./value-key";

/** Values an accumulator reads: the expression over each document of the group. */
function accumulated(coll: unknown[], expr: unknown, options: ComputeOptions): unknown[] {
  if (expr === null || expr === undefined) return coll;
  return coll.map(evaluator(options)(expr) as (root: unknown) => unknown);
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
  return divide(sumOf(nums), nums.length);
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

/** `n` of the N-accumulators: a positive integer, possibly computed from the group key. */
function countArg(name: string, n: unknown, options: ComputeOptions): number {
  const value = evalExpr(options.local?.groupId ?? null, n, options);
  const count = isNumeric(value) ? toNumber(value) : NaN;
  if (!Number.isInteger(count) || count < 1) throw locationError(5787908, `'n' must be greater than 0, found ${String(value)} in ${name}`);
  return count;
}

/** `$top`/`$bottom`(N): the group's documents ordered by `sortBy`, `output` of the first or last n. */
const ordered = (name: string, from: "top" | "bottom", single: boolean) => (coll: Doc[], expr: Doc, options: ComputeOptions): unknown => {
  if (!isPlainObject(expr) || !isPlainObject(expr.sortBy) || !("output" in expr)) {
    throw locationError(5788005, `${name} requires 'sortBy' and 'output'`);
  }
  const n = single ? 1 : countArg(name, expr.n, options);
  const sorted = coll.slice().sort(compileSort(expr.sortBy, options.collation as Doc | undefined));
  const picked = from === "top" ? sorted.slice(0, n) : sorted.slice(Math.max(0, sorted.length - n));
  const values = accumulated(picked, expr.output, options).map((v) => v ?? null);
  return single ? (values[0] ?? null) : values;
};

/** `$maxN`/`$minN`: the n largest or smallest non-null values, in BSON order. */
const extremaN = (name: string, sign: 1 | -1) => (coll: Doc[], expr: Doc, options: ComputeOptions): unknown[] => {
  if (!isPlainObject(expr) || !("input" in expr)) throw locationError(5787907, `${name} requires 'input' and 'n'`);
  const n = countArg(name, expr.n, options);
  const strCmp = strCmpOf(options);
  const values = accumulated(coll, expr.input, options).filter((v) => v !== null && v !== undefined);
  return values.sort((a, b) => compareValues(b, a, strCmp) * sign).slice(0, n);
};

/**
 * `$maxN`/`$minN` are also array expressions (`{input: [...], n}`); mingo dispatches both
 * uses to the expression operator, with the group's documents as `obj` when accumulating.
 */
const extremaNExpression = (name: string, sign: 1 | -1) => (obj: unknown, expr: Doc, options: ComputeOptions): unknown => {
  if (Array.isArray(obj)) return extremaN(name, sign)(obj, expr, options);
  if (!isPlainObject(expr)) throw locationError(5787907, `${name} requires 'input' and 'n'`);
  const input = evalExpr(obj, expr.input, options);
  if (input === null || input === undefined) return null;
  if (!Array.isArray(input)) throw locationError(5788200, `Input must be an array in ${name}`);
  return extremaN(name, sign)(input, { input: "$$CURRENT", n: expr.n }, options);
};

type Accumulator = (coll: unknown[], expr: unknown, options: ComputeOptions) => unknown;

/**
 * `$sum`, `$avg`, `$min`, `$max` as expressions: one operand resolving to an array is
 * traversed, a list of operands is not. mingo reaches these with the group's documents as
 * `obj` when they accumulate.
 */
const expressionForm = (accumulate: Accumulator) => (obj: unknown, expr: unknown, options: ComputeOptions): unknown => {
  if (Array.isArray(obj)) return accumulate(obj, expr, options);
  let values: unknown[];
  if (Array.isArray(expr)) values = expr.map((e) => evalExpr(obj, e, options));
  else {
    const v = evalExpr(obj, expr, options);
    values = Array.isArray(v) ? v : [v];
  }
  return accumulate(values, null, options);
};

export const EXPRESSION_ACCUMULATORS = {
  $maxN: extremaNExpression("$maxN", 1),
  $minN: extremaNExpression("$minN", -1),
  $sum: expressionForm($sum as Accumulator),
  $avg: expressionForm($avg as Accumulator),
  $min: expressionForm(extremum(-1) as Accumulator),
  $max: expressionForm(extremum(1) as Accumulator),
};

/** `$push` leaves out documents where the expression is missing (mingo pushes null). */
const $push = (coll: unknown[], expr: unknown, options: ComputeOptions): unknown[] =>
  accumulated(coll, expr, options).filter((v) => v !== undefined);

export const ACCUMULATOR_OPERATORS = {
  $push,
  $min: extremum(-1),
  $max: extremum(1),
  $sum,
  $avg,
  $addToSet,
  $top: ordered("$top", "top", true),
  $topN: ordered("$topN", "top", false),
  $bottom: ordered("$bottom", "bottom", true),
  $bottomN: ordered("$bottomN", "bottom", false),
  $maxN: extremaN("$maxN", 1),
  $minN: extremaN("$minN", -1),
};
