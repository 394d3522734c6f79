import { commandError } from "../errors";
import { valuesEqual } from "./bson-order";
import { asCommandError } from "./expressions";
import { runPipeline } from "./pipeline";
import { positionalIndex } from "./positional";
import { cloneDoc, isIndexSegment, isPlainObject, setOwn, type Doc } from "./paths";
import { strictEqual } from "./strict-equal";
import { dollarPrefixedFieldName } from "./query-errors";
import { UPDATE_OPERATORS, type OpContext } from "./update-operators";
import { compileArrayFilters, expandPath, getAt, identifiersIn, setAt, splitUpdatePath, unsetAt } from "./update-paths";

export type UpdateOptions = {
  arrayFilters?: Doc[];
  isUpsertInsert?: boolean;
  variables?: Doc;
  /** The query that selected the document: needed to resolve the positional `$` operator. */
  filter?: Doc;
};
export type UpdateResult = { doc: Doc; modified: boolean };

const PIPELINE_STAGES = new Set(["$set", "$addFields", "$unset", "$project", "$replaceRoot", "$replaceWith"]);

export function isOperatorUpdate(update: Doc): boolean {
  return Object.keys(update).some((k) => k.startsWith("$"));
}

/**
 * Applies an update (operator document, replacement document or pipeline) to a copy of `doc`.
 * The input is never mutated; `modified` is false when the result is byte-identical.
 */
export function applyUpdate(doc: Doc, update: Doc | Doc[], opts: UpdateOptions = {}): UpdateResult {
  let result: Doc;
  if (Array.isArray(update)) result = applyPipelineUpdate(doc, update, opts);
  else if (!isPlainObject(update)) throw commandError("FailedToParse", "Update argument must be either an object or an array");
  else if (isOperatorUpdate(update)) result = applyOperatorUpdate(doc, update, opts);
  else result = applyReplacement(doc, update);
  if ("_id" in doc && !valuesEqual(doc._id, result._id)) throw immutableId();
  return { doc: result, modified: !strictEqual(doc, result) };
}

function immutableId() {
  return commandError("ImmutableField", "Performing an update on the path '_id' would modify the immutable field '_id'");
}

function applyReplacement(doc: Doc, replacement: Doc): Doc {
  const out: Doc = {};
  if ("_id" in replacement) out._id = cloneDoc(replacement._id);
  else if ("_id" in doc) out._id = doc._id;
  for (const [k, v] of Object.entries(replacement)) if (k !== "_id") setOwn(out, k, cloneDoc(v));
  return out;
}

/** runPipeline copies its input, so the stored document is safe; a lost `_id` is restored first. */
function applyPipelineUpdate(doc: Doc, stages: Doc[], opts: UpdateOptions): Doc {
  for (const stage of stages) {
    const name = isPlainObject(stage) ? Object.keys(stage)[0] : undefined;
    if (!name || !PIPELINE_STAGES.has(name)) {
      throw commandError("InvalidOptions", `${name ?? "A non-object stage"} is not allowed to be used within an update`);
    }
  }
  const [out] = runPipeline([doc], stages, { resolveCollection: () => [], variables: opts.variables });
  if (!isPlainObject(out)) throw commandError("BadValue", "Update pipeline must produce a document");
  if (!("_id" in doc) || "_id" in out) return out;
  return { _id: doc._id, ...out };
}

type Declared = { op: string; path: string; segs: string[]; operand: unknown };
type Action = { segs: string[]; run: (target: Doc) => void };

/**
 * `topLevelDollarFields`: an upsert that inserts is validated as an insert, so `$set: {$price: 1}`
 * may create a top-level `$`-prefixed field there (mongod 5.0+), never on an existing document.
 */
function parseOperators(update: Doc, topLevelDollarFields: boolean): Declared[] {
  const declared: Declared[] = [];
  for (const [op, spec] of Object.entries(update)) {
    if (!op.startsWith("$")) {
      throw commandError("FailedToParse", `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    }
    if (op !== "$rename" && !UPDATE_OPERATORS[op]) {
      throw commandError("FailedToParse", `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    }
    if (!isPlainObject(spec)) {
      throw commandError("FailedToParse", `Modifiers operate on fields but we found type ${typeof spec} instead. For example: {$mod: {<field>: ...}} not {${op}: ${JSON.stringify(spec)}}`);
    }
    for (const [path, operand] of Object.entries(spec)) {
      const segs = splitUpdatePath(path);
      if (segs.filter((seg) => seg === "$").length > 1) {
        throw commandError("BadValue", `Too many positional (i.e. '$') elements found in path '${path}'`);
      }
      const positional = segs[0] === "$" || segs[0].startsWith("$[");
      if (segs[0].startsWith("$") && (positional || !topLevelDollarFields)) throw dollarPrefixedFieldName(`The dollar ($) prefixed field '${path}' in '${path}' is not valid for storage.`);
      declared.push({ op, path, segs, operand });
      if (op === "$rename") {
        if (typeof operand !== "string") throw commandError("BadValue", `The 'to' field for $rename must be a string: ${path}: ${JSON.stringify(operand)}`);
        if (operand === path) throw commandError("BadValue", `The source and target field for $rename must differ: ${path}: "${operand}"`);
        const target = splitUpdatePath(operand);
        for (const [s, what] of [[segs, "source"], [target, "destination"]] as const) {
          if (s.some((x) => x.startsWith("$"))) throw commandError("BadValue", `The ${what} field for $rename may not be dynamic: ${s.join(".")}`);
        }
        declared.push({ op: "$rename:to", path: operand, segs: target, operand: path });
      }
    }
  }
  return declared;
}

function checkConflicts(declared: Declared[]): void {
  for (let i = 0; i < declared.length; i++) {
    for (let j = i + 1; j < declared.length; j++) {
      const a = declared[i].segs;
      const b = declared[j].segs;
      const n = Math.min(a.length, b.length);
      let k = 0;
      while (k < n && a[k] === b[k]) k++;
      if (k === n) {
        const longer = a.length >= b.length ? declared[i].path : declared[j].path;
        throw commandError("ConflictingUpdateOperators", `Updating the path '${longer}' would create a conflict at '${a.slice(0, n).join(".")}'`);
      }
    }
  }
}

function compareSegs(a: string[], b: string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) continue;
    if (isIndexSegment(a[i]) && isIndexSegment(b[i])) return Number(a[i]) - Number(b[i]);
    return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}

function throughArray(doc: Doc, segs: string[]): boolean {
  for (let i = 1; i < segs.length; i++) if (Array.isArray(getAt(doc, segs.slice(0, i)))) return true;
  return false;
}

function applyOperatorUpdate(doc: Doc, update: Doc, opts: UpdateOptions): Doc {
  const declared = parseOperators(update, opts.isUpsertInsert === true);
  checkConflicts(declared);
  for (const d of declared) {
    if (d.path === "_id" && (d.op === "$unset" || d.op === "$rename" || d.op === "$rename:to")) throw immutableId();
  }
  const filters = compileArrayFilters(opts.arrayFilters, opts.variables);
  const used = new Set<string>();
  for (const d of declared) {
    for (const id of identifiersIn(d.path)) {
      if (!filters.has(id)) throw commandError("BadValue", `No array filter found for identifier '${id}' in path '${d.path}'`);
      used.add(id);
    }
  }
  for (const id of filters.keys()) {
    if (!used.has(id)) throw commandError("FailedToParse", `The array filter for identifier '${id}' was not used in the update ${JSON.stringify(update)}`);
  }
  const ctx: OpContext = { docId: doc._id, now: new Date(), variables: opts.variables };
  const actions: Action[] = [];
  for (const d of declared) {
    if (d.op === "$setOnInsert" && !opts.isUpsertInsert) continue;
    if (d.op === "$rename:to") continue;
    if (d.op === "$rename") {
      actions.push(...renameActions(doc, d));
      continue;
    }
    const dollar = d.segs.indexOf("$");
    const positional = dollar === -1 ? undefined : positionalIndex(opts.filter, doc, d.segs.slice(0, dollar), opts.variables);
    const apply = UPDATE_OPERATORS[d.op];
    for (const segs of expandPath(doc, d.segs, { positional, filters }, d.path)) {
      actions.push({ segs, run: (target) => apply(target, segs, d.operand, ctx) });
    }
  }
  actions.sort((a, b) => compareSegs(a.segs, b.segs));
  // Copy on write: only the objects and arrays on the paths an action changes are copied; the
  // rest is shared with the stored document, which nothing changes in place.
  const copied = new WeakSet<object>();
  const copy = shallowCopy(doc, copied) as Doc;
  try {
    for (const action of actions) {
      ownPath(copy, action.segs, copied);
      action.run(copy);
    }
  } catch (err) {
    throw asCommandError(err);
  }
  return copy;
}

function renameActions(doc: Doc, d: Declared): Action[] {
  const value = getAt(doc, d.segs);
  if (value === undefined) return [];
  const target = splitUpdatePath(String(d.operand));
  if (throughArray(doc, d.segs)) throw commandError("BadValue", `The source field cannot be an array element, '${d.path}' in doc with an array in its path`);
  if (throughArray(doc, target)) throw commandError("BadValue", `The destination field cannot be an array element, '${d.operand}' in doc with an array in its path`);
  return [
    { segs: d.segs, run: (t) => void unsetAt(t, d.segs) },
    { segs: target, run: (t) => setAt(t, target, cloneDoc(value)) },
  ];
}

/** A copy of one object or array, its members shared; remembered in `copied` so it is copied once. */
function shallowCopy(value: Doc | unknown[], copied: WeakSet<object>): Doc | unknown[] {
  let out: Doc | unknown[];
  if (Array.isArray(value)) out = value.slice();
  else {
    out = {};
    for (const key of Object.keys(value)) setOwn(out, key, value[key]);
  }
  copied.add(out);
  return out;
}

/** Replaces every object, array or Date along `segs` (the last included) below `doc` with a copy of its own, so an action may change them. */
function ownPath(doc: Doc, segs: string[], copied: WeakSet<object>): void {
  let cur: Doc | unknown[] = doc;
  for (const seg of segs) {
    const array = Array.isArray(cur);
    if (array && !isIndexSegment(seg)) return;
    const child: unknown = array ? (cur as unknown[])[Number(seg)] : Object.hasOwn(cur, seg) ? (cur as Doc)[seg] : undefined;
    let own: Doc | unknown[];
    if (child instanceof Date) {
      own = new Date(child.getTime()) as unknown as Doc;
    } else if (Array.isArray(child) || isPlainObject(child)) {
      own = copied.has(child) ? child : shallowCopy(child, copied);
    } else return;
    if (own !== child) {
      if (array) (cur as unknown[])[Number(seg)] = own;
      else setOwn(cur as Doc, seg, own);
    }
    if (own instanceof Date) return;
    cur = own;
  }
}
