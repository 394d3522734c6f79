/** Pipeline stages replacing mingo's where BSON order, copies or mongod's output shape matter. */
import { Aggregator } from "mingo/aggregator";
import { evalExpr, OpType } from "mingo/core";
import { Lazy, type Iterator } from "mingo/lazy";
import * as mingoPipeline from "mingo/operators/pipeline";
import { commandError } from "../errors";
import { compileAddFields } from "./add-fields";
import { compareValues, isNumeric, rankOf, toNumber, type StringCompare } from "./bson-order";
import { compileFilter } from "./filter";
import { storedCollection, type ComputeOptions } from "./mingo-context";
import { evaluator, scoped, strCmpOf, variablesOf } from "./operator-options";
import { pathValues } from "./path-values";
import { cloneDoc, isPlainObject, ownValue, setOwn, type Doc } from "./paths";
import { compileProjection } from "./projection";
import { locationError } from "./query-errors";
import { compileSort } from "./sort";
import { valueKey } from "./value-key";

const $match = (coll: Iterator, expr: Doc, options: ComputeOptions): Iterator => {
  const test = compileFilter(expr, { variables: variablesOf(options), collation: options.collation as Doc | undefined });
  return coll.filter((doc: Doc) => test(doc));
};

const $sort = (coll: Iterator, spec: Doc, options: ComputeOptions): Iterator => {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) throw locationError(15976, "$sort stage must have at least one sort key");
  const cmp = compileSort(spec, options.collation as Doc | undefined);
  return coll.transform((docs: Doc[]) => Lazy(docs.slice().sort(cmp)));
};

/**
 * Items grouped by BSON equality of their keys, in order of first appearance: hashed by
 * `valueKey`, or compared pairwise under a collation (which has no hash of its own).
 */
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
  for (const field of fields) {
    const spec = expr[field];
    if (!isPlainObject(spec) || Object.keys(spec).length !== 1) throw locationError(40234, `The field '${field}' must be an accumulator object`);
    const name = Object.keys(spec)[0];
    if (!options.context.getOperator(OpType.ACCUMULATOR, name)) throw locationError(15952, `unknown group operator '${name}'`);
  }
  const binary = !options.collation;
  const own = scoped(options);
  const keyOf = evaluator(options)(idExpr);
  return coll.transform((docs: Doc[]) => {
    const groups = groupKeyed(docs, (doc) => keyOf(doc) ?? null, strCmpOf(options), binary);
    const out: Doc[] = [];
    for (const { key, items } of groups.values()) {
      const row: Doc = { _id: key };
      for (const field of fields) setOwn(row, field, evalExpr(items, expr[field], own.update({ root: null, groupId: key })));
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

/** A local array joins by its elements (as `$in` would), a missing value as null. */
function localKeys(doc: Doc, localField: string): Set<string> {
  const keys = new Set<string>();
  for (const v of pathValues(doc, localField.split("."))) {
    if (Array.isArray(v)) for (const el of v) keys.add(valueKey(el));
    else keys.add(valueKey(v ?? null));
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
  const asPath = as.split(".");
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
    return withPath(doc, asPath, joined);
  });
};

/** A copy of `doc` with `value` at a dotted path (the `as` of `$lookup` may be nested). */
function withPath(doc: Doc, segs: string[], value: unknown): Doc {
  const [head, ...rest] = segs;
  const child = ownValue(doc, head);
  return { ...doc, [head]: rest.length ? withPath(isPlainObject(child) ? child : {}, rest, value) : value };
}

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

/**
 * `$redact`: the expression decides per (sub)document — `$$KEEP` keeps it whole, `$$PRUNE`
 * drops it, `$$DESCEND` keeps its scalar fields and applies the same decision to embedded
 * documents, also inside arrays. Field paths resolve against the level being decided.
 */
const $redact = (coll: Iterator, expr: unknown, options: ComputeOptions): Iterator => {
  const evaluate = evaluator(options)(expr);
  const decide = (doc: Doc): Doc | undefined => {
    const verdict = evaluate(doc);
    if (verdict === "$$KEEP") return doc;
    if (verdict === "$$PRUNE") return undefined;
    if (verdict !== "$$DESCEND") throw locationError(17053, "$redact's expression should not return anything aside from the variables $$KEEP, $$DESCEND, and $$PRUNE");
    const out: Doc = {};
    for (const [key, value] of Object.entries(doc)) {
      const kept = descend(value);
      if (kept !== undefined) setOwn(out, key, kept);
    }
    return out;
  };
  const descend = (value: unknown): unknown => {
    if (isPlainObject(value)) return decide(value);
    if (Array.isArray(value)) return value.map((el) => (isPlainObject(el) || Array.isArray(el) ? descend(el) : el)).filter((el) => el !== undefined);
    return value;
  };
  return coll.map((doc: Doc) => decide(doc)).filter((doc: Doc | undefined) => doc !== undefined);
};

/** `$unset: "a"` or `["a", "b.c"]`: the exclusion projection of those paths. */
const $unset = (coll: Iterator, expr: unknown, options: ComputeOptions): Iterator => {
  const paths = typeof expr === "string" ? [expr] : expr;
  if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === "string" && p.length > 0)) {
    throw locationError(31002, "$unset specification must be a string or an array containing only string values");
  }
  const exclusion: Doc = {};
  for (const path of paths) setOwn(exclusion, path, 0);
  return $project(coll, exclusion, options);
};

/** `$addFields`/`$set` with mongod's merge into embedded documents and array elements. */
const $addFields = (coll: Iterator, expr: Doc, options: ComputeOptions): Iterator => {
  const apply = compileAddFields(expr, evaluator(options));
  return coll.map((doc: Doc) => apply(doc));
};

/** `$count`: no output document at all for empty input, as mongod. */
const $count = (coll: Iterator, name: unknown): Iterator => {
  if (typeof name !== "string" || name === "") throw locationError(40156, "the count field must be a non-empty string");
  if (name.startsWith("$")) throw locationError(40158, "the count field cannot be a $-prefixed path");
  if (name.includes(".")) throw locationError(40160, "the count field cannot contain '.'");
  return coll.transform((docs: Doc[]) => Lazy(docs.length ? [{ [name]: docs.length }] : []));
};

/** `$sample`: at most `size` distinct documents (mingo draws with replacement). */
const $sample = (coll: Iterator, spec: Doc): Iterator => {
  const size = isPlainObject(spec) && isNumeric(spec.size) ? toNumber(spec.size) : NaN;
  if (!Number.isInteger(size) || size < 0) throw locationError(28747, "size argument to $sample must not be negative");
  return coll.transform((docs: Doc[]) => {
    const pool = docs.slice();
    const n = Math.min(size, pool.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(Math.random() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return Lazy(pool.slice(0, n));
  });
};

const WINDOW_ORDER = "\u0000windowOrder";
const VALUE_WINDOWS = new Set(["$linearFill", "$derivative", "$integral"]);

/**
 * mingo orders `$setWindowFields` partitions with its own comparison (int64 as strings, no
 * BSON type order). We order them ourselves and hand mingo a dense rank to sort by, unless an
 * output reads the sort values themselves (range windows, $linearFill, $derivative, $integral).
 */
const $setWindowFields = (coll: Iterator, expr: Doc, options: ComputeOptions): Iterator => {
  const mingoStage = mingoPipeline.$setWindowFields as unknown as (c: Iterator, e: Doc, o: ComputeOptions) => Iterator;
  if (!isPlainObject(expr) || !isPlainObject(expr.sortBy) || !isPlainObject(expr.output)) return mingoStage(coll, expr, options);
  const readsSortValues = Object.values(expr.output).some(
    (o) => isPlainObject(o) && (Object.keys(o).some((k) => VALUE_WINDOWS.has(k)) || (isPlainObject(o.window) && "range" in o.window)),
  );
  if (readsSortValues) return mingoStage(coll, expr, options);
  const bySort = compileSort(expr.sortBy, options.collation as Doc | undefined);
  const partitionOf = expr.partitionBy === undefined ? () => null : evaluator(options)(expr.partitionBy);
  const strCmp = strCmpOf(options);
  return coll.transform((docs: Doc[]) => {
    // mongod sorts by partition, then sortBy, and emits in that order.
    const rows = docs.map((doc) => ({ doc, partition: partitionOf(doc) ?? null }));
    const cmp = (a: (typeof rows)[number], b: (typeof rows)[number]) => compareValues(a.partition, b.partition, strCmp) || bySort(a.doc, b.doc);
    rows.sort(cmp);
    let rank = 0;
    const keyed = rows.map((row, i) => {
      if (i > 0 && cmp(rows[i - 1], row) !== 0) rank++;
      return { ...row.doc, [WINDOW_ORDER]: rank };
    });
    const out = mingoStage(Lazy(keyed), { ...expr, sortBy: { [WINDOW_ORDER]: 1 } }, options).collect() as Doc[];
    for (const doc of out) delete doc[WINDOW_ORDER];
    return Lazy(out);
  });
};

export const PIPELINE_OPERATORS = { $match, $sort, $group, $sortByCount, $lookup, $bucket, $project, $unset, $redact, $setWindowFields, $addFields, $set: $addFields, $count, $sample };
