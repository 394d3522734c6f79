/** Set and search expressions replacing mingo's: element equality is BSON equality (1 = NumberLong(1)). */
import { evalExpr } from "mingo/core";
import { commandError } from "../errors";
import { isNumeric, toNumber, valuesEqual } from "./bson-order";
import type { ComputeOptions } from "./mingo-context";
import { locationError } from "./query-errors";
import { valueKey } from "./value-key";

type Expr = (obj: unknown, expr: unknown, options: ComputeOptions) => unknown;

/** The evaluated array arguments; undefined when one of them is null or missing. */
function arrayArgs(name: string, obj: unknown, expr: unknown, options: ComputeOptions): unknown[][] | undefined {
  const args = evalExpr(obj, expr, options);
  if (!Array.isArray(args)) throw commandError("BadValue", `${name} requires an array of arrays`);
  if (args.some((a) => a === null || a === undefined)) return undefined;
  for (const a of args) {
    if (!Array.isArray(a)) throw locationError(17044, `All operands of ${name} must be arrays.`);
  }
  return args as unknown[][];
}

function distinct(values: unknown[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const v of values) if (!out.has(valueKey(v))) out.set(valueKey(v), v);
  return out;
}

const $setUnion: Expr = (obj, expr, options) => {
  const args = arrayArgs("$setUnion", obj, expr, options);
  return args ? Array.from(distinct(args.flat()).values()) : null;
};

const $setIntersection: Expr = (obj, expr, options) => {
  const args = arrayArgs("$setIntersection", obj, expr, options);
  if (!args) return null;
  if (args.length === 0) return [];
  const others = args.slice(1).map((a) => new Set(a.map(valueKey)));
  return Array.from(distinct(args[0]).entries())
    .filter(([k]) => others.every((o) => o.has(k)))
    .map(([, v]) => v);
};

const $setDifference: Expr = (obj, expr, options) => {
  const args = arrayArgs("$setDifference", obj, expr, options);
  if (!args) return null;
  if (args.length !== 2) throw locationError(16020, `Expression $setDifference takes exactly 2 arguments. ${args.length} were passed in.`);
  const exclude = new Set(args[1].map(valueKey));
  return Array.from(distinct(args[0]).entries())
    .filter(([k]) => !exclude.has(k))
    .map(([, v]) => v);
};

const $setEquals: Expr = (obj, expr, options) => {
  const args = arrayArgs("$setEquals", obj, expr, options);
  if (!args) throw locationError(17044, "All operands of $setEquals must be arrays.");
  const [first, ...rest] = args.map((a) => new Set(a.map(valueKey)));
  return rest.every((s) => s.size === first.size && [...s].every((k) => first.has(k)));
};

const $setIsSubset: Expr = (obj, expr, options) => {
  const args = arrayArgs("$setIsSubset", obj, expr, options);
  if (!args || args.length !== 2) throw locationError(17042, "both operands of $setIsSubset must be arrays.");
  const superset = new Set(args[1].map(valueKey));
  return args[0].every((v) => superset.has(valueKey(v)));
};

const $indexOfArray: Expr = (obj, expr, options) => {
  const args = evalExpr(obj, expr, options);
  if (!Array.isArray(args) || args.length < 2 || args.length > 4) {
    throw commandError("BadValue", "Expression $indexOfArray takes at least 2 arguments, and at most 4");
  }
  const [array, search, start, end] = args;
  if (array === null || array === undefined) return null;
  if (!Array.isArray(array)) throw locationError(40090, "$indexOfArray requires an array as a first argument");
  const from = start === undefined ? 0 : isNumeric(start) ? toNumber(start) : NaN;
  const to = end === undefined ? array.length : isNumeric(end) ? Math.min(toNumber(end), array.length) : NaN;
  if (!Number.isInteger(from) || from < 0 || !Number.isInteger(to) || to < 0) {
    throw locationError(40096, "$indexOfArray requires non-negative integral start and end indexes");
  }
  for (let i = from; i < to; i++) if (valuesEqual(array[i], search)) return i;
  return -1;
};

export const SET_OPERATORS = { $setUnion, $setIntersection, $setDifference, $setEquals, $setIsSubset, $indexOfArray };
