import type { Document } from "bson";
import { commandError } from "../errors";
import { compileFilter, compileSort, runPipeline } from "../query";
import type { Collection } from "../storage/collection";
import { choosePlan } from "../planner/choose";
import { PAUSE, canCountOr, runPlan, type ExecStats } from "../planner/execute";
import { planCache, queryShape } from "../planner/cache";
import { candidatePlans, givesSort, type Plan } from "../planner/plan";
import { valueKey } from "../storage/keys";
import type { Index } from "../storage/indexes";

export interface SelectOptions {
  sort?: Document;
  skip?: number;
  limit?: number;
  hint?: unknown;
  collation?: Document;
  variables?: Document;
  /** The only fields the caller reads of each result (count: none); lets an exact index plan skip fetching. */
  cover?: string[];
  /** Try every candidate plan whatever the plan cache holds, and leave the cache as it is (explain). */
  planAfresh?: boolean;
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

/** A read's result with the plan that produced it, for explain. */
export interface Selection {
  docs: Document[];
  plan: Plan;
  rejected: Plan[];
  stats: ExecStats;
  /** Results were built from index keys alone (no document fetched). */
  covered: boolean;
  /** A sort ran in memory over the matches (the plan did not give the order). */
  blockingSort: boolean;
}

/**
 * The documents of `coll` matching `filter`, sorted, skipped and limited: the shared read path
 * of find, count, distinct, aggregate's leading stages, update, delete and findAndModify. The
 * planner (planner/) picks a collection scan, the `_id` lookup or an index walk; `cover` lists
 * the only fields the caller reads, so an exact index plan can answer without fetching.
 */
export function selectDocuments(coll: Collection | undefined, filter: Document, options: SelectOptions = {}): Document[] {
  return runSelection(coll, filter, options).docs;
}

export function runSelection(coll: Collection | undefined, filter: Document, options: SelectOptions = {}): Selection {
  const run = selectionSteps(coll, filter, options, undefined);
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
  }
}

/** Keys or documents between two looks at the clock; mongod's default yield interval too. */
const PAUSE_EVERY = 1000;
/** A read that has run this long lets other requests in (and killOp reach it) before going on. */
const SLICE_MS = 10;

/**
 * runSelection for a read that may run long (find, count, distinct, aggregate): every
 * PAUSE_EVERY entries it checks the clock, and past SLICE_MS it lets the event loop run, then
 * calls `resume`, which throws if the operation was killed or its collection went away. Writes
 * stay on runSelection: they must see and leave one consistent state.
 */
export async function runSelectionPausing(coll: Collection | undefined, filter: Document, options: SelectOptions, resume: () => void): Promise<Selection> {
  const run = selectionSteps(coll, filter, options, PAUSE_EVERY);
  let sliceStart = performance.now();
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart < SLICE_MS) continue;
    await new Promise<void>((next) => setImmediate(next));
    resume();
    sliceStart = performance.now();
  }
}

function* selectionSteps(coll: Collection | undefined, filter: Document, options: SelectOptions, pauseEvery: number | undefined): Generator<typeof PAUSE, Selection> {
  const stats: ExecStats = { keysExamined: 0, docsExamined: 0, pauseEvery };
  if (!coll) {
    // mongod parses the filter whether or not the collection exists: a bad operator is an error either way.
    compileFilter(filter, { variables: options.variables, collation: isSimpleCollation(options.collation) ? undefined : options.collation });
    return { docs: [], plan: { kind: "EOF" }, rejected: [], stats, covered: false, blockingSort: false };
  }
  checkHint(coll, options.hint);
  const { sort, skip = 0, limit = 0, variables, collation } = options;
  const simple = isSimpleCollation(collation);
  const hasSort = sort !== undefined && Object.keys(sort).length > 0;
  const simpleSort = simple && isSimpleCollation(coll.options.collation as Document | undefined);
  const candidates = candidatePlans(coll, { filter, sort: hasSort ? sort : undefined, hint: options.hint, simpleCollation: simpleSort });
  const needed = limit > 0 ? skip + limit : 0;
  const shape = candidates.plans.length > 1 && !options.planAfresh ? queryShape(filter, hasSort ? sort : undefined, simpleSort, needed > 0) : undefined;
  const cached = shape === undefined ? undefined : planCache.lookup(coll, shape, candidates.plans);
  // A plan whose bounds say all the filter says needs no matcher (the `_id` lookup's hot path).
  const onlyExact = candidates.plans.length === 1 && isExact(candidates.plans[0]);
  const match = onlyExact ? () => true : compileFilter(filter, { variables, collation: simple ? undefined : collation });
  const { winner: plan, rejected } = cached
    ? { winner: cached, rejected: [] }
    : candidates.plans.length > 0
      ? choosePlan(coll, candidates.plans, match, hasSort, needed)
      : { winner: COLLSCAN, rejected: [] };
  countAccess(coll, plan);
  const ordered = !hasSort || givesSort(plan);
  const covered = canCover(plan, options.cover);
  const exact = isExact(plan);
  const stopAt = ordered && needed > 0 ? needed : Infinity;
  let out: Document[] = [];
  if (plan.kind === "IDHACK") {
    const doc = coll.getById(plan.id);
    if (doc) {
      stats.keysExamined++;
      if (!covered) stats.docsExamined++;
      out.push(covered ? { _id: doc._id } : doc);
    }
  } else {
    for (const doc of runPlan(coll, plan, exact ? undefined : match, stats, covered)) {
      if (doc === PAUSE) {
        yield PAUSE;
        if (!planStillValid(coll, plan)) throw commandError("QueryPlanKilled", "query plan killed :: caused by :: index dropped during the query");
        continue;
      }
      out.push(doc);
      if (out.length >= stopAt) break;
    }
  }
  // The sort is stable: its input in natural order makes ties come out as a collection scan gives them.
  if (!ordered && plan.kind !== "COLLSCAN") out = naturalOrder(coll, out);
  if (!ordered) out = simple ? sortSimple(out, cachedSort(sort as Document), needed) : sortWithCollation(out, sort as Document, collation as Document);
  if (skip > 0 || (limit > 0 && limit < out.length)) out = out.slice(skip, limit > 0 ? skip + limit : undefined);
  if (shape !== undefined) {
    const works = stats.keysExamined + stats.docsExamined;
    if (cached) planCache.ranCached(coll, shape, works);
    else planCache.store(coll, shape, plan, works);
  }
  return { docs: out, plan, rejected, stats, covered, blockingSort: !ordered };
}

/** `$indexStats` counts the reads each index served; `$collStats` the collection scans. */
function countAccess(coll: Collection, plan: Plan): void {
  if (plan.kind === "IDHACK") coll.idIndex.accesses.ops++;
  else if (plan.kind === "IXSCAN") plan.index.accesses.ops++;
  else if (plan.kind === "OR") for (const branch of plan.branches) branch.index.accesses.ops++;
  else if (plan.kind === "COLLSCAN") coll.collectionScans++;
}

/** An index dropped while the read was paused no longer follows the documents. */
function planStillValid(coll: Collection, plan: Plan): boolean {
  const live = (index: Index) => index === coll.idIndex || coll.indexes.includes(index);
  if (plan.kind === "IXSCAN") return live(plan.index);
  if (plan.kind === "OR") return plan.branches.every((branch) => live(branch.index));
  return true;
}

/** Projected fields a covered plan must hold: `{_id: 1}`, `{email: 1, _id: 0}`; undefined when it cannot be covered. */
export function coverOf(projection: Document | undefined): string[] | undefined {
  if (!projection) return undefined;
  const keys = Object.keys(projection);
  if (keys.length === 0) return undefined;
  const included = keys.filter((key) => projection[key] === 1 || projection[key] === true);
  const excludesId = projection._id === 0 || projection._id === false;
  if (included.length + (excludesId ? 1 : 0) !== keys.length || included.length === 0) return undefined;
  return excludesId || included.includes("_id") ? included : [...included, "_id"];
}

function naturalOrder(coll: Collection, docs: Document[]): Document[] {
  const seqs = new Map(docs.map((doc) => [doc, coll.naturalSeq(doc)]));
  return docs.sort((a, b) => (seqs.get(a) as number) - (seqs.get(b) as number));
}

function isExact(plan: Plan): boolean {
  return plan.kind === "IDHACK" || (plan.kind === "IXSCAN" && plan.exact);
}

const COLLSCAN: Plan = { kind: "COLLSCAN", backward: false };

/** An exact index plan answers from its keys when the reader needs only key fields (top-level, no arrays). */
function canCover(plan: Plan, cover: string[] | undefined): boolean {
  // One field: a covered result then holds fields in the document's own order.
  if (!cover || cover.length > 1) return false;
  if (plan.kind === "IDHACK") return cover.every((field) => field === "_id");
  // A count (no field read) of an `$or` whose branches are exact needs no document.
  if (plan.kind === "OR") return cover.length === 0 && canCountOr(plan);
  if (plan.kind !== "IXSCAN" || !plan.exact || plan.index.isMultikey) return false;
  const fields = plan.index.fields;
  return cover.every((field) => fields.includes(field) && !field.includes("."));
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
