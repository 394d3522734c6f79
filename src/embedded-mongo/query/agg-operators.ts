import { Aggregator } from "mingo/aggregator";
import { evalExpr } from "mingo/core";
import { Lazy, type Iterator } from "mingo/lazy";
import type { Options } from "mingo/types";
import { commandError } from "../errors";
import { locationError } from "./query-errors";
import { arithmetic } from "./arithmetic";
import { bsonTypeOf, compareValues, isNumeric, rankOf, toNumber, type StringCompare } from "./bson-order";
import { stringCompareFor } from "./collation";
import { compileFilter } from "./filter";
import { storedCollection, type ComputeOptions } from "./mingo-context";
import { cloneDoc, isPlainObject, type Doc } from "./paths";
import { compileProjection } from "./projection";
import { compileSort } from "./sort";
import { valueKey } from "./value-key";
import { pathValues } from "./path-values";


/**
 * A private copy of the stage's options: evaluating against a document sets its `root`, which
 * must not leak into other stages sharing the pipeline's options.
 */
function scoped(options: ComputeOptions): ComputeOptions {
  return (options.constructor as unknown as { init(o: ComputeOptions): ComputeOptions }).init(options);
}

function evaluator(options: ComputeOptions): (expr: unknown) => (doc: Doc) => unknown {
  const own = scoped(options);
  return (expr) => (doc) => evalExpr(doc, expr, own.update({ root: doc }));
}

function variablesOf(options: ComputeOptions): Doc {
  return { ...options.variables, ...options.local?.variables };
}

function strCmpOf(options: Options): StringCompare {
  return stringCompareFor(options.collation as Doc | undefined);
}

const $match = (coll: Iterator, expr: Doc, options: ComputeOptions): Iterator => {
  const test = compileFilter(expr, { variables: variablesOf(options), collation: options.collation as Doc | undefined });
  return coll.filter((doc: Doc) => test(doc));
};

const $sort = (coll: Iterator, spec: Doc, options: ComputeOptions): Iterator => {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) throw locationError(15976, "$sort stage must have at least one sort key");
  const cmp = compileSort(spec, options.collation as Doc | undefined);
  return coll.transform((docs: Doc[]) => Lazy(docs.slice().sort(cmp)));
};

function groupKeyed<T>(items: T[], keyOf: (item: T) => unknown, strCmp: StringCompare, binary: boolean): Map<string, { key: unknown; items: T[] }> {
  const groups = new Map<string, { key: unknown; items: T[] }>();
  const linear: { key: unknown; items: T[] }[] = [];
  for (const item of items) {
    const key = keyOf(item);
    if (binary) {
      const k = valueKey(key);
      const g = groups.get(k);
      if (g) g.items.push(item);
      else groups.set(k, { key, items: [item] });
    } else {
      const g = linear.find((x) => compareValues(x.key, key, strCmp) === 0);
      if (g) g.items.push(item);
      else {
        const created = { key, items: [item] };
        linear.push(created);
        groups.set(String(groups.size), created);
      }
    }
  }
  return groups;
}

const $group = (coll: Iterator, expr: Doc, options: ComputeOptions): Iterator => {
  if (!isPlainObject(expr) || !("_id" in expr)) throw locationError(15955, "a group specification must include an _id");
  const idExpr = expr._id;
  const fields = Object.keys(expr).filter((k) => k !== "_id");
  const binary = !options.collation;
  const own = scoped(options);
  const keyOf = evaluator(options)(idExpr);
  return coll.transform((docs: Doc[]) => {
    const groups = groupKeyed(docs, (doc) => keyOf(doc) ?? null, strCmpOf(options), binary);
    const out: Doc[] = [];
    for (const { key, items } of groups.values()) {
      const row: Doc = { _id: key };
      for (const field of fields) row[field] = evalExpr(items, expr[field], own.update({ root: null, groupId: key }));
      out.push(row);
    }
    return Lazy(out);
  });
};

const $sortByCount = (coll: Iterator, expr: unknown, options: ComputeOptions): Iterator =>
  $sort($group(coll, { _id: expr, count: { $sum: 1 } }, options), { count: -1 }, options);

/** Foreign documents by every value their `foreignField` takes (array elements included). */
function indexForeign(foreign: Doc[], foreignField: string): Map<string, Doc[]> {
  const index = new Map<string, Doc[]>();
  const parts = foreignField.split(".");
  for (const doc of foreign) {
    const keys = new Set<string>();
    for (const v of pathValues(doc, parts)) {
      keys.add(valueKey(v ?? null));
      if (Array.isArray(v)) for (const el of v) keys.add(valueKey(el));
    }
    for (const k of keys) {
      const list = index.get(k);
      if (list) list.push(doc);
      else index.set(k, [doc]);
    }
  }
  return index;
}

function localKeys(doc: Doc, localField: string): Set<string> {
  const keys = new Set<string>();
  for (const v of pathValues(doc, localField.split("."))) {
    if (Array.isArray(v)) {
      if (v.length === 0) keys.add(valueKey(null));
      for (const el of v) keys.add(valueKey(el));
    } else keys.add(valueKey(v ?? null));
  }
  return keys;
}

const $lookup = (coll: Iterator, expr: Doc, options: ComputeOptions): Iterator => {
  const { from, localField, foreignField, as, pipeline } = expr as {
    from?: unknown; localField?: string; foreignField?: string; as?: string; pipeline?: Doc[]; let?: Doc;
  };
  if (typeof as !== "string") throw commandError("FailedToParse", "must specify 'as' field for a $lookup");
  if ((localField === undefined) !== (foreignField === undefined)) {
    throw commandError("FailedToParse", "$lookup requires both or neither of 'localField' and 'foreignField' to be specified");
  }
  if (localField === undefined && pipeline === undefined) throw commandError("FailedToParse", "$lookup requires either 'pipeline' or both 'localField' and 'foreignField' to be specified");
  let foreign: Doc[] = [];
  if (from !== undefined) {
    if (typeof from !== "string") throw commandError("FailedToParse", "$lookup 'from' field must be a string");
    foreign = storedCollection(options.collectionResolver, from);
  }
  const index = localField !== undefined ? indexForeign(foreign, foreignField!) : undefined;
  const position = new Map(index ? foreign.map((doc, i) => [doc, i]) : []);
  // Leading $match stages filter the originals per document (with its let variables) so that
  // only the foreign documents they keep are copied into the rest of the sub-pipeline.
  const leading = (pipeline ?? []).findIndex((stage) => !("$match" in stage));
  const matches = (pipeline ?? []).slice(0, leading === -1 ? undefined : leading).map((stage) => stage.$match as Doc);
  const rest = leading === -1 ? [] : pipeline!.slice(leading);
  const agg = rest.length ? new Aggregator(rest, options) : undefined;
  const letOf = expr.let ? evaluator(options)(expr.let) : undefined;
  return coll.map((doc: Doc) => {
    let joined: Doc[] = foreign;
    if (index) {
      const seen = new Set<Doc>();
      for (const k of localKeys(doc, localField!)) for (const f of index.get(k) ?? []) seen.add(f);
      joined = Array.from(seen).sort((a, b) => position.get(a)! - position.get(b)!);
    }
    const variables = letOf ? (letOf(doc) as Doc) : {};
    for (const match of matches) {
      const test = compileFilter(match, { variables: { ...variablesOf(options), ...variables }, collation: options.collation as Doc | undefined });
      joined = joined.filter((f) => test(f));
    }
    joined = joined.map(cloneDoc);
    if (agg) joined = agg.run(joined, scoped(options).update({ root: null, variables })) as Doc[];
    return { ...doc, [as]: joined };
  });
};

/** `$bucket`: lower bounds inclusive, only non-empty buckets, `_id` first. */
const $bucket = (coll: Iterator, expr: Doc, options: ComputeOptions): Iterator => {
  const { groupBy, boundaries, output } = expr as { groupBy?: unknown; boundaries?: unknown; output?: Doc };
  const hasDefault = "default" in expr;
  if (groupBy === undefined) throw locationError(40198, "$bucket requires 'groupBy' and 'boundaries' to be specified.");
  if (!Array.isArray(boundaries) || boundaries.length < 2) throw locationError(40192, "The $bucket 'boundaries' field must have at least 2 values");
  for (let i = 1; i < boundaries.length; i++) {
    if (rankOf(boundaries[i]) !== rankOf(boundaries[i - 1])) throw locationError(40193, "All values in the the 'boundaries' option to $bucket must have the same type.");
    if (compareValues(boundaries[i - 1], boundaries[i]) >= 0) throw locationError(40194, "The 'boundaries' option to $bucket must be sorted in ascending order");
  }
  const lower = boundaries[0];
  const upper = boundaries[boundaries.length - 1];
  if (hasDefault && rankOf(expr.default) === rankOf(lower) && compareValues(expr.default, lower) >= 0 && compareValues(expr.default, upper) < 0) {
    throw locationError(40199, "The $bucket 'default' field must be less than the lowest boundary or greater than or equal to the highest boundary.");
  }
  const outputExpr = output ?? { count: { $sum: 1 } };
  const own = scoped(options);
  const keyOf = evaluator(options)(groupBy);
  return coll.transform((docs: Doc[]) => {
    const buckets: Doc[][] = boundaries.slice(0, -1).map(() => []);
    const fallback: Doc[] = [];
    for (const doc of docs) {
      const key = keyOf(doc);
      const inRange = rankOf(key) === rankOf(lower) && compareValues(key, lower) >= 0 && compareValues(key, upper) < 0;
      if (!inRange) {
        if (!hasDefault) throw locationError(40066, "$switch could not find a matching branch for an input, and no default was specified.");
        fallback.push(doc);
        continue;
      }
      let i = 0;
      while (compareValues(key, boundaries[i + 1]) >= 0) i++;
      buckets[i].push(doc);
    }
    const out: Doc[] = [];
    const emit = (id: unknown, items: Doc[]) => {
      if (items.length) out.push({ _id: id, ...(evalExpr(items, outputExpr, own.update({ root: null })) as Doc) });
    };
    buckets.forEach((items, i) => emit(boundaries[i], items));
    emit(expr.default, fallback);
    return Lazy(out);
  });
};

/** `$project` shares the find projection's semantics, with every `$`-object an expression. */
const $project = (coll: Iterator, expr: Doc, options: ComputeOptions): Iterator => {
  if (!isPlainObject(expr) || Object.keys(expr).length === 0) {
    throw locationError(51272, "Invalid $project :: caused by :: projection specification must have at least one field");
  }
  const projection = compileProjection(expr, { find: false, evaluator: evaluator(options) });
  return coll.map((doc: Doc) => projection.run(doc, {}));
};

export const PIPELINE_OPERATORS = { $match, $sort, $group, $sortByCount, $lookup, $bucket, $project };

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
};
