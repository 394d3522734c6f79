import { isPlainObject, type Doc } from "./paths";
import { setPath } from "./set-path";

/**
 * The document an upsert starts from: every field the filter fixes by equality
 * (`{a: 1}`, `{a: {$eq: 1}}`, inside `$and`), with dotted paths expanded.
 */
export function upsertSeed(filter: Doc): Doc {
  const seed: Doc = {};
  collectEqualities(filter, seed);
  return seed;
}

function collectEqualities(filter: Doc, seed: Doc): void {
  for (const [key, value] of Object.entries(filter)) {
    if (key === "$and" && Array.isArray(value)) {
      for (const clause of value) if (isPlainObject(clause)) collectEqualities(clause, seed);
      continue;
    }
    if (key.startsWith("$")) continue;
    if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith("$"))) {
      if ("$eq" in value) setPath(seed, key, value.$eq);
      continue;
    }
    if (value instanceof RegExp) continue;
    setPath(seed, key, value);
  }
}
