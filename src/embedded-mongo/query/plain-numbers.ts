import { bsonTypeOf } from "./bson-order";
import { isPlainObject, setOwn } from "./paths";

type Locals = { root?: unknown };
type Options = { local: Locals; constructor: { init(o: Options): Options }; update(l: Locals): Options };
type Operator = (input: unknown, expr: unknown, options: Options) => unknown;

/**
 * `v` with every `Double` wrapper (a whole-number double, see `doubleValue`) replaced by its JS
 * number; unchanged parts are shared and `v` itself is returned when there is none.
 */
export function unwrapDoubles(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = unwrapDoubles(v[i]);
      if (x !== v[i]) (out ??= v.slice())[i] = x;
    }
    return out ?? v;
  }
  if (bsonTypeOf(v) === "Double") return (v as { value: number }).value;
  if (!isPlainObject(v)) return v;
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(v)) {
    const x = unwrapDoubles(v[key]);
    if (x !== v[key]) {
      out ??= { ...v };
      setOwn(out, key, x);
    }
  }
  return out ?? v;
}

/**
 * mingo's own operators test numbers with `typeof`: they read their input and the root
 * document (where field paths resolve) with plain numbers, on a copy of the evaluation state.
 */
export function withPlainNumbers<T extends object>(operators: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, op] of Object.entries(operators)) {
    if (typeof op !== "function") continue;
    out[name] = (input: unknown, expr: unknown, options: Options) => {
      const plain = options.constructor.init(options).update({ root: unwrapDoubles(options.local.root) });
      return (op as Operator)(unwrapDoubles(input), expr, plain);
    };
  }
  return out as T;
}
