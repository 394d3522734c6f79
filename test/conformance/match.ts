import { EJSON } from "bson";
import { bsonTypeNames, compareNumbers, isDocument, isFlexibleNumber, scalarEquals, show } from "./bson-values";

/** What the special operators need from the test's entity map. */
export interface MatchContext {
  entity(name: string): unknown;
  sessionLsid(name: string): unknown;
}

const NO_ENTITIES: MatchContext = {
  entity: (name) => {
    throw new Error(`no entity ${name}`);
  },
  sessionLsid: (name) => {
    throw new Error(`no session ${name}`);
  },
};

/** The single `$$` key of an operator document, if the value is one. */
export function specialOperator(value: unknown): string | undefined {
  if (!isDocument(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0].startsWith("$$") ? keys[0] : undefined;
}

function present(doc: Record<string, unknown>, key: string): boolean {
  return key in doc && doc[key] !== undefined;
}

function hexOf(value: unknown): string | undefined {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  if (typeof value === "string") return Buffer.from(value, "latin1").toString("hex");
  return undefined;
}

/**
 * Matches `actual` against `expected` following "Evaluating Matches" of the unified test format.
 * Returns undefined on a match, otherwise a short reason naming the path that differs.
 * `root` allows extra keys in `actual` at this level (root-level documents).
 */
export function match(
  expected: unknown,
  actual: unknown,
  options: { root?: boolean; path?: string; context?: MatchContext } = {},
): string | undefined {
  const path = options.path ?? "";
  const context = options.context ?? NO_ENTITIES;
  const root = options.root ?? false;
  const at = path === "" ? "" : `${path}: `;
  // The driver builds some command fields (e.g. find's sort) as a Map; on the wire it is a document.
  if (actual instanceof Map) actual = Object.fromEntries(actual);

  const operator = specialOperator(expected);
  if (operator) return matchOperator(operator, (expected as Record<string, unknown>)[operator], actual, root, path, context);

  if (isDocument(expected)) {
    if (!isDocument(actual)) return `${at}expected a document ${show(expected)}, got ${show(actual)}`;
    for (const [key, value] of Object.entries(expected)) {
      const childPath = path === "" ? key : `${path}.${key}`;
      const keyOperator = specialOperator(value);
      const operand = keyOperator ? (value as Record<string, unknown>)[keyOperator] : undefined;
      if (keyOperator === "$$exists") {
        if (present(actual, key) !== operand) {
          return `${childPath}: expected ${operand ? "present" : "absent"}, got ${show(actual[key])}`;
        }
        continue;
      }
      if (keyOperator === "$$unsetOrMatches" && !present(actual, key)) continue;
      if (!present(actual, key)) return `${childPath}: expected ${show(value)}, got (missing)`;
      const failure = match(value, actual[key], { path: childPath, context });
      if (failure) return failure;
    }
    if (!root) {
      const extra = Object.keys(actual).filter((key) => actual[key] !== undefined && !(key in expected));
      if (extra.length > 0) return `${at}unexpected field(s) ${extra.join(", ")} in ${show(actual)}`;
    }
    return undefined;
  }

  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${at}expected an array ${show(expected)}, got ${show(actual)}`;
    if (actual.length !== expected.length) {
      return `${at}expected ${expected.length} element(s) ${show(expected)}, got ${actual.length} ${show(actual)}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const failure = match(expected[i], actual[i], { path: `${path}[${i}]`, context });
      if (failure) return failure;
    }
    return undefined;
  }

  return scalarEquals(expected, actual) ? undefined : `${at}expected ${show(expected)}, got ${show(actual)}`;
}

/** Matches each actual document of an iterable result (find, aggregate, ...) as a root-level document. */
export function matchDocuments(expected: unknown, actual: unknown, context?: MatchContext): string | undefined {
  if (!Array.isArray(expected) || !Array.isArray(actual)) return match(expected, actual, { root: true, context });
  if (expected.length !== actual.length) {
    return `expected ${expected.length} document(s) ${show(expected)}, got ${actual.length} ${show(actual)}`;
  }
  for (let i = 0; i < expected.length; i++) {
    const failure = match(expected[i], actual[i], { root: true, path: `[${i}]`, context });
    if (failure) return failure;
  }
  return undefined;
}

function matchOperator(
  operator: string,
  operand: unknown,
  actual: unknown,
  root: boolean,
  path: string,
  context: MatchContext,
): string | undefined {
  const at = path === "" ? "" : `${path}: `;
  switch (operator) {
    case "$$unsetOrMatches":
      return actual === undefined ? undefined : match(operand, actual, { root, path, context });
    case "$$exists":
      // Outside a document key there is nothing whose presence could be asserted.
      return (actual !== undefined) === operand ? undefined : `${at}expected ${operand ? "present" : "absent"}, got ${show(actual)}`;
    case "$$type": {
      const wanted = Array.isArray(operand) ? (operand as string[]) : [operand as string];
      const names = bsonTypeNames(actual);
      if (actual !== undefined && wanted.some((type) => names.includes(type))) return undefined;
      return `${at}expected type ${wanted.join("|")}, got ${show(actual)} (${names[0]})`;
    }
    case "$$matchesEntity":
      return match(context.entity(operand as string), actual, { root, path, context });
    case "$$matchesHexBytes": {
      const hex = hexOf(actual);
      const want = String(operand).toLowerCase();
      return hex === want ? undefined : `${at}expected bytes ${want}, got ${show(actual)}`;
    }
    case "$$sessionLsid":
      return match(context.sessionLsid(operand as string), actual, { path, context });
    case "$$lte":
      if (isFlexibleNumber(actual) && compareNumbers(actual, operand) <= 0) return undefined;
      return `${at}expected <= ${show(operand)}, got ${show(actual)}`;
    case "$$matchAsDocument":
      if (typeof actual !== "string") return `${at}expected an Extended JSON string, got ${show(actual)}`;
      return match(operand, EJSON.parse(actual, { relaxed: false }), { path, context });
    case "$$matchAsRoot":
      return match(operand, actual, { root: true, path, context });
    default:
      throw new Error(`unsupported special operator ${operator}`);
  }
}
