import { commandError } from "../errors";
import { compareStrings, compareValues, isNumeric, toNumber, type StringCompare } from "./bson-order";
import { stringCompareFor } from "./collation";
import { pathValues } from "./path-values";
import { isPlainObject, ownValue, setOwn, type Doc } from "./paths";

/** Sort key of an empty array: MongoDB orders it before null and missing values. */
const EMPTY = Symbol("empty array");

type SortKey = { parts: string[]; dir: 1 | -1 };

export function parseSort(sort: Doc): SortKey[] {
  return Object.entries(sort).map(([field, spec]) => {
    if (isPlainObject(spec) && "$meta" in spec) return { parts: field.split("."), dir: -1 as const };
    const n = isNumeric(spec) ? toNumber(spec) : NaN;
    if (n === 1 || n === -1) return { parts: field.split("."), dir: n };
    throw commandError("BadValue", `$sort key ordering must be 1 (for ascending) or -1 (for descending)`);
  });
}

/** The value a document sorts by on one key: min (asc) or max (desc) over array elements. */
export function sortKeyValue(doc: Doc, parts: string[], dir: 1 | -1, strCmp: StringCompare = compareStrings): unknown {
  if (parts.length === 1) {
    // Top-level scalar fields, the usual sort keys, need no path walk.
    const v = ownValue(doc, parts[0]);
    if (!Array.isArray(v)) return v === undefined ? null : v;
  }
  let best: unknown = undefined;
  let sawEmpty = false;
  let found = false;
  const consider = (v: unknown) => {
    if (!found || compareValues(v, best, strCmp) * dir < 0) best = v;
    found = true;
  };
  for (const v of pathValues(doc, parts)) {
    if (Array.isArray(v)) {
      if (v.length === 0) sawEmpty = true;
      for (const el of v) consider(el);
    } else {
      consider(v === undefined ? null : v);
    }
  }
  if (!found && sawEmpty) return EMPTY;
  return found ? best : null;
}

function compareKeys(a: unknown, b: unknown, strCmp: StringCompare): number {
  if (a === EMPTY || b === EMPTY) return a === b ? 0 : a === EMPTY ? -1 : 1;
  return compareValues(a, b, strCmp);
}

/** Comparator of a sort specification; a collation changes how strings order. */
export function compileSort(sort: Doc, collation?: Doc): (a: Doc, b: Doc) => number {
  const keys = parseSort(sort);
  const strCmp = stringCompareFor(collation);
  return (a, b) => {
    for (const { parts, dir } of keys) {
      const c = compareKeys(sortKeyValue(a, parts, dir, strCmp), sortKeyValue(b, parts, dir, strCmp), strCmp);
      if (c !== 0) return c * dir;
    }
    return 0;
  };
}
