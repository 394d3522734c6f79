import { Query } from "mingo/query";
import { commandError } from "../errors";
import { valuesEqual, rankOf, Rank } from "./bson-order";
import { mingoOptions } from "./mingo-context";
import { pathValues } from "./path-values";
import { isPlainObject, type Doc } from "./paths";

export type Predicate = (doc: Doc) => boolean;

export function compileFilter(filter: Doc | undefined, opts: { variables?: Doc } = {}): Predicate {
  if (!filter || Object.keys(filter).length === 0) return () => true;
  const fast = compileSimpleEquality(filter);
  if (fast) return fast;
  try {
    const query = new Query(filter, mingoOptions({ variables: opts.variables }));
    return (doc) => query.test(doc);
  } catch (err) {
    throw commandError("BadValue", err instanceof Error ? err.message : String(err));
  }
}

/** A literal that `{field: literal}` compares by plain equality (no operators, no regex). */
function isSimpleLiteral(v: unknown): boolean {
  const rank = rankOf(v);
  if (rank === Rank.RegExp || rank === Rank.Array) return false;
  if (rank === Rank.Object) return !isPlainObject(v) || Object.keys(v).every((k) => !k.startsWith("$"));
  return true;
}

/** `{a: 1, "b.c": x}`: the common shape of lookups by id or key, matched without mingo. */
function compileSimpleEquality(filter: Doc): Predicate | undefined {
  const tests: Predicate[] = [];
  for (const [field, expected] of Object.entries(filter)) {
    if (field.startsWith("$") || !isSimpleLiteral(expected)) return undefined;
    tests.push(equalityTest(field, expected));
  }
  return tests.length === 1 ? tests[0] : (doc) => tests.every((t) => t(doc));
}

export function equalityTest(field: string, expected: unknown): Predicate {
  const parts = field.split(".");
  const isNull = expected === null;
  if (parts.length === 1) {
    return (doc) => matchesEqual(doc[field], expected, isNull);
  }
  return (doc) => pathValues(doc, parts).some((v) => matchesEqual(v, expected, isNull));
}

function matchesEqual(value: unknown, expected: unknown, isNull: boolean): boolean {
  if (value === undefined) return isNull;
  if (valuesEqual(value, expected)) return true;
  if (Array.isArray(value)) return value.some((el) => valuesEqual(el, expected));
  return false;
}
