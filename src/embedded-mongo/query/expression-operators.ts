/** Expression operators replacing mingo's: comparisons in BSON order, arithmetic on BSON numerics. */
import { evalExpr } from "mingo/core";
import { commandError } from "../errors";
import { arithmetic } from "./arithmetic";
import { compareValues, isNumeric, toNumber, type StringCompare } from "./bson-order";
import type { ComputeOptions } from "./mingo-context";
import { strCmpOf } from "./operator-options";
import { isPlainObject, type Doc } from "./paths";
import { compileSort } from "./sort";
import { locationError } from "./query-errors";

/**
 * Aggregation comparisons order every value in BSON order (no type bracketing), with a
 * missing value below null.
 */
function compareExpr(a: unknown, b: unknown, strCmp: StringCompare): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return compareValues(a, b, strCmp);
}

function binaryArgs(name: string, obj: unknown, expr: unknown, options: ComputeOptions): [unknown, unknown] {
  const args = evalExpr(obj, expr, options);
  if (!Array.isArray(args) || args.length !== 2) {
    throw locationError(16020, `Expression ${name} takes exactly 2 arguments. ${Array.isArray(args) ? args.length : 1} were passed in.`);
  }
  return [args[0], args[1]];
}

const comparison = (name: string, accept: (c: number) => boolean) => (obj: unknown, expr: unknown, options: ComputeOptions): boolean => {
  const [a, b] = binaryArgs(name, obj, expr, options);
  return accept(compareExpr(a, b, strCmpOf(options)));
};

const $cmp = (obj: unknown, expr: unknown, options: ComputeOptions): number => {
  const [a, b] = binaryArgs("$cmp", obj, expr, options);
  return Math.sign(compareExpr(a, b, strCmpOf(options)));
};

const $in = (obj: unknown, expr: unknown, options: ComputeOptions): boolean => {
  const [value, array] = binaryArgs("$in", obj, expr, options);
  if (!Array.isArray(array)) throw locationError(40081, `$in requires an array as a second argument, found: ${array === undefined ? "missing" : typeof array}`);
  const strCmp = strCmpOf(options);
  return array.some((el) => compareExpr(el, value, strCmp) === 0);
};

/** `$add`, `$multiply`: BSON numerics keep their types; `$add` also offsets one Date. */
const $add = (obj: unknown, expr: unknown, options: ComputeOptions): unknown => {
  const args = evalExpr(obj, expr, options);
  if (!Array.isArray(args)) throw commandError("TypeMismatch", "$add only supports numeric or date types");
  let total: unknown = 0;
  let date = false;
  for (const v of args) {
    if (v === null || v === undefined) return null;
    if (v instanceof Date) {
      if (date) throw locationError(16612, "only one date allowed in an $add expression");
      date = true;
      total = arithmetic(total, v.getTime(), "add");
    } else if (isNumeric(v)) total = arithmetic(total, v, "add");
    else throw commandError("TypeMismatch", `$add only supports numeric or date types, not ${typeof v}`);
  }
  return date ? new Date(Math.round(toNumber(total))) : total;
};

const $multiply = (obj: unknown, expr: unknown, options: ComputeOptions): unknown => {
  const args = evalExpr(obj, expr, options);
  if (!Array.isArray(args)) throw commandError("TypeMismatch", "$multiply only supports numeric types");
  let total: unknown = 1;
  for (const v of args) {
    if (v === null || v === undefined) return null;
    if (!isNumeric(v)) throw commandError("TypeMismatch", `$multiply only supports numeric types, not ${typeof v}`);
    total = arithmetic(total, v, "mul");
  }
  return total;
};

/** `$sortArray`: whole elements in BSON order, or documents by fields. */
const $sortArray = (obj: unknown, expr: unknown, options: ComputeOptions): unknown => {
  if (!isPlainObject(expr) || !("input" in expr) || !("sortBy" in expr)) throw locationError(2942500, "$sortArray requires 'input' and 'sortBy'");
  const input = evalExpr(obj, expr.input, options);
  if (input === null || input === undefined) return null;
  if (!Array.isArray(input)) throw locationError(2942504, "The input argument to $sortArray must be an array");
  const spec = expr.sortBy;
  if (isPlainObject(spec)) {
    const cmp = compileSort(spec, options.collation as Doc | undefined);
    return input.slice().sort((a, b) => cmp(isPlainObject(a) ? a : {}, isPlainObject(b) ? b : {}));
  }
  const dir = isNumeric(spec) ? toNumber(spec) : NaN;
  if (dir !== 1 && dir !== -1) throw locationError(2942502, "$sortArray sortBy must be 1, -1 or a sort specification");
  const strCmp = strCmpOf(options);
  return input.slice().sort((a, b) => compareValues(a, b, strCmp) * dir);
};

export const EXPRESSION_OPERATORS = {
  $eq: comparison("$eq", (c) => c === 0),
  $ne: comparison("$ne", (c) => c !== 0),
  $gt: comparison("$gt", (c) => c > 0),
  $gte: comparison("$gte", (c) => c >= 0),
  $lt: comparison("$lt", (c) => c < 0),
  $lte: comparison("$lte", (c) => c <= 0),
  $cmp,
  $in,
  $add,
  $multiply,
  $sortArray,
};
