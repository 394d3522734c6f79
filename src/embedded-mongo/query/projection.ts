import { commandError } from "../errors";
import { isNumeric, toNumber } from "./bson-order";
import { compileExpression, isTruthy } from "./expressions";
import { compileFilter, type Predicate } from "./filter";
import { cloneDoc, isPlainObject, ownValue, setOwn, type Doc } from "./paths";
import { positionalIndex } from "./positional";
import { locationError } from "./query-errors";
import { setPath } from "./set-path";

type Leaf =
  | { kind: "include" }
  | { kind: "exclude" }
  | { kind: "expr"; evaluate: (doc: Doc) => unknown }
  | { kind: "slice"; skip: number; limit: number | undefined }
  | { kind: "elemMatch"; test: Predicate }
  | { kind: "positional" };
type Tree = Map<string, Leaf | Tree>;

export type ProjectionOptions = { filter?: Doc; variables?: Doc };
type Compiled = { run: (doc: Doc, opts: ProjectionOptions) => Doc };
type Evaluator = (expr: unknown) => (doc: Doc) => unknown;

/**
 * `find` projections know `$slice`, `$elemMatch`, `$meta` and positional `.$`; a `$project`
 * stage reads every `$`-object as an aggregation expression.
 */
type Dialect = { find: boolean; evaluator: Evaluator };

const compiledCache = new WeakMap<Doc, Compiled>();

/**
 * A find projection (MongoDB 4.4+): inclusion or exclusion, `_id` kept unless excluded,
 * `$slice`, `$elemMatch`, positional `field.$` (given the query) and aggregation expressions.
 */
export function applyProjection(doc: Doc, projection: Doc | undefined, opts: ProjectionOptions = {}): Doc {
  if (!projection || Object.keys(projection).length === 0) return doc;
  // One find projects every document with the same spec object: compile it once.
  if (opts.variables) return compileProjection(projection, findDialect(opts.variables)).run(doc, opts);
  let compiled = compiledCache.get(projection);
  if (!compiled) {
    compiled = compileProjection(projection, findDialect(undefined));
    compiledCache.set(projection, compiled);
  }
  return compiled.run(doc, opts);
}

function sliceLeaf(spec: unknown): Leaf {
  if (isNumeric(spec)) {
    const n = Math.trunc(toNumber(spec));
    return n >= 0 ? { kind: "slice", skip: 0, limit: n } : { kind: "slice", skip: n, limit: undefined };
  }
  if (Array.isArray(spec) && spec.length === 2 && spec.every(isNumeric)) {
    const limit = Math.trunc(toNumber(spec[1]));
    if (limit <= 0) throw locationError(28724, "Second argument to $slice must be a positive number");
    return { kind: "slice", skip: Math.trunc(toNumber(spec[0])), limit };
  }
  throw locationError(28667, "Invalid $slice syntax. The given syntax did not match the find() syntax because :: $slice only supports numbers and [skip, limit] arrays");
}

function findDialect(variables: Doc | undefined): Dialect {
  return { find: true, evaluator: (expr) => compileExpression(expr, variables) };
}

function leafFor(path: string, spec: unknown, dialect: Dialect): Leaf | { nested: Doc } {
  if (typeof spec === "boolean") return { kind: spec ? "include" : "exclude" };
  if (isNumeric(spec)) return { kind: toNumber(spec) === 0 ? "exclude" : "include" };
  if (isPlainObject(spec)) {
    const keys = Object.keys(spec);
    if (keys.length === 0) throw locationError(51270, "An empty sub-projection is not a valid value. Found empty object at path");
    if (!keys[0].startsWith("$")) return { nested: spec };
    if (!dialect.find) return { kind: "expr", evaluate: dialect.evaluator(spec) };
    if (keys[0] === "$slice" && keys.length === 1) return sliceLeaf(spec.$slice);
    if (keys[0] === "$elemMatch" && keys.length === 1) {
      if (path.includes(".")) throw locationError(31275, "Cannot use $elemMatch projection on a nested field.");
      if (!isPlainObject(spec.$elemMatch)) throw commandError("BadValue", "elemMatch: Invalid argument, object required.");
      const test = compileFilter({ [path]: { $elemMatch: spec.$elemMatch } });
      return { kind: "elemMatch", test };
    }
    if (keys[0] === "$meta") return { kind: "expr", evaluate: () => undefined };
  }
  return { kind: "expr", evaluate: dialect.evaluator(spec) };
}

function insert(tree: Tree, segs: string[], leaf: Leaf, fullPath: string): void {
  let node = tree;
  for (let i = 0; i < segs.length - 1; i++) {
    const next = node.get(segs[i]);
    if (next && !(next instanceof Map)) throw locationError(31250, `Path collision at ${fullPath}`);
    if (!next) node.set(segs[i], new Map());
    node = node.get(segs[i]) as Tree;
  }
  const last = segs[segs.length - 1];
  if (node.has(last)) throw locationError(31250, `Path collision at ${fullPath}`);
  node.set(last, leaf);
}

function build(spec: Doc, prefix: string, tree: Tree, dialect: Dialect, kinds: Map<string, Leaf["kind"]>): void {
  for (const [key, value] of Object.entries(spec)) {
    if (key.startsWith("$")) throw locationError(31252, `Projection field names cannot start with '$': ${key}`);
    if (key.endsWith(".$")) {
      if (!dialect.find) throw locationError(16410, `FieldPath field names may not start with '$'. Given: ${key}`);
      const path = prefix + key.slice(0, -2);
      if (path.includes("$")) throw locationError(31394, "As of 4.4, it's illegal to specify positional operator in the middle of a path");
      if (!isTruthy(value)) throw locationError(31395, "positional projection cannot be used with exclusion");
      insert(tree, path.split("."), { kind: "positional" }, path);
      kinds.set(path, "positional");
      continue;
    }
    const path = prefix + key;
    const leaf = leafFor(path, value, dialect);
    if ("nested" in leaf) {
      build(leaf.nested, path + ".", tree, dialect, kinds);
      continue;
    }
    insert(tree, path.split("."), leaf, path);
    kinds.set(path, leaf.kind);
  }
}

export function compileProjection(projection: Doc, dialect: Dialect): Compiled {
  const tree: Tree = new Map();
  const kinds = new Map<string, Leaf["kind"]>();
  build(projection, "", tree, dialect, kinds);
  let inclusion: boolean | undefined;
  for (const [path, kind] of kinds) {
    if (path === "_id" || kind === "slice") continue;
    const isInclusion = kind !== "exclude";
    if (inclusion !== undefined && inclusion !== isInclusion) {
      throw isInclusion
        ? locationError(31253, `Cannot do inclusion on field ${path} in exclusion projection`)
        : locationError(31254, `Cannot do exclusion on field ${path} in inclusion projection`);
    }
    inclusion = isInclusion;
  }
  if (inclusion === undefined) inclusion = kinds.get("_id") !== undefined && kinds.get("_id") !== "exclude" && kinds.size === 1;
  const incl = inclusion;
  if (!tree.has("_id") && incl) tree.set("_id", { kind: "include" });
  const run = (doc: Doc, opts: ProjectionOptions): Doc => {
    const out = incl ? includeFields(doc, tree, doc, opts) : excludeFields(doc, tree);
    appendComputed(out, doc, tree, "", opts);
    return out;
  };
  return { run };
}

function sliceArray(value: unknown, leaf: Extract<Leaf, { kind: "slice" }>): unknown {
  if (!Array.isArray(value)) return cloneDoc(value);
  const start = leaf.skip < 0 ? Math.max(0, value.length + leaf.skip) : Math.min(leaf.skip, value.length);
  const end = leaf.limit === undefined ? value.length : Math.min(value.length, start + leaf.limit);
  return value.slice(start, end).map(cloneDoc);
}

function includeFields(doc: Doc, tree: Tree, root: Doc, opts: ProjectionOptions, prefix: string[] = []): Doc {
  const out: Doc = {};
  for (const [key, value] of Object.entries(doc)) {
    const node = tree.get(key);
    if (!node) continue;
    if (node instanceof Map) {
      const projected = includeValue(value, node, root, opts, [...prefix, key]);
      if (projected !== undefined) setOwn(out, key, projected);
      continue;
    }
    switch (node.kind) {
      case "include":
        setOwn(out, key, cloneDoc(value));
        break;
      case "slice":
        setOwn(out, key, sliceArray(value, node));
        break;
      case "positional": {
        const idx = Array.isArray(value) ? positionalIndex(opts.filter, root, [...prefix, key], opts.variables) : undefined;
        if (idx === undefined) {
          throw locationError(51246, "Executor error during find command :: caused by :: positional operator '.$' couldn't find a matching element in the array");
        }
        setOwn(out, key, [cloneDoc((value as unknown[])[idx])]);
        break;
      }
    }
  }
  return out;
}

function includeValue(value: unknown, tree: Tree, root: Doc, opts: ProjectionOptions, prefix: string[]): unknown {
  if (isPlainObject(value)) return includeFields(value, tree, root, opts, prefix);
  if (Array.isArray(value)) {
    return value.filter((el) => isPlainObject(el) || Array.isArray(el)).map((el) => includeValue(el, tree, root, opts, prefix));
  }
  return undefined;
}

function excludeFields(doc: Doc, tree: Tree): Doc {
  const out: Doc = {};
  for (const [key, value] of Object.entries(doc)) {
    const node = tree.get(key);
    if (!node) setOwn(out, key, cloneDoc(value));
    else if (node instanceof Map) setOwn(out, key, excludeValue(value, node));
    else if (node.kind === "slice") setOwn(out, key, sliceArray(value, node));
  }
  return out;
}

function excludeValue(value: unknown, tree: Tree): unknown {
  if (isPlainObject(value)) return excludeFields(value, tree);
  if (Array.isArray(value)) return value.map((el) => excludeValue(el, tree));
  return cloneDoc(value);
}

/** Computed fields and `$elemMatch` results come after the fields kept from the document. */
function appendComputed(out: Doc, doc: Doc, tree: Tree, prefix: string, opts: ProjectionOptions): void {
  for (const [key, node] of tree) {
    const path = prefix + key;
    if (node instanceof Map) {
      appendComputed(out, doc, node, path + ".", opts);
      continue;
    }
    if (node.kind === "expr") {
      const value = node.evaluate(doc);
      if (value !== undefined) setPath(out, path, value);
    } else if (node.kind === "elemMatch") {
      const array = ownValue(doc, path);
      if (!Array.isArray(array)) continue;
      const match = array.find((el) => node.test({ [path]: [el] }));
      if (match !== undefined) setOwn(out, path, [cloneDoc(match)]);
    }
  }
}
