import type { Document } from "bson";

export type Doc = Document;

export function isPlainObject(v: unknown): v is Doc {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * A document's own field. Documents are plain objects, so `constructor`, `toString` or
 * `__proto__` would otherwise read what every object inherits: in MongoDB they are ordinary
 * field names, missing unless the document has them.
 */
export function ownValue(doc: object, key: string): unknown {
  return Object.hasOwn(doc, key) ? (doc as Doc)[key] : undefined;
}

/** Sets a document's own field; `__proto__` becomes a field instead of replacing the prototype. */
export function setOwn(doc: object, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(doc, key, { value, writable: true, enumerable: true, configurable: true });
  else (doc as Doc)[key] = value;
}

const INDEX_SEGMENT = /^(0|[1-9][0-9]*)$/;

export function isIndexSegment(s: string): boolean {
  return INDEX_SEGMENT.test(s);
}

/**
 * Value at a dotted path the way an index sees it: through arrays of subdocuments the
 * values of every element are collected (a multikey path), a numeric segment selects an
 * array element. Undefined when the path is missing everywhere.
 */
export function getIndexKeyValue(doc: Doc, path: string): unknown {
  return collect(doc, path.split("."), 0);
}

function collect(value: unknown, parts: string[], i: number): unknown {
  if (i === parts.length) return value;
  if (Array.isArray(value)) {
    const part = parts[i];
    if (isIndexSegment(part) && Number(part) < value.length) {
      const direct = collect(value[Number(part)], parts, i + 1);
      if (direct !== undefined) return direct;
    }
    const out: unknown[] = [];
    for (const el of value) {
      if (!isPlainObject(el)) continue;
      const v = collect(el, parts, i);
      if (v === undefined) continue;
      if (Array.isArray(v)) out.push(...v);
      else out.push(v);
    }
    return out.length ? out : undefined;
  }
  if (!isPlainObject(value)) return undefined;
  return collect(ownValue(value, parts[i]), parts, i + 1);
}

/** Deep copy of plain objects, arrays and Dates; BSON value objects are immutable and shared. */
export function cloneDoc<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneDoc) as T;
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (isPlainObject(v)) {
    const out: Doc = {};
    for (const k of Object.keys(v)) setOwn(out, k, cloneDoc(v[k]));
    return out as T;
  }
  return v;
}
