import { commandError } from "../errors";
import { isPlainObject, ownValue, setOwn, type Doc } from "./paths";
import { locationError } from "./query-errors";

type Evaluate = (root: Doc) => unknown;
type Spec = Map<string, Evaluate | Spec>;

function parse(spec: Doc, compile: (expr: unknown) => Evaluate, into: Spec = new Map()): Spec {
  for (const [key, value] of Object.entries(spec)) {
    if (key.startsWith("$")) throw locationError(16410, `FieldPath field names may not start with '$'. Given: ${key}`);
    const segs = key.split(".");
    if (segs.some((s) => s === "")) throw locationError(15998, `FieldPath field names may not be empty strings.`);
    let node = into;
    for (const seg of segs.slice(0, -1)) {
      let next = node.get(seg);
      if (next === undefined) node.set(seg, (next = new Map()));
      if (!(next instanceof Map)) throw locationError(31250, `Path collision at ${key}`);
      node = next;
    }
    const last = segs[segs.length - 1];
    const nested = isPlainObject(value) && Object.keys(value).length > 0 && !Object.keys(value)[0].startsWith("$");
    if (nested) {
      const existing = node.get(last);
      if (existing !== undefined && !(existing instanceof Map)) throw locationError(31250, `Path collision at ${key}`);
      parse(value, compile, (existing as Spec | undefined) ?? node.set(last, new Map()).get(last) as Spec);
    } else {
      if (node.has(last)) throw locationError(31250, `Path collision at ${key}`);
      node.set(last, compile(value));
    }
  }
  return into;
}

/** mongod's computed-field semantics: documents get fields, arrays each element, scalars become documents. */
function applyToValue(value: unknown, spec: Spec, root: Doc): unknown {
  if (Array.isArray(value)) return value.map((el) => applyToValue(el, spec, root));
  return applyToDoc(isPlainObject(value) ? { ...value } : {}, spec, root);
}

function applyToDoc(target: Doc, spec: Spec, root: Doc): Doc {
  for (const [key, node] of spec) {
    if (node instanceof Map) setOwn(target, key, applyToValue(ownValue(target, key), node, root));
    else {
      const v = node(root);
      if (v === undefined) delete target[key];
      else setOwn(target, key, v);
    }
  }
  return target;
}

/**
 * `$addFields`/`$set`: expressions evaluated against the whole document, written at their
 * paths; a nested spec (`{specs: {fuel: 1}}`) adds to the embedded document instead of
 * replacing it, and through arrays every element gets the field.
 */
export function compileAddFields(spec: unknown, compile: (expr: unknown) => Evaluate): (doc: Doc) => Doc {
  if (!isPlainObject(spec)) throw commandError("FailedToParse", "$addFields specification stage must be an object");
  const tree = parse(spec, compile);
  return (doc) => applyToDoc({ ...doc }, tree, doc);
}
