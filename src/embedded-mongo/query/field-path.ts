import { isPlainObject, ownValue, setOwn, type Doc } from "./paths";

/** Value of an aggregation field path (`$a.b`): through arrays it collects the values found. */
export function fieldPathValue(value: unknown, parts: string[], i = 0): unknown {
  if (i === parts.length) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const el of value) {
      if (!isPlainObject(el) && !Array.isArray(el)) continue;
      const v = fieldPathValue(el, parts, i);
      if (v !== undefined) out.push(v);
    }
    return out;
  }
  if (!isPlainObject(value)) return undefined;
  return fieldPathValue(ownValue(value, parts[i]), parts, i + 1);
}

type Evaluate = (doc: Doc) => unknown;

/**
 * Evaluator for the expressions most stages are made of — field paths (`"$a.b"`, `"$$ROOT"`),
 * literals, and documents or arrays of those — without going through mingo. Undefined for
 * anything with an operator or a user variable.
 */
export function compileSimpleExpression(expr: unknown): Evaluate | undefined {
  if (typeof expr === "string") {
    if (expr === "$$ROOT" || expr === "$$CURRENT") return (doc) => doc;
    if (expr.startsWith("$$ROOT.") || expr.startsWith("$$CURRENT.")) {
      const parts = expr.slice(expr.indexOf(".") + 1).split(".");
      return (doc) => fieldPathValue(doc, parts);
    }
    if (expr.startsWith("$$")) return undefined;
    if (expr.startsWith("$")) {
      const parts = expr.slice(1).split(".");
      return parts.length === 1 ? (doc) => (isPlainObject(doc) ? ownValue(doc, parts[0]) : undefined) : (doc) => fieldPathValue(doc, parts);
    }
    return () => expr;
  }
  if (Array.isArray(expr)) {
    const items = expr.map(compileSimpleExpression);
    if (items.some((e) => !e)) return undefined;
    return (doc) => items.map((e) => e!(doc) ?? null);
  }
  if (isPlainObject(expr)) {
    const keys = Object.keys(expr);
    if (keys.some((k) => k.startsWith("$"))) return undefined;
    const fields = keys.map((k) => [k, compileSimpleExpression(expr[k])] as const);
    if (fields.some(([, e]) => !e)) return undefined;
    return (doc) => {
      const out: Doc = {};
      for (const [k, e] of fields) {
        const v = e!(doc);
        if (v !== undefined) setOwn(out, k, v);
      }
      return out;
    };
  }
  return () => expr;
}
