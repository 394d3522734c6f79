import type { Document } from "bson";
import { commandError } from "../errors";
import { compileFilter, compileSort, runPipeline } from "../query";
import type { Collection } from "../storage/collection";
import { valueKey } from "../storage/keys";

export interface SelectOptions {
  sort?: Document;
  skip?: number;
  limit?: number;
  hint?: unknown;
  collation?: Document;
  variables?: Document;
}

const sortCache = new Map<string, (a: Document, b: Document) => number>();
const SORT_CACHE_LIMIT = 500;

/** Sorts are few and repeat across requests, so their compiled comparators are reused. */
function cachedSort(sort: Document): (a: Document, b: Document) => number {
  const key = JSON.stringify(sort);
  let compare = sortCache.get(key);
  if (!compare) {
    compare = compileSort(sort);
    if (sortCache.size >= SORT_CACHE_LIMIT) sortCache.clear();
    sortCache.set(key, compare);
  }
  return compare;
}

/** Non-simple collations change equality, so indexes (built with binary comparison) cannot answer them. */
export function isSimpleCollation(collation: Document | undefined): boolean {
  return !collation || collation.locale === "simple";
}

/**
 * The documents of `coll` matching `filter`, sorted, skipped and limited: the shared read path
 * of find, count, update, delete and findAndModify. Records documents examined on the collection.
 */
export function selectDocuments(coll: Collection | undefined, filter: Document, options: SelectOptions = {}): Document[] {
  if (!coll) return [];
  checkHint(coll, options.hint);
  const { sort, skip = 0, limit = 0, collation, variables } = options;
  const simple = isSimpleCollation(collation);
  const candidates = coll.candidates(filter, simple);
  const match = candidates.exact ? undefined : compileFilter(filter, { variables, collation: simple ? undefined : collation });
  const hasSort = sort !== undefined && Object.keys(sort).length > 0;
  const stopAt = !hasSort && limit > 0 ? skip + limit : Infinity;
  let out: Document[] = [];
  let examined = 0;
  for (const doc of candidates.docs) {
    examined++;
    if (match && !match(doc)) continue;
    out.push(doc);
    if (out.length >= stopAt) break;
  }
  coll.lastDocsExamined = examined;
  if (hasSort) out = simple ? sortSimple(out, cachedSort(sort), limit > 0 ? skip + limit : 0) : sortWithCollation(out, sort, collation as Document);
  if (skip === 0 && (limit <= 0 || limit >= out.length)) return out;
  return out.slice(skip, limit > 0 ? skip + limit : undefined);
}

/** Above this many kept documents a full sort is as cheap as keeping the best ones. */
const TOP_K_LIMIT = 1000;

function sortSimple(docs: Document[], compare: (a: Document, b: Document) => number, keep: number): Document[] {
  return keep > 0 && keep <= TOP_K_LIMIT && docs.length > 2 * keep ? topK(docs, keep, compare) : docs.sort(compare);
}

/**
 * The first `k` documents in sort order without sorting them all (a leaderboard's top 10 of
 * 100k): each document is compared with the current k-th and, if better, inserted after its
 * equals, so ties keep natural order as a stable sort would.
 */
function topK(docs: Document[], k: number, compare: (a: Document, b: Document) => number): Document[] {
  const best: Document[] = [];
  for (const doc of docs) {
    if (best.length === k && compare(doc, best[k - 1]) >= 0) continue;
    let low = 0;
    let high = best.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (compare(doc, best[middle]) < 0) high = middle;
      else low = middle + 1;
    }
    best.splice(low, 0, doc);
    if (best.length > k) best.pop();
  }
  return best;
}

function sortWithCollation(docs: Document[], sort: Document, collation: Document): Document[] {
  return runPipeline(docs, [{ $sort: sort }], { resolveCollection: () => [], collation });
}

/** mongod rejects a hint naming an index that does not exist. */
function checkHint(coll: Collection, hint: unknown): void {
  if (hint === undefined || hint === null) return;
  if (typeof hint === "string") {
    if (coll.indexSpecs().some((spec) => spec.name === hint)) return;
  } else if (typeof hint === "object") {
    const keys = Object.keys(hint as Document);
    if (keys.length === 0) return;
    if (keys[0] === "$natural") return;
    const wanted = valueKey(hint);
    if (coll.indexSpecs().some((spec) => valueKey(spec.key) === wanted)) return;
  }
  throw commandError("BadValue", "error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index");
}
