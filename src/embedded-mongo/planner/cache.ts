import type { Document } from "bson";
import type { Collection } from "../storage/collection";
import type { Index } from "../storage/indexes";
import type { Plan } from "./plan";

/** Entries per collection; past it the cache starts again (shapes are few in an application). */
const MAX_ENTRIES = 500;
/** A cached plan doing this many times the work it did when cached (and at least the floor) is planned again, as mongod does. */
const EVICTION_RATIO = 10;
const EVICTION_FLOOR = 1000;

interface Entry {
  plan: Plan;
  works: number;
  /** The collection's indexes when it was cached: a new index may do better, so any change plans again. */
  indexes: Index[];
}

const caches = new WeakMap<Collection, Map<string, Entry>>();

/**
 * Which candidate won for each query shape, as mongod's plan cache keeps it: a query whose shape
 * (fields and operators, not values; sort; collation; whether a limit stops it) was planned before
 * reuses the winner's index, with bounds made afresh from its own values, instead of trying every
 * candidate again. An entry is dropped when the collection's indexes change or its plan is no
 * longer a candidate, and when a run does far more work than the run that cached it (the data moved on).
 */
export const planCache = {
  /** The candidate of `plans` that won for this shape before, if it is still among them. */
  lookup(coll: Collection, shape: string, plans: Plan[]): Plan | undefined {
    const entry = caches.get(coll)?.get(shape);
    if (!entry) return undefined;
    const found = sameIndexes(entry.indexes, coll.indexes) ? plans.find((plan) => samePlan(plan, entry.plan)) : undefined;
    if (!found) caches.get(coll)!.delete(shape);
    return found;
  },

  store(coll: Collection, shape: string, plan: Plan, works: number): void {
    let entries = caches.get(coll);
    if (!entries) caches.set(coll, (entries = new Map()));
    if (entries.size >= MAX_ENTRIES) entries.clear();
    entries.set(shape, { plan, works, indexes: [...coll.indexes] });
  },

  /** After a run of a cached plan: drops the entry when the run did far more work than the one that cached it. */
  ranCached(coll: Collection, shape: string, works: number): void {
    const entries = caches.get(coll);
    const entry = entries?.get(shape);
    if (entry && works > Math.max(EVICTION_FLOOR, EVICTION_RATIO * entry.works)) entries!.delete(shape);
  },

};

function sameIndexes(cached: Index[], now: Index[]): boolean {
  return cached.length === now.length && cached.every((index, i) => index === now[i]);
}

/** The same access path: the same kind over the same index objects (a rebuilt index is another object). */
function samePlan(a: Plan, b: Plan): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "IXSCAN" && b.kind === "IXSCAN") return a.index === b.index;
  if (a.kind === "OR" && b.kind === "OR") return a.branches.length === b.branches.length && a.branches.every((branch, i) => branch.index === b.branches[i].index);
  return true;
}

/**
 * A query's shape: its fields and operators with the values left out (`{a: 1, b: {$in: [..]}}` is
 * `{a:=,b:{$in}}`), nested clauses of `$and`/`$or`/`$nor`/`$elemMatch` spelled out, then the sort.
 */
export function queryShape(filter: Document, sort: Document | undefined, simpleCollation: boolean, limited: boolean): string {
  return `${shapeOfDocument(filter)}|${sort ? JSON.stringify(sort) : ""}|${simpleCollation ? "s" : "c"}|${limited ? "l" : ""}`;
}

function shapeOfDocument(filter: Document): string {
  let out = "{";
  for (const key in filter) {
    const value = filter[key];
    out += key;
    if (key === "$and" || key === "$or" || key === "$nor") {
      out += Array.isArray(value) ? `[${value.map((clause) => (isPlain(clause) ? shapeOfDocument(clause) : "?")).join(",")}]` : "?";
    } else if (isPlain(value) && operatorsOnly(value)) {
      out += ":{";
      for (const op in value) out += op === "$elemMatch" || op === "$not" ? `${op}${isPlain(value[op]) ? shapeOfDocument(value[op]) : "?"},` : `${op},`;
      out += "}";
    } else {
      out += "=";
    }
    out += ",";
  }
  return `${out}}`;
}

/** A plain object (not a BSON value such as ObjectId or a Date, nor an array). */
function isPlain(value: unknown): value is Document {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date) && (value as Document)._bsontype === undefined && !(value instanceof RegExp);
}

function operatorsOnly(value: Document): boolean {
  let any = false;
  for (const key in value) {
    if (!key.startsWith("$")) return false;
    any = true;
  }
  return any;
}
