import type { Document } from "bson";
import type { Collection } from "../storage/collection";
import { HIGHEST, LOWEST, compareKeyPart, type IndexKey } from "../storage/index-order";
import { valueKey } from "../storage/keys";
import { EVERYTHING, allPoints, contains, isSinglePoint, type Interval } from "./bounds";
import { compileSort } from "../query";
import type { IndexScan, OrScan, Plan } from "./plan";
import type { Index } from "../storage/indexes";

/** What a run looked at, as mongod's explain counts it. */
export interface ExecStats {
  keysExamined: number;
  docsExamined: number;
  /** A trial run stops after this much work (keys + documents) and sets `cutOff`. */
  workLimit?: number;
  cutOff?: boolean;
  /** Set by a read that may pause: the run yields PAUSE after this many keys or documents. */
  pauseEvery?: number;
  sincePause?: number;
}

/**
 * Yielded by a run (only when `pauseEvery` is set) between two entries: the caller may let other
 * requests in before asking for more. An index walk then finds its place again by key, since
 * writes made meanwhile may have reshaped the tree.
 */
export const PAUSE = Symbol("pause");

export type PlanStep = Document | typeof PAUSE;

function pauseDue(stats: ExecStats): boolean {
  if (stats.pauseEvery === undefined) return false;
  stats.sincePause = (stats.sincePause ?? 0) + 1;
  if (stats.sincePause < stats.pauseEvery) return false;
  stats.sincePause = 0;
  return true;
}

function outOfWork(stats: ExecStats): boolean {
  if (stats.workLimit === undefined || stats.keysExamined + stats.docsExamined < stats.workLimit) return false;
  stats.cutOff = true;
  return true;
}

/** Above this many point combinations of leading fields, later fields are checked key by key instead. */
const MAX_POINT_COMBINATIONS = 4096;

/**
 * The documents a plan yields, in its order, after the filter (`match`, unless the plan is
 * exact). `covered` builds each result from the index key alone (only for an exact plan whose
 * reader needs nothing but key fields), so no document is fetched.
 */
export function* runPlan(coll: Collection, plan: Plan, match: ((doc: Document) => boolean) | undefined, stats: ExecStats, covered = false): Generator<PlanStep> {
  switch (plan.kind) {
    case "COLLSCAN": {
      // A Map's iterator stays valid while entries are added and removed during a pause.
      const docs = plan.backward ? [...coll.docs.values()].reverse() : coll.docs.values();
      for (const doc of docs) {
        if (outOfWork(stats)) return;
        if (pauseDue(stats)) yield PAUSE;
        stats.docsExamined++;
        if (!match || match(doc)) yield doc;
      }
      return;
    }
    case "IDHACK": {
      const doc = coll.docs.get(valueKey(plan.id));
      if (!doc) return;
      stats.keysExamined++;
      if (covered) {
        yield { _id: doc._id };
        return;
      }
      stats.docsExamined++;
      if (!match || match(doc)) yield doc;
      return;
    }
    case "IXSCAN":
      yield* scanIndex(coll, plan, match, stats, covered);
      return;
    case "OR":
      yield* covered ? countBranches(coll, plan, stats) : scanBranches(coll, plan, match, stats);
      return;
    case "EOF":
      return;
  }
}

/** The branches one after another, or merged in sort order (ties in natural order); each document once. */
function* scanBranches(coll: Collection, plan: OrScan, match: ((doc: Document) => boolean) | undefined, stats: ExecStats): Generator<PlanStep> {
  const given = new Set<string>();
  const runs = plan.branches.map((branch) => scanIndex(coll, branch, plan.whole && branch.exact ? undefined : match, stats, false));
  if (!plan.sort) {
    for (const run of runs) {
      for (const doc of run) {
        if (doc === PAUSE) {
          yield PAUSE;
          continue;
        }
        const id = valueKey(doc._id);
        if (given.has(id)) continue;
        given.add(id);
        yield doc;
      }
    }
    return;
  }
  const order = compileSort(plan.sort);
  const compare = (a: Document, b: Document) => order(a, b) || coll.naturalSeq(a) - coll.naturalSeq(b);
  const heads: Array<IteratorResult<PlanStep>> = [];
  for (const run of runs) heads.push(yield* nextDocument(run));
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i];
      if (head.done) continue;
      if (best < 0 || compare(head.value as Document, heads[best].value as Document) < 0) best = i;
    }
    if (best < 0) return;
    const doc = heads[best].value as Document;
    heads[best] = yield* nextDocument(runs[best]);
    const id = valueKey(doc._id);
    if (given.has(id)) continue;
    given.add(id);
    yield doc;
  }
}

/**
 * Counting a whole `$or` of exact branches (`canCountOr`): each document an entry names, once,
 * without fetching it. What is yielded is only counted, so it is the same empty document each time.
 */
function* countBranches(coll: Collection, plan: OrScan, stats: ExecStats): Generator<PlanStep> {
  const counted = new Set<string>();
  const found: Document = {};
  for (const branch of plan.branches) {
    const { walks, checked } = walksOf(branch);
    for (const walk of branch.backward ? [...walks].reverse() : walks) {
      for (const entry of entriesOf(branch.index, walk, branch.backward, stats)) {
        if (entry === PAUSE) {
          yield PAUSE;
          continue;
        }
        const [key, id] = entry;
        stats.keysExamined++;
        if (!checked.every((i) => contains(branch.bounds[i], key.values[i])) || counted.has(id) || !coll.docs.has(id)) continue;
        counted.add(id);
        yield found;
      }
      if (stats.cutOff) return;
    }
  }
}

/** Whether `countBranches` can count this plan: the `$or` is the whole filter and each branch's bounds say all its clause says. */
export function canCountOr(plan: OrScan): boolean {
  return plan.whole && plan.branches.every((branch) => branch.exact);
}

/** A branch's next document, passing its pauses on. */
function* nextDocument(run: Generator<PlanStep>): Generator<PlanStep, IteratorResult<PlanStep>> {
  let step = run.next();
  while (!step.done && step.value === PAUSE) {
    yield PAUSE;
    step = run.next();
  }
  return step;
}

interface Walk {
  start: IndexKey;
  end: IndexKey;
}

/**
 * The entries of one key range in walk order, until the work limit. A B+ tree iterator is not
 * valid once the tree changes, and the tree can change whenever the read pauses (other requests
 * run) or an `$or` merge holds this walk while another one pauses: the walk then seeks again by
 * key, from the entry it stopped before or just after the one it gave last.
 */
function* entriesOf(index: Index, walk: Walk, backward: boolean, stats: ExecStats): Generator<[IndexKey, string] | typeof PAUSE> {
  let from = backward ? walk.end : walk.start;
  let skip: IndexKey | undefined;
  for (;;) {
    const version = index.version;
    let changed = false;
    for (const [key, id] of index.walk(from, backward)) {
      if (skip) {
        const again = index.compare(key, skip) === 0;
        skip = undefined;
        if (again) continue;
      }
      if (backward ? index.compare(key, walk.start) < 0 : index.compare(key, walk.end) > 0) return;
      if (outOfWork(stats)) return;
      if (pauseDue(stats)) yield PAUSE;
      if (index.version !== version) {
        from = key;
        changed = true;
        break;
      }
      yield [key, id];
      if (index.version !== version) {
        from = key;
        skip = key;
        changed = true;
        break;
      }
    }
    if (!changed) return;
  }
}

function* scanIndex(coll: Collection, plan: IndexScan, match: ((doc: Document) => boolean) | undefined, stats: ExecStats, covered: boolean): Generator<PlanStep> {
  const { index, backward } = plan;
  const { walks, checked } = walksOf(plan);
  const seen = index.isMultikey ? new Set<string>() : undefined;
  const positions = plan.sortProvided && !distinctOnSort(plan) ? plan.sortPositions : [];
  // Entries equal on the sort fields, held back until the next key differs, then given in natural order.
  let tie: Array<{ seq: number; doc: Document }> = [];
  let tieKey: unknown[] | undefined;
  const flush = function* () {
    if (tie.length > 1) tie.sort((a, b) => a.seq - b.seq);
    const out = tie;
    tie = [];
    for (const entry of out) yield entry.doc;
  };
  for (const walk of backward ? [...walks].reverse() : walks) {
    for (const entry of entriesOf(index, walk, backward, stats)) {
      if (entry === PAUSE) {
        yield PAUSE;
        continue;
      }
      const [key, id] = entry;
      stats.keysExamined++;
      if (!checked.every((i) => contains(plan.bounds[i], key.values[i]))) continue;
      if (seen) {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      if (positions.length > 0) {
        if (tieKey && positions.some((i) => compareKeyPart(key.values[i], (tieKey as unknown[])[i]) !== 0)) yield* flush();
        tieKey = key.values;
      }
      let doc: Document | undefined;
      if (covered) doc = fromKey(index.fields, key.values);
      else {
        doc = coll.docs.get(id);
        if (!doc) continue;
        stats.docsExamined++;
        if (match && !match(doc)) continue;
      }
      if (positions.length > 0) tie.push({ seq: key.seq, doc });
      else yield doc;
    }
    if (stats.cutOff) return;
  }
  yield* flush();
}

/** No two entries tie on the sort keys when they include `_id` or every field of a unique index. */
function distinctOnSort(plan: IndexScan): boolean {
  const { index, sortPositions } = plan;
  if (sortPositions.some((i) => index.fields[i] === "_id")) return true;
  return index.spec.unique === true && index.fields.every((_, i) => sortPositions.includes(i) || isSinglePoint(plan.bounds[i]));
}

/** A covered result: the key's fields, as the document holds them. */
function fromKey(fields: string[], values: unknown[]): Document {
  const doc: Document = {};
  fields.forEach((field, i) => {
    if (values[i] !== undefined) doc[field] = values[i];
  });
  return doc;
}

/**
 * The key ranges to walk, in index order: one per combination of the leading fields' points
 * and interval of the next field; fields after that (`checked`) are tested key by key.
 */
export function walksOf(plan: IndexScan): { walks: Walk[]; checked: number[] } {
  const { index } = plan;
  const n = index.fields.length;
  const ordered = plan.bounds.map((list, i) => (index.directions[i] === 1 ? list : [...list].reverse().map(flip)));
  let combos: unknown[][] = [[]];
  let p = 0;
  while (p < n && allPoints(ordered[p]) && combos.length * ordered[p].length <= MAX_POINT_COMBINATIONS) {
    const list = ordered[p];
    combos = combos.flatMap((combo) => list.map((interval) => [...combo, interval.low]));
    p++;
  }
  const fill = (from: number, max: boolean) => index.directions.slice(from).map((dir) => ((dir === 1) === max ? HIGHEST : LOWEST));
  const walks: Walk[] = [];
  for (const combo of combos) {
    if (p === n) {
      walks.push({ start: { values: combo, seq: -Infinity }, end: { values: combo, seq: Infinity } });
      continue;
    }
    for (const interval of ordered[p]) {
      walks.push({
        start: { values: [...combo, interval.low, ...fill(p + 1, !interval.lowInclusive)], seq: interval.lowInclusive ? -Infinity : Infinity },
        end: { values: [...combo, interval.high, ...fill(p + 1, interval.highInclusive)], seq: interval.highInclusive ? Infinity : -Infinity },
      });
    }
  }
  const checked: number[] = [];
  for (let i = p + 1; i < n; i++) if (plan.bounds[i] !== EVERYTHING) checked.push(i);
  return { walks, checked };
}

/** A value-order interval of a descending field, seen in index order. */
function flip(interval: Interval): Interval {
  return { low: interval.high, lowInclusive: interval.highInclusive, high: interval.low, highInclusive: interval.lowInclusive };
}
