import { isIndexSegment, isPlainObject, ownValue } from "./paths";

/**
 * Every value a query predicate on `parts` looks at, with MongoDB's implicit array traversal:
 * arrays met on the way fan out to their subdocuments (and numeric segments also select an
 * element). `undefined` stands for a branch where the path is missing. Leaf arrays are kept
 * whole; callers decide whether to look inside them.
 */
export function pathValues(doc: unknown, parts: readonly string[]): unknown[] {
  const out: unknown[] = [];
  walk(doc, parts, 0, out);
  return out;
}

function walk(value: unknown, parts: readonly string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    out.push(value);
    return;
  }
  if (Array.isArray(value)) {
    const part = parts[i];
    if (isIndexSegment(part)) {
      const idx = Number(part);
      if (idx < value.length) walk(value[idx], parts, i + 1, out);
      else out.push(undefined);
    }
    let sawDoc = false;
    for (const el of value) {
      if (isPlainObject(el)) {
        sawDoc = true;
        walk(el, parts, i, out);
      }
    }
    if (!sawDoc && !isIndexSegment(part)) out.push(undefined);
    return;
  }
  if (isPlainObject(value)) {
    walk(ownValue(value, parts[i]), parts, i + 1, out);
    return;
  }
  out.push(undefined);
}
