import { commandError } from "../errors";
import { compileFilter, type Predicate } from "./filter";
import { isIndexSegment, isPlainObject, ownValue, setOwn, type Doc } from "./paths";
import { emptyFieldName, pathNotViable } from "./query-errors";

const FILTER_IDENTIFIER = /^\$\[([a-z][a-zA-Z0-9]*)?\]$/;

export function splitUpdatePath(path: string): string[] {
  const segs = path.split(".");
  if (segs.some((s) => s === "")) {
    throw emptyFieldName(`The update path '${path}' contains an empty field name, which is not allowed.`);
  }
  return segs;
}

/** The field names an array filter constrains, looking inside `$and`/`$or`/`$nor`. */
function topLevelNames(filter: Doc): string[] {
  return Object.entries(filter).flatMap(([key, value]) =>
    ["$and", "$or", "$nor"].includes(key) && Array.isArray(value) ? value.filter(isPlainObject).flatMap(topLevelNames) : [key.split(".")[0]],
  );
}

/** arrayFilters compiled per identifier: `{ "i.b": 3 }` tests an element as `{ i: element }`. */
export function compileArrayFilters(arrayFilters: Doc[] | undefined, variables?: Doc): Map<string, Predicate> {
  const out = new Map<string, Predicate>();
  for (const filter of arrayFilters ?? []) {
    if (!isPlainObject(filter)) throw commandError("FailedToParse", "Each array filter must be an object");
    const ids = new Set(topLevelNames(filter));
    if (ids.size !== 1) {
      throw commandError("FailedToParse", "Error parsing array filter :: caused by :: Expected a single top-level field name, found " + Array.from(ids).map((s) => `'${s}'`).join(" and "));
    }
    const [id] = ids;
    if (!/^[a-z][a-zA-Z0-9]*$/.test(id)) {
      throw commandError("BadValue", `Error parsing array filter :: caused by :: The top-level field name must be an alphanumeric string beginning with a lowercase letter, found '${id}'`);
    }
    if (out.has(id)) throw commandError("FailedToParse", `Found multiple array filters with the same top-level field name ${id}`);
    const test = compileFilter(filter, { variables });
    out.set(id, (el) => test({ [id]: el }));
  }
  return out;
}

export type Expansion = { positional?: number; filters: Map<string, Predicate> };

/**
 * Concrete paths a declared update path stands for in `doc`: `$` becomes the index matched by
 * the query, `$[]` every element, `$[id]` the elements its array filter accepts.
 */
export function expandPath(doc: Doc, segs: string[], exp: Expansion, fullPath: string): string[][] {
  if (!segs.some((s) => s.startsWith("$"))) return [segs];
  const out: string[][] = [];
  walk(doc, 0, []);
  return out;

  function walk(value: unknown, i: number, prefix: string[]): void {
    if (i === segs.length) {
      out.push(prefix);
      return;
    }
    const seg = segs[i];
    if (seg === "$") {
      if (exp.positional === undefined) {
        throw commandError("BadValue", "The positional operator did not find the match needed from the query.");
      }
      const idx = String(exp.positional);
      walk(Array.isArray(value) ? value[exp.positional] : undefined, i + 1, [...prefix, idx]);
      return;
    }
    const m = FILTER_IDENTIFIER.exec(seg);
    if (m) {
      if (!Array.isArray(value)) {
        throw commandError("BadValue", `The path '${prefix.join(".")}' must exist in the document in order to apply array updates.`);
      }
      const id = m[1];
      const test = id === undefined ? undefined : exp.filters.get(id);
      if (id !== undefined && !test) {
        throw commandError("BadValue", `No array filter found for identifier '${id}' in path '${fullPath}'`);
      }
      value.forEach((el, idx) => {
        if (!test || test(el)) walk(el, i + 1, [...prefix, String(idx)]);
      });
      return;
    }
    const next = Array.isArray(value) ? (isIndexSegment(seg) ? value[Number(seg)] : undefined) : isPlainObject(value) ? ownValue(value, seg) : undefined;
    walk(next, i + 1, [...prefix, seg]);
  }
}

export function identifiersIn(path: string): string[] {
  return path
    .split(".")
    .map((s) => FILTER_IDENTIFIER.exec(s)?.[1])
    .filter((s): s is string => s !== undefined);
}

/** Value at a concrete path (numeric segments index arrays), undefined if missing. */
export function getAt(doc: Doc, segs: string[]): unknown {
  let cur: unknown = doc;
  for (const seg of segs) {
    if (Array.isArray(cur)) cur = isIndexSegment(seg) ? cur[Number(seg)] : undefined;
    else if (isPlainObject(cur)) cur = ownValue(cur, seg);
    else return undefined;
  }
  return cur;
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

type Container = Doc | unknown[];

/**
 * The object or array holding the last segment, creating missing subdocuments on the way;
 * PathNotViable when a scalar (or an array with a non-numeric segment) is in the way.
 */
export function parentFor(doc: Doc, segs: string[]): Container {
  let cur: Container = doc;
  for (let i = 0; i < segs.length - 1; i++) {
    const seg = segs[i];
    let next: unknown;
    if (Array.isArray(cur)) {
      if (!isIndexSegment(seg)) {
        throw pathNotViable(`Cannot create field '${seg}' in element {${segs[i - 1] ?? ""}: ${describe(cur)}}`);
      }
      const idx = Number(seg);
      next = cur[idx];
      if (next === undefined) {
        while (cur.length < idx) cur.push(null);
        next = {};
        cur[idx] = next;
      }
    } else {
      next = ownValue(cur, seg);
      if (next === undefined) {
        next = {};
        setOwn(cur, seg, next);
      }
    }
    if (!isPlainObject(next) && !Array.isArray(next)) {
      throw pathNotViable(`Cannot create field '${segs[i + 1]}' in element {${seg}: ${describe(next)}}`);
    }
    cur = next;
  }
  return cur;
}

export function setAt(doc: Doc, segs: string[], value: unknown): void {
  const parent = parentFor(doc, segs);
  const last = segs[segs.length - 1];
  if (Array.isArray(parent)) {
    if (!isIndexSegment(last)) {
      throw pathNotViable(`Cannot create field '${last}' in element {${segs[segs.length - 2] ?? ""}: ${describe(parent)}}`);
    }
    const idx = Number(last);
    while (parent.length < idx) parent.push(null);
    parent[idx] = value;
  } else {
    setOwn(parent, last, value);
  }
}

/** Removes a field; an array element is set to null instead, as mongod does. */
export function unsetAt(doc: Doc, segs: string[]): boolean {
  let cur: unknown = doc;
  for (let i = 0; i < segs.length - 1; i++) {
    const seg = segs[i];
    if (Array.isArray(cur)) cur = isIndexSegment(seg) ? cur[Number(seg)] : undefined;
    else if (isPlainObject(cur)) cur = ownValue(cur, seg);
    else return false;
  }
  const last = segs[segs.length - 1];
  if (Array.isArray(cur)) {
    if (!isIndexSegment(last) || Number(last) >= cur.length) return false;
    cur[Number(last)] = null;
    return true;
  }
  if (isPlainObject(cur) && Object.hasOwn(cur, last)) {
    delete cur[last];
    return true;
  }
  return false;
}
