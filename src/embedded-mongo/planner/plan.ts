import type { Document } from "bson";
import type { Collection } from "../storage/collection";
import type { Index } from "../storage/indexes";
import { valueKey } from "../storage/keys";
import { EVERYTHING, allPoints, excludesNull, intersect, isSinglePoint, readFilterBounds, within, type FilterBounds, type IntervalList } from "./bounds";

/** How a query reads its collection. */
export type Plan = CollectionScan | IdLookup | IndexScan | OrScan | { kind: "EOF" };

/**
 * An `$or` whose every branch has an index: the branches' scans, merged in sort order when a
 * sort is asked for (each branch then gives it), a document met twice returned once.
 */
export interface OrScan {
  kind: "OR";
  branches: IndexScan[];
  sort?: Document;
  /** The `$or` is the whole filter: a document an exact branch yields matches without running the filter. */
  whole: boolean;
}

/** The plan yields documents in the requested order (no blocking sort; a limit stops it early). */
export function givesSort(plan: Plan): boolean {
  return (plan.kind === "IXSCAN" && plan.sortProvided) || (plan.kind === "OR" && plan.sort !== undefined);
}

export interface CollectionScan {
  kind: "COLLSCAN";
  backward: boolean;
}

/** `{_id: value}` and nothing else: one map lookup. */
export interface IdLookup {
  kind: "IDHACK";
  id: unknown;
}

export interface IndexScan {
  kind: "IXSCAN";
  index: Index;
  /** Allowed values per index field, in value order. */
  bounds: IntervalList[];
  backward: boolean;
  /** The walk yields documents in the requested sort order, so no sort runs and a limit stops it early. */
  sortProvided: boolean;
  /** Index fields the sort reads, to keep ties in natural order as the collection scan's stable sort does. */
  sortPositions: number[];
  /** The bounds say exactly what the filter says: no need to run the filter on the documents. */
  exact: boolean;
}

export interface QueryShape {
  filter: Document;
  sort?: Document;
  hint?: unknown;
  /** Strings compare by binary order (no collation, or "simple"). */
  simpleCollation: boolean;
}

export interface Candidates {
  /** Plans worth a trial, best guess first; empty means the collection scan. */
  plans: Plan[];
  bounds: FilterBounds;
}

/** Sort keys as (field, ±1), or undefined for anything an index walk cannot give ($meta, ...). */
export function sortKeys(sort: Document | undefined): Array<{ field: string; dir: number }> | undefined {
  if (!sort) return [];
  const keys: Array<{ field: string; dir: number }> = [];
  for (const [field, spec] of Object.entries(sort)) {
    const dir = typeof spec === "number" ? spec : typeof spec === "object" && spec !== null && (spec._bsontype === "Int32" || spec._bsontype === "Double") ? Number(spec.valueOf()) : NaN;
    if (dir !== 1 && dir !== -1) return undefined;
    keys.push({ field, dir });
  }
  return keys;
}

/**
 * The plans that can answer a query: `IDHACK` for `{_id: v}`, an index scan for each index
 * whose leading field is bounded or whose order gives the sort, else the collection scan. A
 * hint forces its index (or `$natural`, the collection scan).
 */
export function candidatePlans(coll: Collection, shape: QueryShape): Candidates {
  if (shape.hint === undefined && isPlainIdLookup(shape.filter)) return { plans: [{ kind: "IDHACK", id: shape.filter._id }], bounds: ID_ONLY };
  const bounds = readFilterBounds(shape.filter, shape.simpleCollation);
  const keys = sortKeys(shape.sort);
  const indexes = [coll.idIndex, ...coll.indexes];
  const hint = shape.hint;
  if (hint !== undefined && hint !== null && !(typeof hint === "object" && Object.keys(hint as Document).length === 0)) {
    if (typeof hint === "object" && "$natural" in (hint as Document)) return { plans: [{ kind: "COLLSCAN", backward: Number((hint as Document).$natural) === -1 }], bounds };
    const wanted = typeof hint === "string" ? indexes.find((index) => index.name === hint) : indexes.find((index) => valueKey(index.spec.key) === valueKey(hint));
    const forced = wanted && indexScan(wanted, bounds, keys, shape, true);
    return { plans: forced ? [forced] : [], bounds };
  }
  const id = idLookup(bounds);
  if (id !== undefined) return { plans: [{ kind: "IDHACK", id }], bounds };
  const plans: Plan[] = indexes.map((index) => indexScan(index, bounds, keys, shape, false)).filter((plan): plan is IndexScan => plan !== undefined);
  plans.sort((a, b) => guess(b as IndexScan) - guess(a as IndexScan));
  plans.push(...orScans(indexes, shape, keys));
  return { plans, bounds };
}

/** A scan with an empty interval list (`$in: []`) yields nothing, so any order is its order. */
function matchesNothing(plan: IndexScan): boolean {
  return plan.bounds.some((list) => list.length === 0);
}

/** `{$or: [...]}` or `{$and: [{$or: [...]}]}` and nothing else. */
function isWholeOr(filter: Document, branches: Document[]): boolean {
  const keys = Object.keys(filter);
  if (keys.length !== 1) return false;
  if (keys[0] === "$or") return filter.$or === branches;
  const and = filter.$and;
  return keys[0] === "$and" && Array.isArray(and) && and.length === 1 && Object.keys(and[0] ?? {}).length === 1 && and[0].$or === branches;
}

/** The `$or`s a document must satisfy: a top-level one and those inside a top-level `$and`. */
function topLevelOrs(filter: Document): Document[][] {
  const ors: Document[][] = [];
  if (Array.isArray(filter.$or)) ors.push(filter.$or as Document[]);
  if (Array.isArray(filter.$and)) for (const part of filter.$and as Document[]) if (part && Array.isArray(part.$or)) ors.push(part.$or as Document[]);
  return ors;
}

/** A plan for each top-level `$or` whose branches all have an index with a bounded leading field (and the sort, if one is asked for). */
function orScans(indexes: Index[], shape: QueryShape, keys: ReturnType<typeof sortKeys>): OrScan[] {
  const sorted = keys !== undefined && keys.length > 0;
  if (keys === undefined || (sorted && !shape.simpleCollation)) return [];
  const out: OrScan[] = [];
  for (const branches of topLevelOrs(shape.filter)) {
    if (branches.length === 0 || !branches.every((branch) => typeof branch === "object" && branch !== null && !Array.isArray(branch))) continue;
    const scans: IndexScan[] = [];
    for (const branch of branches) {
      const bounds = readFilterBounds(branch, shape.simpleCollation);
      const options = indexes
        .map((index) => indexScan(index, bounds, keys, shape, false))
        .filter((plan): plan is IndexScan => plan !== undefined && plan.bounds[0] !== EVERYTHING && (!sorted || plan.sortProvided || matchesNothing(plan)));
      if (options.length === 0) break;
      scans.push(options.sort((a, b) => guess(b) - guess(a))[0]);
    }
    if (scans.length === branches.length) out.push({ kind: "OR", branches: scans, sort: sorted ? shape.sort : undefined, whole: isWholeOr(shape.filter, branches) });
  }
  return out;
}

const ID_ONLY: FilterBounds = { fields: new Map(), residualFields: new Set(), residualOther: false };

/** `{_id: <string, number or ObjectId>}`, the commonest query, recognised without reading bounds. */
function isPlainIdLookup(filter: Document): boolean {
  let keys = 0;
  for (const key in filter) if (++keys > 1 || key !== "_id") return false;
  const id = filter._id;
  return typeof id === "string" || (typeof id === "number" && !Number.isNaN(id)) || (typeof id === "object" && id !== null && id._bsontype === "ObjectId");
}

function idLookup(bounds: FilterBounds): unknown {
  if (bounds.residualOther || bounds.residualFields.size > 0 || bounds.fields.size !== 1) return undefined;
  const predicates = bounds.fields.get("_id");
  if (!predicates || predicates.length !== 1 || !isSinglePoint(predicates[0].intervals)) return undefined;
  return predicates[0].intervals[0].low;
}

/** Leading point fields count most, then a bounded next field, then a given sort. */
function guess(plan: IndexScan): number {
  let score = 0;
  for (const list of plan.bounds) {
    if (allPoints(list)) score += 10;
    else {
      if (list !== EVERYTHING) score += 5;
      break;
    }
  }
  if (plan.index.spec.unique && plan.bounds.every(isSinglePoint)) score += 100;
  return score + (plan.sortProvided ? 3 : 0);
}

function indexScan(index: Index, bounds: FilterBounds, keys: ReturnType<typeof sortKeys>, shape: QueryShape, hinted: boolean): IndexScan | undefined {
  if (!index.maintained) return undefined;
  const collation = index.spec.collation as Document | undefined;
  // Entries are kept in binary order; an index declared with a collation answers only when told to.
  if (collation && collation.locale !== "simple" && !hinted) return undefined;
  const multikey = index.isMultikey;
  const perField = index.fields.map((field) => {
    const predicates = bounds.fields.get(field) ?? [];
    if (predicates.length === 0) return EVERYTHING;
    if (index.spec.key[field] === "hashed") return predicates.find((p) => p.points)?.intervals ?? EVERYTHING;
    // One array can satisfy `$gt` and `$lt` with different elements: bounds of a multikey field are not intersected.
    if (multikey) return (predicates.find((p) => p.points) ?? predicates[0]).intervals;
    return predicates.reduce<IntervalList>((list, p) => intersect(list, p.intervals), EVERYTHING);
  });
  const order = keys && keys.length > 0 && !multikey && !index.hashed && shape.simpleCollation ? sortOrder(index, perField, keys) : undefined;
  const filterFields = [...bounds.fields.keys()];
  const exact =
    (!multikey || onePointPredicate(index, bounds)) &&
    !index.hashed &&
    !bounds.residualOther &&
    bounds.residualFields.size === 0 &&
    filterFields.every((field) => index.fields.includes(field));
  if (!hinted) {
    if (perField[0] === EVERYTHING && !order) return undefined;
    if (index.isSparse && !perField.some(excludesNull)) return undefined;
    if (index.isPartial && !implies(bounds, index.spec.partialFilterExpression as Document)) return undefined;
  }
  return {
    kind: "IXSCAN",
    index,
    bounds: perField,
    backward: order?.backward ?? false,
    sortProvided: order !== undefined,
    sortPositions: order?.positions ?? [],
    exact,
  };
}

/**
 * A single-field index asked for values of its field by equality or `$in` only: an array
 * matches when one of its elements is one of the values, and the index holds an entry for each
 * element, so even a multikey index answers exactly (points exclude null, arrays and regexes).
 */
function onePointPredicate(index: Index, bounds: FilterBounds): boolean {
  const predicates = index.fields.length === 1 ? bounds.fields.get(index.fields[0]) : undefined;
  return predicates !== undefined && predicates.length === 1 && predicates[0].points;
}

/**
 * Whether walking the index gives the sort: the sort's fields follow the index's, skipping
 * fields pinned to one value, all in the index's direction (forward) or all against it (backward).
 */
function sortOrder(index: Index, perField: IntervalList[], keys: Array<{ field: string; dir: number }>): { backward: boolean; positions: number[] } | undefined {
  let i = 0;
  let sign = 0;
  const positions: number[] = [];
  for (const { field, dir } of keys) {
    const pinned = index.fields.indexOf(field);
    if (pinned >= 0 && pinned < i && isSinglePoint(perField[pinned])) continue;
    while (i < index.fields.length && index.fields[i] !== field && isSinglePoint(perField[i])) i++;
    if (index.fields[i] !== field) return undefined;
    const s = dir * index.directions[i];
    if (sign !== 0 && s !== sign) return undefined;
    sign = s;
    positions.push(i);
    i++;
  }
  return { backward: sign === -1, positions };
}

/**
 * A partial index holds only the documents its filter matches: usable when the query's own
 * predicates already imply that filter (each of its conditions by a predicate of the query).
 */
function implies(query: FilterBounds, partial: Document): boolean {
  const needed = readFilterBounds(partial, true, true);
  if (needed.residualOther || needed.residualFields.size > 0) return false;
  for (const [field, conditions] of needed.fields) {
    const have = query.fields.get(field) ?? [];
    for (const condition of conditions) {
      if (!have.some((predicate) => within(predicate.intervals, condition.intervals))) return false;
    }
  }
  return true;
}
