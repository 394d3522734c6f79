import { commandError } from "../errors";
import { bsonTypeOf, compareStrings, compareValues, isNumeric, Rank, rankOf, toNumber, type StringCompare } from "./bson-order";
import { bitTester, parseBitMask } from "./bits";
import { hasBsonType, isKnownType } from "./bson-types";
import { stringCompareFor } from "./collation";
import { compileExpression, isTruthy } from "./expressions";
import { fastExprPredicate } from "./expr-fast-path";
import { compileJsonSchema } from "./json-schema";
import { pathValues } from "./path-values";
import { isPlainObject, ownValue, setOwn, type Doc } from "./paths";
import { valueKey } from "./value-key";
import { isRegexValue, regexMatches, toRegExp } from "./regex";

export type Predicate = (doc: Doc) => boolean;
export type FilterOptions = { variables?: Doc; collation?: Doc };

type Values = (doc: unknown) => unknown[];
type ValueTest = (v: unknown) => boolean;

type Ctx = { strCmp: StringCompare; variables?: Doc };

const LOGICAL = new Set(["$and", "$or", "$nor"]);
const UNSUPPORTED_FIELD_OPS = new Set(["$near", "$nearSphere", "$geoWithin", "$geoIntersects", "$within"]);
const VALUE_FORM_EXCLUDED = new Set(["$and", "$or", "$nor", "$expr", "$where", "$text", "$comment", "$jsonSchema", "$ref", "$id", "$db"]);
/** A DBRef's fields: `$`-prefixed, yet names a filter may match like any field (mongod's parser does the same). */
const DBREF_FIELDS = new Set(["$ref", "$id", "$db"]);

/** Compiles a MongoDB query filter to a predicate; BadValue on unknown or malformed operators. */
export function compileFilter(filter: Doc | undefined, opts: FilterOptions = {}): Predicate {
  if (!filter || Object.keys(filter).length === 0) return () => true;
  const ctx: Ctx = { strCmp: stringCompareFor(opts.collation), variables: opts.variables };
  if (!isPlainObject(filter)) throw commandError("BadValue", "filter must be an object");
  return compileDocument(filter, ctx);
}

function compileDocument(filter: Doc, ctx: Ctx): Predicate {
  const tests: Predicate[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key.startsWith("$") && !DBREF_FIELDS.has(key)) {
      const t = compileTopLevel(key, value, ctx);
      if (t) tests.push(t);
    } else {
      tests.push(compileField(key, value, ctx));
    }
  }
  return combineAll(tests);
}

function combineAll(tests: Predicate[]): Predicate {
  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0];
  if (tests.length === 2) {
    const [a, b] = tests;
    return (doc) => a(doc) && b(doc);
  }
  return (doc) => {
    for (const t of tests) if (!t(doc)) return false;
    return true;
  };
}

function compileTopLevel(op: string, value: unknown, ctx: Ctx): Predicate | undefined {
  if (LOGICAL.has(op)) {
    if (!Array.isArray(value)) throw commandError("BadValue", `${op} must be an array`);
    if (value.length === 0) throw commandError("BadValue", "$and/$or/$nor must be a nonempty array");
    const parts = value.map((clause) => {
      if (!isPlainObject(clause)) throw commandError("BadValue", "$or/$and/$nor entries need to be full objects");
      return compileDocument(clause, ctx);
    });
    if (op === "$and") return combineAll(parts);
    if (op === "$or") return (doc) => parts.some((p) => p(doc));
    return (doc) => !parts.some((p) => p(doc));
  }
  switch (op) {
    case "$expr": {
      const fast = ctx.strCmp === compareStrings ? fastExprPredicate(value, ctx.variables) : undefined;
      if (fast) return fast;
      const evaluate = compileExpression(value, ctx.variables);
      return (doc) => isTruthy(evaluate(doc));
    }
    case "$comment":
      return undefined;
    case "$alwaysTrue":
      return () => true;
    case "$alwaysFalse":
      return () => false;
    case "$jsonSchema":
      return compileJsonSchema(value);
    case "$text":
      throw commandError("IndexNotFound", "text index required for $text query");
    case "$where":
      throw commandError("BadValue", "$where is not supported by the embedded engine");
    default:
      throw commandError("BadValue", `unknown top level operator: ${op}`);
  }
}

function valuesGetter(path: string): Values {
  if (!path.includes(".")) {
    return (doc) => [isPlainObject(doc) ? ownValue(doc, path) : undefined];
  }
  const parts = path.split(".");
  return (doc) => pathValues(doc, parts);
}

function isOperatorObject(value: unknown): value is Doc {
  if (!isPlainObject(value)) return false;
  const first = Object.keys(value)[0];
  return first !== undefined && first.startsWith("$") && !DBREF_FIELDS.has(first);
}

function compileField(path: string, value: unknown, ctx: Ctx): Predicate {
  const values = valuesGetter(path);
  if (isOperatorObject(value)) return compileOperators(values, value, ctx);
  if (isRegexValue(value)) return anyExpanded(values, regexTest(toRegExp(value)));
  const test = equalityTest(value, ctx);
  if (path.includes(".")) return anyExpanded(values, test);
  // `{_id: x}`, `{email: y}`: the hot path of lookups, without building candidate lists.
  return (doc) => {
    const v = ownValue(doc, path);
    return test(v) || (Array.isArray(v) && v.some(test));
  };
}

/** True when any candidate value, or any element of an array candidate, passes. */
function anyExpanded(values: Values, test: ValueTest): Predicate {
  return (doc) => {
    for (const v of values(doc)) {
      if (test(v)) return true;
      if (Array.isArray(v)) for (const el of v) if (test(el)) return true;
    }
    return false;
  };
}

/** True when any candidate value itself (arrays not looked into) passes. */
function anyWhole(values: Values, test: ValueTest): Predicate {
  return (doc) => values(doc).some(test);
}

function compileOperators(values: Values, ops: Doc, ctx: Ctx): Predicate {
  const tests: Predicate[] = [];
  const keys = Object.keys(ops);
  for (const op of keys) {
    if (op === "$options") {
      if (!("$regex" in ops)) throw commandError("BadValue", "$options needs a $regex");
      continue;
    }
    tests.push(compileOperator(values, op, ops[op], ops, ctx));
  }
  return combineAll(tests);
}

function compileOperator(values: Values, op: string, operand: unknown, ops: Doc, ctx: Ctx): Predicate {
  switch (op) {
    case "$eq":
      return anyExpanded(values, equalityTest(operand, ctx));
    case "$ne": {
      const eq = anyExpanded(values, equalityTest(operand, ctx));
      return (doc) => !eq(doc);
    }
    case "$gt":
    case "$gte":
    case "$lt":
    case "$lte":
      return anyExpanded(values, comparisonTest(op, operand, ctx));
    case "$in":
      return anyExpanded(values, inTest(op, operand, ctx));
    case "$nin": {
      const inside = anyExpanded(values, inTest(op, operand, ctx));
      return (doc) => !inside(doc);
    }
    case "$exists": {
      const want = isTruthy(operand);
      return (doc) => values(doc).some((v) => v !== undefined) === want;
    }
    case "$type":
      return typeTest(values, operand);
    case "$size": {
      if (!isNumeric(operand)) throw commandError("BadValue", "$size needs a number");
      const n = toNumber(operand);
      if (!Number.isInteger(n)) throw commandError("BadValue", "$size must be a whole number");
      if (n < 0) throw commandError("BadValue", "$size may not be negative");
      return anyWhole(values, (v) => Array.isArray(v) && v.length === n);
    }
    case "$regex": {
      const options = ops.$options;
      if (options !== undefined && typeof options !== "string") throw commandError("BadValue", "$options has to be a string");
      if (typeof operand !== "string" && !isRegexValue(operand)) throw commandError("BadValue", "$regex has to be a string");
      return anyExpanded(values, regexTest(toRegExp(operand, options as string | undefined)));
    }
    case "$mod":
      return anyExpanded(values, modTest(operand));
    case "$all":
      return allTest(values, operand, ctx);
    case "$elemMatch":
      return anyWhole(values, elemMatchTest(operand, ctx));
    case "$not":
      return notTest(values, operand, ctx);
    case "$bitsAllSet":
    case "$bitsAnySet":
    case "$bitsAllClear":
    case "$bitsAnyClear":
      return anyWhole(values, bitTester(op, parseBitMask(op, operand)));
    case "$comment":
      return () => true;
    default:
      if (UNSUPPORTED_FIELD_OPS.has(op)) throw commandError("BadValue", `${op} is not supported by the embedded engine`);
      throw commandError("BadValue", `unknown operator: ${op}`);
  }
}

export function equalityTest(operand: unknown, ctx: { strCmp: StringCompare }): ValueTest {
  const strCmp = ctx.strCmp;
  if (operand === null) return (v) => v === null || v === undefined;
  if (typeof operand === "string" && strCmp === compareStrings) return (v) => v === operand || (bsonTypeOf(v) === "BSONSymbol" && String(v) === operand);
  if (typeof operand === "boolean") return (v) => v === operand;
  const rank = rankOf(operand);
  return (v) => v === operand || (rankOf(v) === rank && compareValues(v, operand, strCmp) === 0);
}

function comparisonTest(op: string, operand: unknown, ctx: Ctx): ValueTest {
  const rank = rankOf(operand);
  const acrossTypes = rank === Rank.MinKey || rank === Rank.MaxKey;
  const accept = op === "$gt" ? (c: number) => c > 0 : op === "$gte" ? (c: number) => c >= 0 : op === "$lt" ? (c: number) => c < 0 : (c: number) => c <= 0;
  const strCmp = ctx.strCmp;
  return (v) => {
    if (!acrossTypes && rankOf(v) !== rank) return false;
    return accept(compareValues(v === undefined ? null : v, operand, strCmp));
  };
}

function inTest(op: string, operand: unknown, ctx: Ctx): ValueTest {
  if (!Array.isArray(operand)) throw commandError("BadValue", `${op} needs an array`);
  const patterns: ValueTest[] = [];
  const values: unknown[] = [];
  for (const item of operand) {
    if (isOperatorObject(item)) throw commandError("BadValue", `cannot nest $ under ${op}`);
    if (isRegexValue(item)) patterns.push(regexTest(toRegExp(item)));
    else values.push(item);
  }
  const matchesPattern = (v: unknown) => patterns.some((t) => t(v));
  if (ctx.strCmp !== compareStrings) {
    const tests = values.map((item) => equalityTest(item, ctx));
    return (v) => tests.some((t) => t(v)) || matchesPattern(v);
  }
  // Hash lookups keep `{_id: {$in: [...hundreds of ids]}}` (populate, DataLoader) linear in documents.
  const strings = new Set(values.filter((x): x is string => typeof x === "string"));
  const keys = new Set(values.filter((x) => typeof x !== "string").map(valueKey));
  return (v) => {
    if (typeof v === "string") return strings.has(v) || matchesPattern(v);
    if (bsonTypeOf(v) === "BSONSymbol" && strings.has(String(v))) return true;
    return (keys.size > 0 && keys.has(valueKey(v))) || matchesPattern(v);
  };
}

function typeTest(values: Values, operand: unknown): Predicate {
  const types = Array.isArray(operand) ? operand : [operand];
  const wanted = types.map((t) => {
    const type = isNumeric(t) ? toNumber(t) : t;
    if (!isKnownType(type)) {
      throw commandError("BadValue", typeof type === "string" ? `Unknown type name alias: ${type}` : `Invalid numerical type code: ${String(type)}`);
    }
    return type;
  });
  const matches = (v: unknown) => v !== undefined && wanted.some((t) => hasBsonType(v, t));
  return (doc) => {
    for (const v of values(doc)) {
      if (matches(v)) return true;
      if (Array.isArray(v)) for (const el of v) if (matches(el)) return true;
    }
    return false;
  };
}

function regexTest(re: RegExp): ValueTest {
  return (v) => regexMatches(re, v);
}

function modTest(operand: unknown): ValueTest {
  if (!Array.isArray(operand) || operand.length !== 2) {
    throw commandError("BadValue", "malformed mod, needs to be an array of 2 elements");
  }
  if (!isNumeric(operand[0]) || !isNumeric(operand[1])) throw commandError("BadValue", "malformed mod, divisor and remainder must be numbers");
  const divisor = Math.trunc(toNumber(operand[0]));
  const remainder = Math.trunc(toNumber(operand[1]));
  if (divisor === 0) throw commandError("BadValue", "divisor cannot be 0");
  return (v) => {
    if (!isNumeric(v)) return false;
    const n = toNumber(v);
    return Number.isFinite(n) && Math.trunc(n) % divisor === remainder;
  };
}

function allTest(values: Values, operand: unknown, ctx: Ctx): Predicate {
  if (!Array.isArray(operand)) throw commandError("BadValue", "$all needs an array");
  if (operand.length === 0) return () => false;
  const tests = operand.map((item): Predicate => {
    if (isPlainObject(item) && "$elemMatch" in item) return anyWhole(values, elemMatchTest(item.$elemMatch, ctx));
    if (isOperatorObject(item)) throw commandError("BadValue", "no $ expressions in $all");
    if (isRegexValue(item)) return anyExpanded(values, regexTest(toRegExp(item)));
    return anyExpanded(values, equalityTest(item, ctx));
  });
  return combineAll(tests);
}

function elemMatchTest(operand: unknown, ctx: Ctx): ValueTest {
  if (!isPlainObject(operand)) throw commandError("BadValue", "$elemMatch needs an Object");
  const first = Object.keys(operand)[0];
  const valueForm = first !== undefined && first.startsWith("$") && !VALUE_FORM_EXCLUDED.has(first);
  if (valueForm) {
    const inner = compileOperators((el) => [el], operand, ctx);
    return (v) => Array.isArray(v) && v.some((el) => inner(el as Doc));
  }
  const inner = compileDocument(operand, ctx);
  return (v) => Array.isArray(v) && v.some((el) => (isPlainObject(el) || Array.isArray(el)) && inner(el as Doc));
}

function notTest(values: Values, operand: unknown, ctx: Ctx): Predicate {
  let inner: Predicate;
  if (isRegexValue(operand)) inner = anyExpanded(values, regexTest(toRegExp(operand)));
  else if (isPlainObject(operand)) {
    if (Object.keys(operand).length === 0) throw commandError("BadValue", "$not cannot be empty");
    if (!isOperatorObject(operand)) throw commandError("BadValue", "$not needs a regex or a document");
    inner = compileOperators(values, operand, ctx);
  } else throw commandError("BadValue", "$not needs a regex or a document");
  return (doc) => !inner(doc);
}
