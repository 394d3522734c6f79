import type { Document } from "bson";
import { bsonTypeOf, Rank, rankOf, toNumber } from "../query/bson-order";
import { isIndexSegment, isPlainObject } from "../query/paths";
import { compareKeyPart, HIGHEST, LOWEST, RankBound } from "../storage/index-order";

/** A range of index values in BSON order; `low`/`high` may be rank bounds (open ends of one type). */
export interface Interval {
  low: unknown;
  lowInclusive: boolean;
  high: unknown;
  highInclusive: boolean;
}

/** Sorted, disjoint intervals in value order (ascending whatever the index direction). */
export type IntervalList = Interval[];

export const EVERYTHING: IntervalList = [{ low: LOWEST, lowInclusive: true, high: HIGHEST, highInclusive: true }];

/** Every value but null and missing, as `$exists: true` in a partial filter needs. */
const NOT_NULL: IntervalList = [
  { low: LOWEST, lowInclusive: true, high: new RankBound(Rank.Null, -1), highInclusive: true },
  { low: new RankBound(Rank.Null, 1), lowInclusive: true, high: HIGHEST, highInclusive: true },
];

/** One operator of a filter on one field, as the values it can match. */
export interface FieldPredicate {
  intervals: IntervalList;
  /** Only `$eq`/`$in`: every interval is a single value. */
  points: boolean;
}

/** What the planner reads of a filter: bounds per field, and whether anything was left unread. */
export interface FilterBounds {
  fields: Map<string, FieldPredicate[]>;
  /** Fields whose predicates could not all be turned into bounds, and any top-level `$or`, `$expr`, ... */
  residualFields: Set<string>;
  residualOther: boolean;
}

/**
 * Reads the top-level (and `$and`) predicates a sorted index can serve: equality, `$in`, `$gt`,
 * `$gte`, `$lt`, `$lte` on values whose index order is their match order. Anything in doubt
 * (null, arrays, regexes, NaN, MinKey/MaxKey, strings under a non-simple collation) gives no
 * bounds and is left to the filter, which always runs on the documents the index yields.
 */
export function readFilterBounds(filter: Document, stringsComparable: boolean, forPartial = false): FilterBounds {
  const out: FilterBounds = { fields: new Map(), residualFields: new Set(), residualOther: false };
  const addTo = (field: string, predicate: FieldPredicate) => {
    const list = out.fields.get(field);
    if (list) list.push(predicate);
    else out.fields.set(field, [predicate]);
  };
  const visit = (doc: Document) => {
    for (const key of Object.keys(doc)) {
      const value = doc[key];
      if (key === "$and" && Array.isArray(value) && value.every(isPlainObject)) {
        value.forEach((part) => visit(part as Document));
        continue;
      }
      if (key === "$comment") continue;
      if (key.startsWith("$")) {
        out.residualOther = true;
        continue;
      }
      if (key.split(".").some(isIndexSegment) || key.split(".").some((part) => part === "")) {
        out.residualFields.add(key);
        continue;
      }
      const predicates = fieldPredicates(value, stringsComparable, forPartial);
      if (!predicates) {
        out.residualFields.add(key);
        continue;
      }
      predicates.list.forEach((predicate) => addTo(key, predicate));
      if (predicates.residual) out.residualFields.add(key);
    }
  };
  visit(filter);
  return out;
}

function fieldPredicates(value: unknown, stringsComparable: boolean, forPartial: boolean): { list: FieldPredicate[]; residual: boolean } | undefined {
  if (!isOperatorObject(value)) {
    return boundable(value, true, stringsComparable) ? { list: [point(value)], residual: false } : undefined;
  }
  const list: FieldPredicate[] = [];
  let residual = false;
  for (const op of Object.keys(value)) {
    const operand = value[op];
    switch (op) {
      case "$eq":
        if (boundable(operand, true, stringsComparable)) list.push(point(operand));
        else residual = true;
        break;
      case "$in":
        if (Array.isArray(operand) && operand.every((item) => boundable(item, true, stringsComparable))) list.push(points(operand));
        else residual = true;
        break;
      case "$gt":
      case "$gte":
      case "$lt":
      case "$lte":
        if (boundable(operand, false, stringsComparable)) list.push(range(op, operand));
        else residual = true;
        break;
      case "$exists":
        if (forPartial && operand === true) list.push({ intervals: NOT_NULL, points: false });
        else residual = true;
        break;
      default:
        residual = true;
    }
  }
  return { list, residual };
}

function isOperatorObject(value: unknown): value is Document {
  if (!isPlainObject(value)) return false;
  const first = Object.keys(value)[0];
  return first !== undefined && first.startsWith("$") && first !== "$ref" && first !== "$id" && first !== "$db";
}

/** Values whose place in index order is exactly where the filter's comparison finds them. */
function boundable(value: unknown, equality: boolean, stringsComparable: boolean): boolean {
  if (value === null || value === undefined || Array.isArray(value) || value instanceof RegExp) return false;
  switch (typeof value) {
    case "number":
      return !Number.isNaN(value);
    case "bigint":
    case "boolean":
      return true;
    case "string":
      return stringsComparable;
    case "object":
      break;
    default:
      return false;
  }
  if (value instanceof Date) return !Number.isNaN(value.getTime());
  switch (bsonTypeOf(value)) {
    case undefined:
      return equality && isPlainObject(value) && plainDocument(value, stringsComparable);
    case "Int32":
    case "Double":
    case "Long":
    case "Decimal128":
      return !Number.isNaN(toNumber(value));
    case "ObjectId":
    case "Timestamp":
      return true;
    default:
      return false;
  }
}

/** An embedded document compared by equality: no operators, no strings when a collation changes them. */
function plainDocument(doc: Document, stringsComparable: boolean): boolean {
  return Object.keys(doc).every((key) => {
    if (key.startsWith("$")) return false;
    const value = doc[key];
    if (typeof value === "string") return stringsComparable;
    if (Array.isArray(value)) return value.every((item) => typeof item !== "string" || stringsComparable) && stringsComparable;
    if (isPlainObject(value)) return plainDocument(value, stringsComparable);
    return true;
  });
}

function point(value: unknown): FieldPredicate {
  return { intervals: [{ low: value, lowInclusive: true, high: value, highInclusive: true }], points: true };
}

function points(values: unknown[]): FieldPredicate {
  const sorted = [...values].sort(compareKeyPart);
  const unique = sorted.filter((value, i) => i === 0 || compareKeyPart(sorted[i - 1], value) !== 0);
  return { intervals: unique.map((value) => ({ low: value, lowInclusive: true, high: value, highInclusive: true })), points: true };
}

function range(op: string, operand: unknown): FieldPredicate {
  const rank = rankOf(operand);
  const interval: Interval =
    op === "$gt" || op === "$gte"
      ? { low: operand, lowInclusive: op === "$gte", high: new RankBound(rank, 1), highInclusive: true }
      : { low: new RankBound(rank, -1), lowInclusive: true, high: operand, highInclusive: op === "$lte" };
  return { intervals: [interval], points: false };
}

/** The values both lists allow. */
export function intersect(a: IntervalList, b: IntervalList): IntervalList {
  const out: IntervalList = [];
  for (const x of a) {
    for (const y of b) {
      const lowOrder = compareKeyPart(x.low, y.low);
      const low = lowOrder >= 0 ? x.low : y.low;
      const lowInclusive = lowOrder > 0 ? x.lowInclusive : lowOrder < 0 ? y.lowInclusive : x.lowInclusive && y.lowInclusive;
      const highOrder = compareKeyPart(x.high, y.high);
      const high = highOrder <= 0 ? x.high : y.high;
      const highInclusive = highOrder < 0 ? x.highInclusive : highOrder > 0 ? y.highInclusive : x.highInclusive && y.highInclusive;
      const span = compareKeyPart(low, high);
      if (span < 0 || (span === 0 && lowInclusive && highInclusive)) out.push({ low, lowInclusive, high, highInclusive });
    }
  }
  return out.sort((p, q) => compareKeyPart(p.low, q.low));
}

export function contains(list: IntervalList, value: unknown): boolean {
  for (const interval of list) {
    const low = compareKeyPart(value, interval.low);
    if (low < 0 || (low === 0 && !interval.lowInclusive)) continue;
    const high = compareKeyPart(value, interval.high);
    if (high > 0 || (high === 0 && !interval.highInclusive)) continue;
    return true;
  }
  return false;
}

/** True when every value `inner` allows, `outer` allows too. */
export function within(inner: IntervalList, outer: IntervalList): boolean {
  return inner.every((interval) => {
    const covered = intersect([interval], outer);
    return covered.length === 1 && sameInterval(covered[0], interval);
  });
}

function sameInterval(a: Interval, b: Interval): boolean {
  return compareKeyPart(a.low, b.low) === 0 && a.lowInclusive === b.lowInclusive && compareKeyPart(a.high, b.high) === 0 && a.highInclusive === b.highInclusive;
}

/** False when the list lets null or missing through (a sparse index lacks documents missing the field). */
export function excludesNull(list: IntervalList): boolean {
  return !contains(list, null);
}

export function isSinglePoint(list: IntervalList): boolean {
  return list.length === 1 && list[0].lowInclusive && list[0].highInclusive && compareKeyPart(list[0].low, list[0].high) === 0;
}

export function allPoints(list: IntervalList): boolean {
  return list.length > 0 && list.every((interval) => interval.lowInclusive && interval.highInclusive && compareKeyPart(interval.low, interval.high) === 0);
}
