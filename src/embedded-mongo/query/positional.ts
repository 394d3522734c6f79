import { compileFilter } from "./filter";
import { isPlainObject, type Doc } from "./paths";
import { getAt } from "./update-paths";

/** Conditions of a filter (top level and inside `$and`) on `arrayPath` or below it. */
function conditionsOn(filter: Doc, arrayPath: string, out: [string, unknown][] = []): [string, unknown][] {
  for (const [key, cond] of Object.entries(filter)) {
    if (key === "$and" && Array.isArray(cond)) {
      for (const clause of cond) if (isPlainObject(clause)) conditionsOn(clause, arrayPath, out);
    } else if (key === arrayPath || key.startsWith(arrayPath + ".")) {
      out.push([key.slice(arrayPath.length + 1), cond]);
    }
  }
  return out;
}

/**
 * The index the positional `$` stands for: the first element of the array at `arrayPath`
 * that satisfies the query's conditions on that array.
 */
export function positionalIndex(filter: Doc | undefined, doc: Doc, arraySegs: string[], variables?: Doc): number | undefined {
  if (!filter) return undefined;
  const array = getAt(doc, arraySegs);
  if (!Array.isArray(array)) return undefined;
  const conds = conditionsOn(filter, arraySegs.join("."));
  if (conds.length === 0) return undefined;
  // Each condition is tested against a one-element array holding the candidate, so array
  // semantics ($elemMatch, element equality) are the filter's own.
  const tests = conds.map(([rest, cond]) => {
    const t = compileFilter({ [rest === "" ? "e" : `e.${rest}`]: cond }, { variables });
    return (el: unknown) => t({ e: [el] });
  });
  const idx = array.findIndex((el) => tests.every((t) => t(el)));
  if (idx !== -1) return idx;
  // Separate conditions may be met by different elements; mongod then reports the element
  // that satisfied the last of them.
  const last = array.findIndex((el) => tests[tests.length - 1](el));
  return last === -1 ? undefined : last;
}
