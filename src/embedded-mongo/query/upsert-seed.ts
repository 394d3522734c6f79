import { isPlainObject, type Doc } from "./paths";
import { notSingleValueField } from "./query-errors";
import { isRegexValue } from "./regex";
import { setPath } from "./set-path";

/**
 * The document an upsert starts from: every field the filter fixes by equality
 * (`{a: 1}`, `{a: {$eq: 1}}`, `{a: {$in: [1]}}`, inside `$and` or a one-clause `$or`),
 * with dotted paths expanded. Two equalities on overlapping paths fail as in mongod.
 */
export function upsertSeed(filter: Doc): Doc {
  const fields: [string, unknown][] = [];
  collectEqualities(filter, fields);
  const seed: Doc = {};
  const paths: string[] = [];
  for (const [path, value] of fields) {
    for (const other of paths) {
      if (other === path || other.startsWith(path + ".") || path.startsWith(other + ".")) {
        throw notSingleValueField(other === path ? `cannot infer query fields to set, path '${path}' is matched twice` : `cannot infer query fields to set, both paths '${path}' and '${other}' are matched`);
      }
    }
    paths.push(path);
    setPath(seed, path, value);
  }
  return seed;
}

function equalityOperand(cond: Doc): { value: unknown } | undefined {
  if ("$eq" in cond) return { value: cond.$eq };
  if (Array.isArray(cond.$in) && cond.$in.length === 1 && !isRegexValue(cond.$in[0])) return { value: cond.$in[0] };
  return undefined;
}

function collectEqualities(filter: Doc, out: [string, unknown][]): void {
  for (const [key, value] of Object.entries(filter)) {
    if ((key === "$and" || (key === "$or" && Array.isArray(value) && value.length === 1)) && Array.isArray(value)) {
      for (const clause of value) if (isPlainObject(clause)) collectEqualities(clause, out);
      continue;
    }
    if (key.startsWith("$")) continue;
    if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith("$"))) {
      const eq = equalityOperand(value);
      if (eq) out.push([key, eq.value]);
      continue;
    }
    if (isRegexValue(value)) continue;
    out.push([key, value]);
  }
}
