import { compareValues, rankOf, Rank } from "./bson-order";
import { fieldPathValue } from "./field-path";
import { isPlainObject, type Doc } from "./paths";

type Operand = { path: string[] } | { value: unknown };

const COMPARISONS: Record<string, (c: number) => boolean> = {
  $eq: (c) => c === 0,
  $ne: (c) => c !== 0,
  $gt: (c) => c > 0,
  $gte: (c) => c >= 0,
  $lt: (c) => c < 0,
  $lte: (c) => c <= 0,
};

const SYSTEM_VARIABLES = new Set(["ROOT", "CURRENT", "NOW", "REMOVE", "CLUSTER_TIME", "SEARCH_META", "USER_ROLES"]);

function operand(arg: unknown, variables: Doc | undefined): Operand | undefined {
  if (typeof arg === "string") {
    if (arg.startsWith("$$")) {
      const [name, ...rest] = arg.slice(2).split(".");
      if (SYSTEM_VARIABLES.has(name) || !variables || !(name in variables)) return undefined;
      return { value: rest.length ? fieldPathValue(variables[name], rest, 0) : variables[name] };
    }
    if (arg.startsWith("$")) return { path: arg.slice(1).split(".") };
    return { value: arg };
  }
  if (Array.isArray(arg) || (isPlainObject(arg) && Object.keys(arg).length > 0)) return undefined;
  return { value: arg };
}

function comparison(expr: Doc, variables: Doc | undefined): ((doc: Doc) => boolean) | undefined {
  const keys = Object.keys(expr);
  if (keys.length !== 1 || !(keys[0] in COMPARISONS)) return undefined;
  const args = expr[keys[0]];
  if (!Array.isArray(args) || args.length !== 2) return undefined;
  const [a, b] = args.map((x) => operand(x, variables));
  if (!a || !b) return undefined;
  const accept = COMPARISONS[keys[0]];
  const read = (o: Operand) => ("path" in o ? (doc: Doc) => fieldPathValue(doc, o.path, 0) : () => o.value);
  const left = read(a);
  const right = read(b);
  return (doc) => {
    const x = left(doc);
    const y = right(doc);
    // In expressions a missing value sorts below null instead of equalling it.
    if (x === undefined || y === undefined) return accept(x === y ? 0 : x === undefined ? -1 : 1);
    return accept(rankOf(x) === Rank.Null && rankOf(y) === Rank.Null ? 0 : compareValues(x, y));
  };
}

/**
 * `$expr` predicates of the shape `$lookup` pipelines and most filters use — comparisons
 * between field paths, `$$variables` and literals, possibly under `$and` — compiled without
 * mingo (which costs about a microsecond per document). Undefined for anything else.
 */
export function fastExprPredicate(expr: unknown, variables: Doc | undefined): ((doc: Doc) => boolean) | undefined {
  if (!isPlainObject(expr)) return undefined;
  if (Array.isArray(expr.$and) && Object.keys(expr).length === 1) {
    const parts = expr.$and.map((e) => (isPlainObject(e) ? comparison(e, variables) : undefined));
    if (parts.some((p) => !p)) return undefined;
    const tests = parts as ((doc: Doc) => boolean)[];
    return (doc) => tests.every((t) => t(doc));
  }
  return comparison(expr, variables);
}
